"""Drift scenarios against truth: each shifts what it says, only from its shift date and only in its segment.

A scenario universe is compared with the same seed's universe without one: the downturn and the bureau's new
scale draw nothing more, so everything outside their effect is equal row for row; the fraud wave draws its
rings from a stream of its own, so its base rings are the same ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.domain.tables import TABLES
from riskloop.errors import ValidationError
from riskloop.synth.collection_tables import TRUTH_SCHEMAS as COLLECTION_TRUTH
from riskloop.synth.documents import TRUTH_SCHEMAS as DOCUMENT_TRUTH
from riskloop.synth.future_scale import TRUTH_SCHEMAS as FUTURE_TRUTH
from riskloop.synth.params import UniverseParams
from riskloop.synth.scenario import BUREAU_CENTRE, BUREAU_STRETCH, Scenario
from riskloop.synth.universe import generate_universe

N, SEED, CHUNK = 3000, 5, 1500
SHIFT = dt.date(2025, 10, 1)  # the default for the default as-of (2026-06-30)
SHIFT_DAY = np.datetime64(SHIFT, "D")
# Content of the 300-enterprise universe of seed 1 (every table, history and truth file, by value, floats to 6
# significant digits): generator 1.3.0 wrote the same, so a universe without a scenario is unchanged by 1.4.0.
# (The full-precision digest, 21f1d4ff..., held on the machine it was taken on, not on an AMD EPYC without AVX-512.)
NO_SCENARIO_CONTENT = "feb058d6cd955f2dc39a3bfaeb4cc7a2c8d8d6afff847ef44de05ac2cf942024"


def _generate(root: Path, name: str, scenario: Scenario | None = None) -> Path:
    out = root / name
    extra = {"scenario": scenario} if scenario else {}
    generate_universe(UniverseParams(enterprises=N, seed=SEED, chunk_size=CHUNK, **extra), out, workers=1)
    return out


@pytest.fixture(scope="module")
def universes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scenarios")
    return {
        "none": _generate(root, "none"),
        "downturn": _generate(root, "downturn", Scenario("industry_downturn", magnitude=3.0)),
        "wave": _generate(root, "wave", Scenario("fraud_wave")),
        "bureau": _generate(root, "bureau", Scenario("bureau_policy_change")),
    }


def table(root: Path, name: str) -> pa.Table:
    return pq.read_table(root / "tables" / name)


def truth(root: Path, name: str) -> pa.Table:
    return pq.read_table(root / "truth" / f"{name}.parquet")


# Collection's tables and truth (generator 1.6.0) are new files beside the old ones: the digest is of the old ones.
COLLECTION_FILES = (*(t.name for t in TABLES if t.name.startswith(("collection_", "call_"))), *COLLECTION_TRUTH)
# So are the risk documents' tables and truth (text -> risk tags).
COLLECTION_FILES += ("risk_documents", "document_reviews", *DOCUMENT_TRUTH)
# And each enterprise's true future (truth only, generator 1.9.0).
COLLECTION_FILES += tuple(FUTURE_TRUTH)


def content_digest(root: Path) -> str:
    """sha256 over every data file's values (not its bytes: independent of the Parquet writer's version).

    Floats count to 6 significant digits: numpy's exp and log differ in the last bits between CPUs (vectorised
    paths), which says nothing about the generator. Collection's files (new in 1.6.0) are left out.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.parquet") if not _collection(root, p)):
        digest.update(str(path.relative_to(root)).encode())
        t = pq.read_table(path)
        for name in t.column_names:
            digest.update(name.encode())
            values = [f"{v:.6g}" if isinstance(v, float) else v for v in t[name].to_pylist()]
            digest.update(repr(values).encode())
    return digest.hexdigest()


def _collection(root: Path, path: Path) -> bool:
    """A file new since 1.5.0: collection's, the platform's registration log and its truth, or the bank exports'
    consumer invoices and bureau loan detail (issue 17)."""
    parts = path.relative_to(root).parts
    if parts[0] == "events" or parts == ("truth", "registration_attacks.parquet"):
        return True
    if parts[:2] == ("tables", "credit_report_loans") or (
        parts[:2] == ("tables", "invoices") and parts[2].startswith("consumers-")
    ):
        return True
    return (parts[0] == "tables" and parts[1] in COLLECTION_FILES) or (
        parts == ("truth", path.name) and path.stem in COLLECTION_FILES
    )


def with_flags(root: Path) -> pa.Table:
    """Applications with their scenario truth, time and outcome."""
    apps = table(root, "applications").select(["application_id", "credit_code", "applied_at"])
    flags = truth(root, "scenario_applications")
    outcome = truth(root, "applications").select(["application_id", "defaulted", "is_fraud", "ring_id"])
    return apps.join(flags, "application_id").join(outcome, "application_id").sort_by("application_id")


def test_no_scenario_leaves_every_file_as_before(tmp_path: Path) -> None:
    out = tmp_path / "u"
    summary = generate_universe(UniverseParams(enterprises=300, seed=1), out, workers=1)
    assert content_digest(out) == NO_SCENARIO_CONTENT
    assert sorted(p.name for p in (out / "truth").iterdir()) == sorted(f"{n}.parquet" for n in summary.truth_rows)
    assert len(summary.truth_rows) == 6 + len(COLLECTION_TRUTH) + len(DOCUMENT_TRUTH) + 1 + len(
        FUTURE_TRUTH
    )  # and the registration attacks
    assert "scenario" not in summary.manifest
    assert set(summary.manifest["parameters"]) == {"enterprises", "seed", "as_of", "chunk_size"}


def test_scenario_truth_and_manifest(universes: dict[str, Path]) -> None:
    root = universes["downturn"]
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        "name": "industry_downturn",
        "shift_date": SHIFT.isoformat(),
        "magnitude": 3.0,
        "segment": "enterprises of the affected industry sections",
        "sections": ["C", "E"],
    }
    assert manifest["scenario"] == expected
    assert manifest["parameters"]["scenario"] == expected
    assert truth(root, "scenario").to_pylist() == [
        {
            "scenario": "industry_downturn",
            "shift_date": SHIFT,
            "magnitude": 3.0,
            "segment": expected["segment"],
            "sections": "C,E",
        }
    ]
    flags = with_flags(root)
    assert flags.num_rows == table(root, "applications").num_rows
    day = np.array(flags["applied_at"].to_numpy(), dtype="datetime64[D]")
    assert np.array_equal(flags["after_shift"].to_numpy(), day >= SHIFT_DAY)
    sections = table(root, "enterprises").select(["credit_code", "industry_section"])
    joined = flags.join(sections, "credit_code")
    in_sections = pc.is_in(joined["industry_section"], pa.array(["C", "E"])).to_numpy(zero_copy_only=False)
    assert np.array_equal(joined["in_segment"].to_numpy(), in_sections)
    assert np.array_equal(
        joined["affected"].to_numpy(), joined["in_segment"].to_numpy() & joined["after_shift"].to_numpy()
    )


def test_downturn_raises_defaults_only_after_the_shift_in_its_sections(universes: dict[str, Path]) -> None:
    base, shifted = universes["none"], universes["downturn"]
    assert table(shifted, "applications").equals(table(base, "applications"))  # same applicants, same features
    assert table(shifted, "bureau_scores").equals(table(base, "bureau_scores"))  # the bureau does not see it
    flags = with_flags(shifted)
    before = truth(base, "applications").sort_by("application_id")["defaulted"].to_numpy()
    after = flags["defaulted"].to_numpy()
    affected = flags["affected"].to_numpy()
    assert np.array_equal(after[~affected], before[~affected])  # everyone else: the same outcome
    assert np.all(after[affected] >= before[affected])  # same draw, higher hazard
    assert after[affected].mean() > before[affected].mean() + 0.05


def test_downturn_cuts_revenue_of_its_sections_from_the_shift(universes: dict[str, Path]) -> None:
    base, shifted = universes["none"], universes["downturn"]

    def vat(root: Path) -> pa.Table:
        t = table(root, "tax_declarations")
        t = t.filter(pc.equal(t["tax_type"], "VAT")).select(["credit_code", "period", "declared_revenue_cents"])
        return t.join(table(root, "enterprises").select(["credit_code", "industry_section"]), "credit_code")

    old = vat(base).rename_columns(["credit_code", "period", "old", "industry_section"])
    new = vat(shifted).rename_columns(["credit_code", "period", "new", "industry_section"]).drop(["industry_section"])
    both = old.join(new, ["credit_code", "period"])
    assert both.num_rows == old.num_rows == new.num_rows  # the same declarations, other amounts
    both = both.filter(pc.greater(pc.field("old"), 0))  # zero declarations stay zero
    # a borrower the downturn turned into a defaulter deteriorates as well: compare the others
    old_out, new_out = truth(base, "applications"), truth(shifted, "applications")
    turned = old_out.join(new_out, "application_id", right_suffix="_new")
    turned = turned.filter(pc.not_equal(turned["defaulted"], turned["defaulted_new"]))["credit_code"]
    assert len(turned) > 0
    both = both.filter(pc.invert(pc.is_in(both["credit_code"], turned)))
    ratio = pc.divide(pc.cast(both["new"], pa.float64()), pc.cast(both["old"], pa.float64())).to_numpy()
    period = np.array(both["period"].to_numpy(), dtype="datetime64[D]")
    hit = pc.is_in(both["industry_section"], pa.array(["C", "E"])).to_numpy(zero_copy_only=False)
    mid_after = period + np.timedelta64(14, "D") >= SHIFT_DAY
    assert np.allclose(ratio[~(hit & mid_after)], 1.0, atol=1e-6)  # other sections, earlier months: unchanged
    full = hit & (period >= SHIFT_DAY + np.timedelta64(92, "D"))  # the loss has built up: 3 x 25 % = 75 %
    assert full.sum() > 100
    assert np.allclose(ratio[full], 0.25, atol=0.01)
    ramp = hit & mid_after & ~full
    assert np.all((ratio[ramp] < 1.0) & (ratio[ramp] > 0.24))


def test_downturn_carries_on_into_each_enterprises_true_future(universes: dict[str, Path]) -> None:
    base, shifted = universes["none"], universes["downturn"]
    sections = table(base, "enterprises").select(["credit_code", "industry_section"])
    old_out, new_out = truth(base, "prospect_outcomes"), truth(shifted, "prospect_outcomes")
    outcomes = old_out.join(new_out, "credit_code", right_suffix="_new").join(sections, "credit_code")
    hit = pc.is_in(outcomes["industry_section"], pa.array(["C", "E"])).to_numpy(zero_copy_only=False)
    old_default = outcomes["defaulted_12m"].to_numpy(zero_copy_only=False)
    new_default = outcomes["defaulted_12m_new"].to_numpy(zero_copy_only=False)
    assert not (old_default & ~new_default).any()  # the same draws: a higher hazard only adds defaults
    assert new_default[hit].mean() > old_default[hit].mean() + 0.02
    assert (new_default[~hit] == old_default[~hit]).all()
    # firms performing in both universes and through their loans: the full loss, all year, and nothing else
    apps = truth(base, "applications").join(truth(shifted, "applications"), "application_id", right_suffix="_new")
    turned = apps.filter(pc.not_equal(apps["defaulted"], apps["defaulted_new"]))["credit_code"]
    calm = ~old_default & ~new_default & ~pc.is_in(outcomes["credit_code"], turned).to_numpy(zero_copy_only=False)
    keep = pa.array(calm & (outcomes["sales_next_12m_cents"].to_numpy() > 0))
    months = truth(base, "future_scale").join(
        truth(shifted, "future_scale"), ["credit_code", "month"], right_suffix="_new"
    )
    months = months.join(sections, "credit_code")
    months = months.filter(pc.is_in(months["credit_code"], outcomes["credit_code"].filter(keep)))
    ratio = pc.divide(pc.cast(months["sales_cents_new"], pa.float64()), pc.cast(months["sales_cents"], pa.float64()))
    in_hit = pc.is_in(months["industry_section"], pa.array(["C", "E"])).to_numpy(zero_copy_only=False)
    assert in_hit.sum() > 1000
    assert np.allclose(ratio.to_numpy()[in_hit], 0.25, atol=0.01)
    assert np.allclose(ratio.to_numpy()[~in_hit], 1.0, atol=1e-6)


def test_fraud_wave_adds_rings_only_after_the_shift(universes: dict[str, Path]) -> None:
    base, wave = universes["none"], universes["wave"]
    rings, base_rings = truth(wave, "rings"), truth(base, "rings")
    flags = with_flags(wave)
    fraud = flags["is_fraud"].to_numpy()
    affected = flags["affected"].to_numpy()
    assert np.array_equal(flags["in_segment"].to_numpy(), fraud)
    wave_rings = set(flags.filter(pa.array(affected))["ring_id"].to_pylist())
    assert wave_rings.isdisjoint(base_rings["ring_id"].to_pylist())  # the base rings are kept, the wave adds
    assert set(base_rings["ring_id"].to_pylist()) <= set(rings["ring_id"].to_pylist())
    starts = rings.filter(pc.is_in(rings["ring_id"], pa.array(sorted(wave_rings))))["window_start"]
    assert pc.min(starts).as_py().date() >= SHIFT
    assert np.all(flags["after_shift"].to_numpy()[affected])
    after = flags["after_shift"].to_numpy()
    base_flags = truth(base, "applications").join(table(base, "applications"), "application_id")
    base_day = np.array(base_flags["applied_at"].to_numpy(), dtype="datetime64[D]")
    base_fraud = base_flags["is_fraud"].to_numpy()
    assert (fraud & after).sum() >= 2 * (base_fraud & (base_day >= SHIFT_DAY)).sum()  # arrivals at least triple
    assert (fraud & ~after).sum() == (base_fraud & (base_day < SHIFT_DAY)).sum()  # the same rings before
    # the wave's rings carry the ring artefacts: a shared-contact ring applies from one phone
    members = table(wave, "applications").join(
        truth(wave, "ring_members").select(["application_id", "ring_id"]), "application_id"
    )
    shapes = rings.select(["ring_id", "shape"])
    shared = members.join(shapes, "ring_id").filter(pc.equal(pc.field("shape"), "shared_contact"))
    shared = shared.filter(pc.is_in(shared["ring_id"], pa.array(sorted(wave_rings))))
    assert shared.num_rows > 0
    phones = shared.group_by("ring_id").aggregate([("phone", "count_distinct")])
    assert set(phones["phone_count_distinct"].to_pylist()) == {1}


def test_fraud_wave_leaves_honest_applicants_alike(universes: dict[str, Path]) -> None:
    def honest(root: Path) -> tuple[int, float]:
        t = truth(root, "applications")
        t = t.filter(pc.invert(t["is_fraud"]))
        return t.num_rows, float(pc.mean(pc.cast(t["defaulted"], pa.float64())).as_py())

    (n0, bad0), (n1, bad1) = honest(universes["none"]), honest(universes["wave"])
    assert abs(n1 - n0) <= 0.03 * n0  # a few firms became ring members
    assert abs(bad1 - bad0) < 0.02


def test_bureau_policy_change_rescales_scores_from_the_shift_and_nothing_else(universes: dict[str, Path]) -> None:
    base, shifted = universes["none"], universes["bureau"]
    for name in ("applications", "loans", "repayments"):  # same applicants; approvals read the former scale
        assert table(shifted, name).equals(table(base, name)), name
    assert truth(shifted, "applications").equals(truth(base, "applications"))  # the same risk
    old = table(base, "bureau_scores").sort_by("application_id")
    new = table(shifted, "bureau_scores").sort_by("application_id")
    flags = with_flags(shifted)
    after = flags["after_shift"].to_numpy()
    assert np.array_equal(flags["affected"].to_numpy(), after)
    o, s = old["score"].to_numpy(), new["score"].to_numpy()
    assert np.array_equal(s[~after], o[~after])
    inside = after & (o > 340) & (o < 840)  # away from the clip at 300 and 950 on either scale
    expected = 640 + BUREAU_CENTRE + (1 + BUREAU_STRETCH) * (o[inside] - 640)
    assert np.all(np.abs(s[inside] - expected) <= 0.5 + 0.5 * (1 + BUREAU_STRETCH))  # both rounded from one score


def test_seed_reproduces_a_scenario(tmp_path: Path, universes: dict[str, Path]) -> None:
    again = _generate(tmp_path, "again", Scenario("fraud_wave"))
    assert (
        json.loads((again / "manifest.json").read_text())["files"]
        == json.loads((universes["wave"] / "manifest.json").read_text())["files"]
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "recession"}, "scenario"),
        ({"name": "fraud_wave", "magnitude": 0.0}, "magnitude"),
        ({"name": "industry_downturn", "sections": ("Z",)}, "sections"),
        ({"name": "none", "shift_date": SHIFT}, "shift_date"),
        ({"name": "none", "magnitude": 2.0}, "magnitude"),
        ({"name": "fraud_wave", "sections": ("K",)}, "sections"),
    ],
)
def test_bad_scenarios_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Scenario(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_shift_outside_the_application_window_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        UniverseParams(enterprises=10, seed=1, scenario=Scenario("fraud_wave", shift_date=dt.date(2026, 6, 1)))
    assert caught.value.field == "shift_date"
    assert "must lie between 2025-03-07 and 2026-04-01" in caught.value.problem


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "recession"], "scenario: 'recession' is not one of none, industry_downturn, fraud_wave"),
        (["--scenario", "fraud_wave", "--shift-date", "2026-13-01"], "shift_date: '2026-13-01' is not a date"),
        (["--scenario", "fraud_wave", "--shift-date", "2020-01-01"], "shift_date: 2020-01-01 must lie between"),
        (["--scenario", "industry_downturn", "--sections", "C,Q9"], "sections: unknown section(s) Q9"),
        (["--scenario", "fraud_wave", "--sections", "K"], "sections: only applies to industry_downturn"),
        (["--magnitude", "2"], "magnitude: only applies with a scenario"),
    ],
)
def test_cli_refuses_bad_scenario_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "home"),
            "generate",
            "--enterprises",
            "10",
            "--out",
            str(tmp_path / "u"),
            *args,
            "--json",
        ],
    )
    assert result.exit_code != 0
    assert result.stdout == ""
    assert json.loads(result.stderr)["message"].startswith(message)
    assert not (tmp_path / "u").exists()


def test_cli_generates_a_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "home"),
            "generate",
            "--enterprises",
            "400",
            "--out",
            str(tmp_path / "u"),
            "--scenario",
            "bureau_policy_change",
            "--shift-date",
            "2025-12-01",
            "--magnitude",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scenario"] == {
        "name": "bureau_policy_change",
        "shift_date": "2025-12-01",
        "magnitude": 2.0,
        "segment": "every application (its bureau score)",
    }
    assert out["truth_rows"]["scenario"] == 1
    assert out["truth_rows"]["scenario_applications"] == out["rows"]["applications"]
