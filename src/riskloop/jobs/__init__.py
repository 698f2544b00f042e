"""Batch jobs: whole runs composed from the workspace's use cases (the demo; later scheduled monitoring)."""
