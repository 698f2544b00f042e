"""Loaders of public credit datasets used by benchmarks and tests (the data itself is never committed here)."""
