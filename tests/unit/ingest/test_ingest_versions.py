"""Versioned enterprises (ADR 0020): a changed registration loads as a new version; readers take the one in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from riskloop.domain.clock import FixedClock
from riskloop.domain.versions import in_force, in_force_sql
from riskloop.graph.build import build_graph
from riskloop.graph.kinds import EDGE_CODE, NODE_CODE
from riskloop.storage.profiles import SQLProfileSource
from riskloop.testing.pii import database_texts, file_texts, hits
from riskloop.workspace import Workspace

NOW = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)  # the harness's clock
CHANGED = dt.date(2024, 6, 1)
NEW_REP = "110105199003071239"  # a resident ID no other row holds


def _changed(row: dict[str, Any], valid_from: dt.date | None = CHANGED) -> dict[str, Any]:
    return row | {"legal_rep_id": NEW_REP, "status": "abnormal", "valid_from": valid_from}


def _first_load(harness, sample, source) -> list[dict[str, Any]]:
    rows = [r | {"valid_from": r["established_date"]} for r in sample.enterprises(3)]
    sample.write(source, "enterprises", rows)
    harness.run()
    return rows


def test_a_changed_legal_rep_and_status_load_as_a_new_version_and_profiles_follow_the_day(harness, sample, source):
    rows = _first_load(harness, sample, source)
    sample.write(source, "enterprises", [_changed(rows[0]), rows[1]])
    result = harness.run()
    report = result.to_dict()["tables"]["enterprises"]
    assert (report["loaded"], report["new_versions"], report["already_present"], report["quarantined"]) == (1, 1, 1, 0)
    assert harness.quarantine(result.run_id) == []
    code = rows[0]["credit_code"]
    assert [r["status"] for r in harness.sql_rows("enterprises") if r["credit_code"] == code] == ["active", "abnormal"]
    profiles = SQLProfileSource(sa.create_engine(harness.settings.database_url))
    assert profiles.profile(code, CHANGED - dt.timedelta(days=1)).status == "active"
    assert profiles.profile(code, CHANGED).status == "abnormal"
    assert profiles.profile(code).status == "abnormal"  # no day: the latest
    assert profiles.profile(code, dt.date(2000, 1, 1)).status == "active"  # before any version: the first
    assert profiles.count() == 3  # enterprises, not versions
    loaded = harness.loaded("enterprises", "valid_from")
    assert [(r["legal_rep_id"], r["valid_from"]) for r in loaded if r["credit_code"] == code] == [
        (rows[0]["legal_rep_id"], rows[0]["valid_from"]),
        (NEW_REP, CHANGED),
    ]


def test_the_graph_links_the_legal_rep_in_force_on_each_day(harness, sample, source):
    rows = _first_load(harness, sample, source)
    sample.write(source, "enterprises", [_changed(rows[0])])
    harness.run()
    code = rows[0]["credit_code"]
    stored = {
        r["valid_from"]: r["legal_rep_id"]
        for r in harness.stored("enterprises", "valid_from")
        if r["credit_code"] == code
    }
    with Workspace.open(harness.settings, migrate=False, clock=FixedClock(NOW)) as ws:
        graph = build_graph(ws.warehouse.connect(), ws.tokenizer())
    nodes = graph.nodes.to_pylist()

    def person(stored_value: str) -> int:  # a stored ``tok1:<token>:<masked>`` names the node of its token
        return next(n["node_id"] for n in nodes if n["kind"] == NODE_CODE["person"] and n["token"] in stored_value)

    firm = next(
        n["node_id"] for n in nodes if n["kind"] == NODE_CODE["enterprise"] and code in (n["token"], n["label"])
    )
    edges = [e for e in graph.edges.to_pylist() if e["kind"] == EDGE_CODE["legal_rep"] and e["dst"] == firm]

    def reps_on(day: dt.date) -> set[int]:
        at = int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())
        return {e["src"] for e in edges if e["valid_from"] <= at and (e["valid_to"] is None or at <= e["valid_to"])}

    old, new = person(stored[rows[0]["valid_from"]]), person(stored[CHANGED])
    assert reps_on(CHANGED - dt.timedelta(days=1)) == {old}
    assert reps_on(CHANGED) == {new}
    assert reps_on(dt.date(2025, 1, 1)) == {new}


def test_a_different_row_for_a_loaded_key_and_day_is_still_a_conflict(harness, sample, source, reasons):
    rows = _first_load(harness, sample, source)
    sample.write(source, "enterprises", [_changed(rows[0], valid_from=rows[0]["valid_from"])])
    result = harness.run()
    assert result.tables["enterprises"].counts()["quarantined"] == 1
    [(row, field, reason)] = reasons(harness.quarantine(result.run_id))
    assert (row, field) == (1, "legal_rep_id, status")
    assert reason == (
        f"conflicts with the version already loaded for key credit_code={rows[0]['credit_code']}, "
        f"valid_from={rows[0]['valid_from']}: differs in legal_rep_id, status"
    )
    assert len(harness.sql_rows("enterprises")) == 3


def test_re_ingesting_the_same_files_changes_nothing(harness, sample, source):
    rows = _first_load(harness, sample, source)
    sample.write(source, "enterprises", [*rows, _changed(rows[0])])
    harness.run()
    before = (harness.sql_rows("enterprises"), harness.stored("enterprises", "credit_code, valid_from"))
    again = harness.run()
    assert again.tables["enterprises"].counts() == {"rows_read": 4, "loaded": 0, "already_present": 4, "quarantined": 0}
    assert (harness.sql_rows("enterprises"), harness.stored("enterprises", "credit_code, valid_from")) == before


def test_an_unchanged_row_on_a_later_day_is_already_present_and_a_backfill_loads(harness, sample, source):
    rows = _first_load(harness, sample, source)
    early = rows[1]["valid_from"] - dt.timedelta(days=1)
    sample.write(source, "enterprises", [rows[0] | {"valid_from": None}, _changed(rows[1], valid_from=early)])
    result = harness.run(as_of=dt.date(2024, 12, 31))  # an empty valid-from is the run's as-of day
    assert result.tables["enterprises"].already_present == 1
    assert result.tables["enterprises"].new_versions == 1
    profiles = SQLProfileSource(sa.create_engine(harness.settings.database_url))
    assert profiles.profile(rows[1]["credit_code"], early).status == "abnormal"
    assert profiles.profile(rows[1]["credit_code"], rows[1]["valid_from"]).status == "active"


def test_a_new_version_s_personal_columns_are_tokenised_like_the_first(harness, sample, source):
    rows = _first_load(harness, sample, source)
    sample.write(source, "enterprises", [_changed(rows[0]) | {"phone": "13900000000"}])
    harness.run()
    engine = sa.create_engine(harness.settings.database_url)
    raws = [NEW_REP, "13900000000", rows[0]["legal_rep_id"], rows[0]["address"]]
    assert hits(database_texts(engine) | file_texts(harness.settings.warehouse), raws) == {}
    stored = [r for r in harness.stored("enterprises", "valid_from") if r["credit_code"] == rows[0]["credit_code"]]
    assert stored[0]["address"] == stored[1]["address"]  # equal input, equal token
    assert [r["valid_from"] for r in harness.loaded("enterprises", "valid_from") if r["legal_rep_id"] == NEW_REP] == [
        CHANGED
    ]


def test_the_sql_and_python_rules_pick_the_same_version() -> None:
    days = [dt.date(2020, 1, 1), dt.date(2021, 6, 1), dt.date(2023, 3, 15)]
    versions = pa.table({"code": ["A", "A", "A", "B"], "valid_from": [*days, None], "n": [0, 1, 2, 3]})
    con = duckdb.connect()
    con.register("t", versions)
    for probe in [dt.date(2019, 1, 1), *days, dt.date(2022, 1, 1), dt.date(2030, 1, 1), None]:
        bound = None if probe is None else f"DATE '{probe.isoformat()}'"
        got = dict(con.sql(f"SELECT code, n FROM ({in_force_sql('t', ('code',), bound)})").fetchall())
        rows = versions.to_pylist()
        expected = {
            code: in_force([r for r in rows if r["code"] == code], probe, lambda r: r["valid_from"])["n"]
            for code in ("A", "B")
        }
        assert got == expected, probe
