"""The decision tests use the shared demo workspace of tests/conftest.py (``decision_workspace``)."""
