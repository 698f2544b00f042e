"""The HTTP API (FastAPI): one route module per resource; pydantic only here, at the edge."""
