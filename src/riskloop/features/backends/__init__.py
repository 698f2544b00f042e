"""Feature engine backends (DuckDB embedded default)."""
