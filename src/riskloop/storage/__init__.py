"""Storage adapters: SQL tables and migrations (SQLAlchemy + Alembic), the Parquet warehouse (DuckDB)."""
