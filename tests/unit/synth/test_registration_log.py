"""The platform's registration log: valid identifiers in time order, planted attacks of every shape in the truth,
and honest sign-ups that share what honest firms share (office IPs, kiosks, families, campaign venues)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.registration import Registration
from riskloop.synth.params import DEFAULT_AS_OF
from riskloop.synth.reg_attacks import SHAPES


def _log(universe: Path) -> pa.Table:
    parts = sorted((universe / "events" / "registrations").glob("part-*.parquet"))
    assert len(parts) == 2
    return pa.concat_tables([pq.read_table(p) for p in parts])


def test_every_registration_is_valid_and_dated_before_as_of(universe: Path) -> None:
    log = _log(universe)
    for row in log.to_pylist():
        Registration.from_mapping(row, row["registered_at"])  # raises on a bad identifier
    assert pa.compute.max(log["registered_at"]).as_py() < dt.datetime.combine(DEFAULT_AS_OF, dt.time(), dt.UTC)
    assert len(set(log["registration_id"].to_pylist())) == log.num_rows


def test_the_truth_names_planted_registrations_of_every_shape(universe: Path) -> None:
    log, truth = _log(universe), pq.read_table(universe / "truth" / "registration_attacks.parquet")
    assert set(truth["registration_id"].to_pylist()) <= set(log["registration_id"].to_pylist())
    assert set(truth["shape"].to_pylist()) == set(SHAPES)
    share = truth.num_rows / log.num_rows
    assert 0.01 < share < 0.1
    rotating = truth.filter(pa.compute.equal(truth["shape"], "rotating"))
    assert all(links for links in rotating["links"].to_pylist())  # linked by something subtler, never nothing


def test_honest_firms_share_networks_devices_and_phones(universe: Path) -> None:
    log, truth = _log(universe), pq.read_table(universe / "truth" / "registration_attacks.parquet")
    honest = log.filter(pa.compute.invert(pa.compute.is_in(log["registration_id"], truth["registration_id"])))
    for column in ("ip", "device_id", "phone"):
        firms = honest.group_by(column).aggregate([("credit_code", "count_distinct")])
        assert pa.compute.max(firms["credit_code_count_distinct"]).as_py() >= 2, column
    assert set(honest["channel"].to_pylist()) == {"app", "web", "mini_program", "branch", "campaign"}
