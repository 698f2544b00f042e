"""Ingestion: read CSV/Parquet/JSON Lines exports, validate them against the contract, load, quarantine the rest."""
