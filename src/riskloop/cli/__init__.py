"""Command-line interface: parse, call one use case, render."""
