"""Serving-only scoring: points tables, compiled trees, fusion, calibration, PDO scaling and reasons."""
