"""A call whose transcript has a malformed turn is quarantined whole: every turn kept, with call, turn and field."""

from __future__ import annotations

import datetime as dt
import json
import shutil

from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.testing.tables import row

AT = dt.datetime(2024, 6, 3, 2, 30, tzinfo=dt.UTC)


def _call(call_id: str) -> dict[str, object]:
    return row(
        "collection_calls", call_id=call_id, action_id=f"A{call_id}", case_id="CS1", agent_id="AG0001", started_at=AT
    )


def _turns(call_id: str, n: int = 3) -> list[dict[str, object]]:
    speakers = ("agent", "debtor")
    return [
        row("call_turns", call_id=call_id, turn_no=k, speaker=speakers[(k + 1) % 2], text=f"第{k}句话。")
        for k in range(1, n + 1)
    ]


def test_malformed_turns_quarantine_their_whole_call(harness, sample, source):
    good, speaker, empty, duplicate, gap = "CL_OK", "CL_SPEAKER", "CL_EMPTY", "CL_DUP", "CL_GAP"
    sample.write(source, "collection_calls", [_call(c) for c in (good, speaker, empty, duplicate, gap)])
    turns = _turns(good)
    bad_speaker = _turns(speaker)
    bad_speaker[1]["speaker"] = "robot"
    bad_empty = _turns(empty)
    bad_empty[2]["text"] = "  "
    dup = _turns(duplicate)
    dup[2]["turn_no"] = 2
    gapped = [t for t in _turns(gap, 4) if t["turn_no"] != 3]
    orphan = _turns("CL_UNKNOWN", 2)
    sample.write(source, "call_turns", turns + bad_speaker + bad_empty + dup + gapped + orphan)

    result = harness.run()

    assert result.tables["collection_calls"].loaded == 5
    assert result.tables["call_turns"].loaded == 3
    assert [r["call_id"] for r in harness.stored("call_turns", "call_id, turn_no")] == [good] * 3
    records = harness.quarantine()
    # every bad call's every turn is kept in quarantine: 3 + 3 + 3 + 3 + 2 rows
    assert len(records) == 14
    assert result.tables["call_turns"].quarantined == 14
    by_call: dict[str, list[dict[str, object]]] = {}
    for r in records:
        call = next(c for c in (speaker, empty, duplicate, gap, "CL_UNKNOWN") if c in str(harness.open_raw(r["raw"])))
        by_call.setdefault(call, []).append(r)
    assert {c: len(rs) for c, rs in by_call.items()} == {speaker: 3, empty: 3, duplicate: 3, gap: 3, "CL_UNKNOWN": 2}
    assert all(r["table_name"] == "call_turns" and r["source_file"].endswith("call_turns.parquet") for r in records)
    assert all(r["row_number"] is not None for r in records)
    whole = [r for r in by_call[speaker] if "whole record" in r["reason"]]
    assert len(whole) == 2
    assert all(
        r["field"] == "speaker" and "call_id CL_SPEAKER" in r["reason"] and "turn_no 2" in r["reason"] for r in whole
    )
    assert all("turn_no 3" in r["reason"] and r["field"] == "text" for r in by_call[empty] if "whole" in r["reason"])
    assert {r["field"] for r in by_call[duplicate]} == {"turn_no"}
    assert all("turn_no 2: appears 2 times" in r["reason"] for r in by_call[duplicate])
    assert all("turn_no 3: missing" in r["reason"] for r in by_call[gap])
    assert all(r["field"] == "call_id" and "no such call_id" in r["reason"] for r in by_call["CL_UNKNOWN"])


def test_a_turn_of_a_call_loaded_earlier_is_known(harness, sample, source):
    sample.write(source, "collection_calls", [_call("CL1")])
    harness.run()
    source.joinpath("collection_calls.parquet").unlink()
    sample.write(source, "call_turns", _turns("CL1"))

    result = harness.run()

    assert result.tables["call_turns"].loaded == 3
    assert result.tables["call_turns"].quarantined == 0


def test_identifiers_said_in_a_turn_are_masked(harness, sample, source):
    sample.write(source, "collection_calls", [_call("CL1")])
    turns = _turns("CL1", 2)
    turns[1]["text"] = "我的手机是13800138000，身份证11010519491231002X，欠款12,345.67元"
    sample.write(source, "call_turns", turns)

    harness.run()

    text = harness.stored("call_turns", "turn_no")[1]["text"]
    assert "13800138000" not in text
    assert "11010519491231002X" not in text
    assert "138****8000" in text
    assert "12,345.67元" in text  # an amount is not an identifier


def test_a_generated_universes_collection_tables_load_whole(harness, source, tmp_path):
    universe = tmp_path / "u"
    generate_universe(UniverseParams(enterprises=5000, seed=4242), universe, workers=1)
    names = ("collection_cases", "collection_actions", "collection_calls", "call_turns", "call_reviews")
    for name in names:
        shutil.copytree(universe / "tables" / name, source / name)
    rows = json.loads((universe / "manifest.json").read_text(encoding="utf-8"))["rows"]

    result = harness.run(as_of=dt.date(2026, 6, 30))

    assert {n: result.tables[n].loaded for n in names} == {n: rows[n] for n in names}
    assert all(rows[n] > 0 for n in names)
    assert harness.quarantine() == []
