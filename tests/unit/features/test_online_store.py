"""The FeatureStore port: the in-memory fake and SQLFeatureStore (SQLite, PostgreSQL) pass the same tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Iterator

import pyarrow as pa
import pytest
import sqlalchemy as sa

from riskloop.domain.clock import FixedClock
from riskloop.errors import ValidationError
from riskloop.features.catalog import GROUPS
from riskloop.features.online import FeatureStore, clean_value, feature_set_version
from riskloop.storage.engine import make_engine
from riskloop.storage.feature_store import SQLFeatureStore
from riskloop.storage.migrate import upgrade
from riskloop.testing.fake_feature_store import InMemoryFeatureStore

AT = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
ROWS = pa.table(
    {
        "credit_code": ["C1", "C2"],
        "reg_firm_age_days": pa.array([1826, None], pa.int64()),
        "fin_debt_ratio": pa.array([0.4, math.nan], pa.float64()),
        "avail_financial": pa.array([1, 0], pa.int32()),
    }
)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Iterator[FeatureStore]:
    clock = FixedClock(AT)
    if request.param == "memory":
        yield InMemoryFeatureStore(clock)
        return
    url = str(request.getfixturevalue(f"{request.param}_url"))
    upgrade(url)
    engine = make_engine(url)
    yield SQLFeatureStore(engine, clock)
    engine.dispose()


def test_published_values_round_trip_with_missing_as_none(store: FeatureStore) -> None:
    assert store.publish("v1", dt.date(2026, 6, 30), ROWS) == 2
    c1, c2 = store.lookup("v1", "C1"), store.lookup("v1", "C2")
    assert c1 is not None
    assert c2 is not None
    assert dict(c1.values) == {"reg_firm_age_days": 1826, "fin_debt_ratio": 0.4, "avail_financial": 1}
    assert isinstance(c1.values["reg_firm_age_days"], int)
    assert dict(c2.values) == {"reg_firm_age_days": None, "fin_debt_ratio": None, "avail_financial": 0}
    assert (c1.credit_code, c1.feature_set, c1.as_of, c1.published_at) == ("C1", "v1", dt.date(2026, 6, 30), AT)


def test_republishing_replaces_the_values_and_date(store: FeatureStore) -> None:
    store.publish("v1", dt.date(2026, 6, 30), ROWS)
    newer = pa.table({"credit_code": ["C1"], "fin_debt_ratio": [0.5]})
    assert store.publish("v1", dt.date(2026, 7, 31), newer) == 1
    c1 = store.lookup("v1", "C1")
    assert c1 is not None
    assert (c1.as_of, dict(c1.values)) == (dt.date(2026, 7, 31), {"fin_debt_ratio": 0.5})
    c2 = store.lookup("v1", "C2")
    assert c2 is not None
    assert c2.as_of == dt.date(2026, 6, 30)  # untouched


def test_a_lookup_never_mixes_feature_sets(store: FeatureStore) -> None:
    store.publish("v1", dt.date(2026, 6, 30), ROWS)
    store.publish("v2", dt.date(2026, 6, 30), pa.table({"credit_code": ["C1"], "x": [7]}))
    v1, v2 = store.lookup("v1", "C1"), store.lookup("v2", "C1")
    assert v1 is not None
    assert v2 is not None
    assert "x" not in v1.values
    assert dict(v2.values) == {"x": 7}
    assert store.lookup("v2", "C2") is None
    assert store.lookup("v3", "C1") is None


def test_count_is_per_feature_set(store: FeatureStore) -> None:
    assert store.count("v1") == 0
    store.publish("v1", dt.date(2026, 6, 30), ROWS)
    store.publish("v1", dt.date(2026, 7, 31), pa.table({"credit_code": ["C1"], "x": [1]}))  # replaces, not adds
    store.publish("v2", dt.date(2026, 6, 30), pa.table({"credit_code": ["C3"], "x": [7]}))
    assert (store.count("v1"), store.count("v2"), store.count("v3")) == (2, 1, 0)


def test_lookup_many_returns_only_published_codes(store: FeatureStore) -> None:
    store.publish("v1", dt.date(2026, 6, 30), ROWS)
    found = store.lookup_many("v1", ["C2", "nope", "C1"])
    assert sorted(found) == ["C1", "C2"]
    assert found["C1"] == store.lookup("v1", "C1")
    assert store.lookup_many("v1", []) == {}


def test_rows_without_credit_codes_are_refused(store: FeatureStore) -> None:
    with pytest.raises(ValidationError, match="credit_code"):
        store.publish("v1", dt.date(2026, 6, 30), pa.table({"application_id": ["C1"], "x": [1.0]}))


def test_sql_store_keeps_strict_json(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    SQLFeatureStore(engine, FixedClock(AT)).publish("v1", dt.date(2026, 6, 30), ROWS)
    with engine.connect() as conn:
        text = conn.execute(sa.text("SELECT feature_values FROM published_features WHERE credit_code = 'C2'")).scalar()
    engine.dispose()
    assert "NaN" not in text
    assert json.loads(text)["fin_debt_ratio"] is None


def test_clean_value() -> None:
    assert [clean_value(v) for v in (None, True, 3, 0.5, math.nan, math.inf)] == [None, 1, 3, 0.5, None, None]
    with pytest.raises(ValidationError):
        clean_value("high")


def test_feature_set_version_follows_every_part_of_the_definitions() -> None:
    base = feature_set_version(GROUPS)
    assert len(base) == 12
    assert int(base, 16) >= 0
    assert base == feature_set_version(GROUPS)
    first = GROUPS[0]
    changed_sql = dataclasses.replace(first, sql=first.sql + " ")
    renamed = dataclasses.replace(first, features=((first.features[0][0] + "_x", ""), *first.features[1:]))
    assert feature_set_version((changed_sql, *GROUPS[1:])) != base
    assert feature_set_version((renamed, *GROUPS[1:])) != base
    assert feature_set_version(GROUPS[1:]) != base
