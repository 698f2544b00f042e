"""Hard fraud (``fraud="hard"``): each new ring shape planted as promised, decoys shared by honest firms.

One small hard universe (6,400 enterprises in two chunks: four rings of every shape) is checked against its
truth; the standard universe of the same seed shows the decoys leave creditworthiness alone. Normalisation of
the address-only rings' writings is measured by ``benchmarks/bench_fraud_shapes.py``, not asserted here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.errors import ValidationError
from riskloop.graph.normalize import normalize_one
from riskloop.synth.address_writing import HARD, VARIANTS
from riskloop.synth.params import GENERATOR_VERSION, UniverseParams
from riskloop.synth.rings import SHAPES
from riskloop.synth.universe import generate_universe

N, SEED, CHUNK = 6400, 9, 3200
RINGS_PER_SHAPE = 4
DAY = pd.Timedelta(days=1)
IDENTIFIERS = ("phone", "device_id", "ip", "email", "bank_account", "applicant_id", "legal_rep_id")


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hard") / "u"
    generate_universe(UniverseParams(enterprises=N, seed=SEED, chunk_size=CHUNK, fraud="hard"), out, workers=1)
    return out


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def truth(root: Path, name: str) -> pd.DataFrame:
    frame: pd.DataFrame = pq.read_table(root / "truth" / f"{name}.parquet").to_pandas()
    return frame


def table(root: Path, name: str) -> pd.DataFrame:
    frame: pd.DataFrame = pq.read_table(root / "tables" / name).to_pandas()
    return frame


@pytest.fixture(scope="module")
def members(hard: Path) -> pd.DataFrame:
    """Ring applications with their ring, shape, window, enterprise and legal representative, in time order."""
    firms = table(hard, "enterprises")[["credit_code", "kind", "established_date", "legal_rep_id", "address"]]
    firms = firms.rename(columns={"address": "registered_address"})
    ring_members = truth(hard, "ring_members")[["ring_id", "application_id"]]
    frame = (
        ring_members.merge(table(hard, "applications"), on="application_id")
        .merge(truth(hard, "rings"), on="ring_id")
        .merge(firms, on="credit_code")
    )
    return frame.sort_values(["ring_id", "applied_at"]).reset_index(drop=True)


def own_network(root: Path, ip: pd.Series) -> pd.Series:
    """The IPs, with a carrier pool's (shared with many strangers: a decoy) left out."""
    decoys = truth(root, "decoys")
    pools = set(decoys.loc[decoys["decoy_kind"] == "carrier_nat", "value"])
    return ip.where(~ip.isin(pools))


def of_shape(members: pd.DataFrame, shape: str) -> list[pd.DataFrame]:
    rings = [ring for _, ring in members[members["shape"] == shape].groupby("ring_id")]
    assert len(rings) == RINGS_PER_SHAPE
    return rings


def test_a_hard_universe_is_the_same_whatever_the_workers(hard: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_universe(UniverseParams(enterprises=N, seed=SEED, chunk_size=CHUNK, fraud="hard"), again, workers=2)
    assert _digests(again) == _digests(hard)
    manifest = json.loads((hard / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fraud"] == manifest["parameters"]["fraud"] == "hard"
    assert manifest["generator_version"] == GENERATOR_VERSION == "1.9.0"
    assert {"ring_identifiers", "decoys", "decoy_members"} <= set(manifest["truth_rows"])


def test_every_shape_is_planted_with_its_window(hard: Path, members: pd.DataFrame) -> None:
    rings = truth(hard, "rings")
    assert Counter(rings["shape"]) == dict.fromkeys(SHAPES, RINGS_PER_SHAPE)
    window = (rings["window_end"] - rings["window_start"]) / DAY
    days = {"mixed_chain": (2, 21), "slow_ring": (30, 90), "rep_farm": (14, 42)}
    for shape, (lo, hi) in days.items():
        assert window[rings["shape"] == shape].between(lo, hi).all(), shape
    assert (members["applied_at"] >= members["window_start"]).all()
    assert (members["applied_at"] <= members["window_end"]).all()
    as_of = pd.Timestamp(dt.date(2026, 6, 30), tz="UTC")
    assert (rings["window_end"] <= as_of - 30 * DAY).all()


def test_a_mixed_chain_links_neighbours_by_changing_kinds_and_nothing_links_it_all(
    hard: Path, members: pd.DataFrame
) -> None:
    links = truth(hard, "ring_identifiers")
    for ring in of_shape(members, "mixed_chain"):
        apps = ring["application_id"].tolist()
        written = links[links["ring_id"] == ring["ring_id"].iloc[0]]
        kinds = []
        for a, b in itertools.pairwise(apps):
            # the pair's identifier: the same value, or for an address the same place however written
            pair = written[written["application_id"].isin([a, b])]
            shared = pair.assign(key=pair["canonical"].fillna(pair["value"])).groupby(["identifier_kind", "key"])
            kinds += [kind for (kind, _), rows in shared if set(rows["application_id"]) == {a, b}]
        assert len(kinds) == len(apps) - 1  # one identifier per neighbouring pair
        assert all(k1 != k2 for k1, k2 in itertools.pairwise(kinds))
        assert set(kinds) <= {"phone", "device", "bank_account", "address", "email"}
        keys = ring["address"].map(lambda a: normalize_one("address", a))
        values = ring.assign(address=keys, ip=own_network(hard, ring["ip"]))
        for column in (*IDENTIFIERS, "address"):
            assert values[column].value_counts().max() <= 2, column  # shared by two neighbours at most


def test_a_slow_ring_reuses_a_device_or_phone_over_weeks(members: pd.DataFrame) -> None:
    for ring in of_shape(members, "slow_ring"):
        assert ring["device_id"].nunique() == 1 or ring["phone"].nunique() == 1
        assert (ring["applied_at"].max() - ring["applied_at"].min()) / DAY > 14  # beyond a two-week burst


def test_address_only_members_write_one_place_differently_and_share_nothing_else(
    hard: Path, members: pd.DataFrame
) -> None:
    links = truth(hard, "ring_identifiers")
    written = links[links["identifier_kind"] == "address"]
    variants: set[str] = set()
    for ring in of_shape(members, "address_only"):
        assert ring["address"].is_unique  # each member writes it differently
        values = ring.assign(ip=own_network(hard, ring["ip"]))
        for column in IDENTIFIERS:
            assert values[column].dropna().is_unique, column
        recorded = written[written["application_id"].isin(ring["application_id"])]
        assert sorted(recorded["value"]) == sorted(ring["address"])
        assert recorded["canonical"].nunique() == 1  # one place
        variants |= set(recorded["variant"])
        assert (recorded["hard_variant"] == recorded["variant"].isin(HARD)).all()
    assert variants <= set(VARIANTS)
    assert variants & set(HARD)  # some writings go beyond the basic variants


def test_a_rep_farm_is_one_person_behind_recent_companies_applying_within_weeks(
    hard: Path, members: pd.DataFrame
) -> None:
    links = truth(hard, "ring_identifiers")
    for ring in of_shape(members, "rep_farm"):
        assert (ring["kind"] == "company").all()
        assert ring["legal_rep_id"].nunique() == 1
        assert (ring["applicant_id"] == ring["legal_rep_id"]).all()
        age = (ring["applied_at"].dt.date - ring["established_date"]).map(lambda d: d.days)
        assert age.between(200, 366 + 42).all()  # registered under a year before the window
        recorded = links[links["application_id"].isin(ring["application_id"])]
        assert set(recorded["identifier_kind"]) == {"person"}
        assert set(recorded["value"]) == set(ring["legal_rep_id"])


def test_a_recycled_ring_reuses_what_honest_applicants_used_before(hard: Path, members: pd.DataFrame) -> None:
    apps = table(hard, "applications").set_index("application_id")
    ring_apps = set(truth(hard, "ring_members")["application_id"])
    links = truth(hard, "ring_identifiers")
    for ring in of_shape(members, "recycled"):
        assert ring["device_id"].nunique() == ring["phone"].nunique() == 1
        recorded = links[links["application_id"].isin(ring["application_id"])]
        assert set(recorded["identifier_kind"]) == {"device", "phone"}
        for kind, column in (("device", "device_id"), ("phone", "phone")):
            donor = recorded.loc[recorded["identifier_kind"] == kind, "recycled_from"].unique()
            assert len(donor) == 1
            assert donor[0] not in ring_apps
            assert apps.loc[donor[0], column] == ring[column].iloc[0]
            assert apps.loc[donor[0], "applied_at"] <= ring["window_start"].iloc[0] - 30 * DAY


def test_decoys_are_shared_by_many_honest_firms(hard: Path) -> None:
    decoys, decoy_members = truth(hard, "decoys"), truth(hard, "decoy_members")
    ring_firms = set(truth(hard, "ring_members")["credit_code"])
    assert ring_firms.isdisjoint(decoy_members["credit_code"])
    counted = decoy_members.groupby("decoy_id").size()
    assert (decoys.set_index("decoy_id")["enterprises"] == counted.reindex(decoys["decoy_id"]).to_numpy()).all()
    biggest = decoys.groupby("decoy_kind")["enterprises"].max()
    assert biggest["business_centre"] >= 30
    assert biggest["registered_agent"] >= 30
    assert biggest["carrier_nat"] >= 10
    assert biggest["branch_kiosk"] >= 5
    families = decoys[decoys["decoy_kind"].str.startswith("family_")]
    assert families["enterprises"].between(2, 4).all()
    firms = table(hard, "enterprises").set_index("credit_code")
    for row in decoys.itertuples():
        codes = decoy_members.loc[decoy_members["decoy_id"] == row.decoy_id, "credit_code"]
        if row.decoy_kind == "family_phone":
            assert set(firms.loc[codes, "phone"]) == {row.value}
        elif row.decoy_kind == "family_rep":
            assert set(firms.loc[codes, "legal_rep_id"]) == {row.value}
        elif row.identifier_kind == "address":  # a registered agent gives each firm a room of its own
            assert firms.loc[codes, "address"].str.startswith(row.value).all()


def test_decoy_firms_keep_their_creditworthiness(hard: Path, tmp_path: Path) -> None:
    standard = tmp_path / "standard"
    generate_universe(UniverseParams(enterprises=N, seed=SEED, chunk_size=CHUNK), standard, workers=1)
    codes = truth(hard, "decoy_members")["credit_code"].unique()
    before = truth(standard, "enterprises").set_index("credit_code").loc[codes]
    after = truth(hard, "enterprises").set_index("credit_code").loc[codes]
    assert len(codes) > 500
    assert np.array_equal(before["latent_score"].to_numpy(), after["latent_score"].to_numpy())
    assert (after["is_shell"] == before["is_shell"]).all()


def test_fraud_is_validated_and_given_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="fraud"):
        UniverseParams(enterprises=300, seed=1, fraud="extreme")
    runner = CliRunner()
    out = tmp_path / "u"
    ran = runner.invoke(app, ["generate", "--enterprises", "300", "--fraud", "hard", "--out", str(out), "--json"])
    assert ran.exit_code == 0, ran.output
    result = json.loads(ran.stdout)
    assert result["fraud"] == "hard"
    assert result["truth_rows"]["decoys"] > 0
    bad = runner.invoke(app, ["generate", "--enterprises", "300", "--fraud", "extreme", "--out", str(tmp_path / "v")])
    assert bad.exit_code != 0
    assert "fraud" in bad.output
