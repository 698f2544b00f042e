"""The bank's QA team's reviews: a sample of calls, each issue found with its turn, reviewers missing a few."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth.arrays import Arr

SAMPLE_RATE = 0.10
MISS_RATE = 0.03
REVIEW_DAYS = (1, 14)
NONE = "none"
_DAY_US = 86_400_000_000


def reviews_table(g: np.random.Generator, calls: pa.Table, labels: pa.Table, as_of: np.datetime64) -> pa.Table:
    """Review about ``SAMPLE_RATE`` of the calls reviewed by as-of.

    A reviewed call gives one row per issue found (each planted issue is missed with ``MISS_RATE``), or one ``none``
    row when nothing was found. Only reviews made by the end of as-of are written.
    """
    n = calls.num_rows
    started = calls["started_at"].to_numpy().astype("datetime64[us]").astype(np.int64)
    delay = (REVIEW_DAYS[0] + g.random(n) * (REVIEW_DAYS[1] - REVIEW_DAYS[0])) * _DAY_US
    reviewed_at = (started + delay.astype(np.int64)).astype("datetime64[us]")
    end = (as_of + np.timedelta64(1, "D")).astype("datetime64[us]")
    sampled = (g.random(n) < SAMPLE_RATE) & (reviewed_at < end)
    call_ids = calls["call_id"].to_pylist()
    found_by_call: dict[str, list[tuple[str, int | None]]] = {}
    seen = g.random(labels.num_rows) >= MISS_RATE
    for call, issue, turn, kept in zip(
        labels["call_id"].to_pylist(),
        labels["issue_type"].to_pylist(),
        labels["turn_no"].to_pylist(),
        seen,
        strict=True,
    ):
        if kept:
            found_by_call.setdefault(call, []).append((issue, turn))
    out: dict[str, list[object]] = {"review_id": [], "call_id": [], "reviewed_at": [], "issue_type": [], "turn_no": []}
    for i in np.flatnonzero(sampled).tolist():
        found = found_by_call.get(call_ids[i]) or [(NONE, None)]
        for k, (issue, turn) in enumerate(found, start=1):
            out["review_id"].append(f"RV{call_ids[i][2:]}{k:02d}")
            out["call_id"].append(call_ids[i])
            out["reviewed_at"].append(reviewed_at[i])
            out["issue_type"].append(issue)
            out["turn_no"].append(turn)
    stamps: Arr = np.array(out["reviewed_at"], dtype="datetime64[us]")
    return pa.table(
        {
            "review_id": pa.array(out["review_id"], pa.string()),
            "call_id": pa.array(out["call_id"], pa.string()),
            "reviewed_at": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "issue_type": pa.array(out["issue_type"], pa.string()),
            "turn_no": pa.array(out["turn_no"], pa.int64()),
        }
    )
