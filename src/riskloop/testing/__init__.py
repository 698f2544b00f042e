"""Test support shipped with the package: valid sample rows, table writers, fakes."""
