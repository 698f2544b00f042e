"""The ``text_tags`` table riskloop writes into the warehouse (``riskloop text tag``): one row per tag found.

It is derived, not ingested, so it is outside the input contract (``domain/tables.py``); the ``text_tags``
feature group reads it by name.
"""

from __future__ import annotations

import pyarrow as pa

TAGS_TABLE = "text_tags"
TAGS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("credit_code", pa.string()),
        ("published_date", pa.date32()),
        ("tag", pa.string()),
        ("confidence", pa.float64()),
        ("span_start", pa.int64()),
        ("span_end", pa.int64()),
        ("source", pa.string()),
        ("tagger", pa.string()),
    ]
)
