"""Use cases: orchestrate the core through ports; no framework imports."""
