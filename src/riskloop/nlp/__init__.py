"""Shared Chinese-text machinery of the core packages (segmentation), below them and above the domain."""
