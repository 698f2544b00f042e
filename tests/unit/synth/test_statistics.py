from pathlib import Path

import duckdb

from riskloop.domain.address import normalize_address
from riskloop.synth.rings import BASE_SHAPES

from .conftest import STATS_N


def _one(sql: str) -> float:
    rows = duckdb.sql(sql).fetchall()
    return float(rows[0][0])


def test_application_bad_rate_and_volume(universe: Path) -> None:
    truth = f"'{universe}/truth/applications.parquet'"
    assert 0.03 <= _one(f"SELECT avg(defaulted::INT) FROM {truth}") <= 0.08
    assert 0.25 <= _one(f"SELECT count(*) FROM {truth}") / STATS_N <= 0.35
    approved = _one(f"SELECT count(*) FROM '{universe}/tables/loans/*.parquet'") / _one(f"SELECT count(*) FROM {truth}")
    assert 0.6 <= approved <= 0.75
    fraud_bad = _one(f"SELECT avg(defaulted::INT) FROM {truth} WHERE is_fraud")
    assert fraud_bad > 3 * _one(f"SELECT avg(defaulted::INT) FROM {truth} WHERE NOT is_fraud")


def test_firm_marginals(universe: Path) -> None:
    firms = f"read_parquet('{universe}/tables/enterprises/*.parquet')"
    shares = dict(duckdb.sql(f"SELECT industry_section, count(*) / {STATS_N} FROM {firms} GROUP BY 1").fetchall())
    assert max(shares, key=shares.__getitem__) == "F"  # GB/T 4754-2017: F is wholesale and retail
    assert 0.35 <= shares["F"] <= 0.45
    assert shares["C"] > 0.05
    assert shares["E"] > 0.03
    assert shares["H"] > 0.05
    assert 0.35 <= _one(f"SELECT avg((kind = 'individual_business')::INT) FROM {firms}") <= 0.45
    assert _one(f"SELECT min(registered_capital_cents) FROM {firms}") >= 1_000_000
    assert _one(f"SELECT max(registered_capital_cents) FROM {firms}") <= 5_000_000_000
    assert _one(f"SELECT avg((established_date > DATE '2025-06-30')::INT) FROM {firms}") > 0.03


def test_rings_of_every_shape_with_distinct_companies(universe: Path) -> None:
    rings = duckdb.sql(f"SELECT shape, count(*) FROM '{universe}/truth/rings.parquet' GROUP BY 1").fetchall()
    counts = dict(rings)
    assert set(counts) == set(BASE_SHAPES)  # a standard universe: the base shapes only
    assert all(c >= 2 for c in counts.values())
    assert 20 <= sum(counts.values()) <= 60  # one ring per 400-1000 enterprises
    members = f"'{universe}/truth/ring_members.parquet'"
    assert (
        _one(
            f"SELECT count(*) FROM (SELECT ring_id FROM {members} GROUP BY 1 "
            "HAVING count(*) <> count(DISTINCT credit_code))"
        )
        == 0
    )


def test_nominee_rings_share_one_legal_representative(universe: Path) -> None:
    reps = duckdb.sql(
        f"SELECT r.ring_id, count(DISTINCT e.legal_rep_id) FROM '{universe}/truth/rings.parquet' r "
        f"JOIN '{universe}/truth/ring_members.parquet' m USING (ring_id) "
        f"JOIN read_parquet('{universe}/tables/enterprises/*.parquet') e USING (credit_code) "
        "WHERE r.shape = 'nominee_rep' GROUP BY 1"
    ).fetchall()
    assert reps
    assert all(n == 1 for _, n in reps)


def test_shared_contact_rings_share_phone_and_place(universe: Path) -> None:
    rows = duckdb.sql(
        f"SELECT m.ring_id, a.phone, a.address FROM '{universe}/truth/rings.parquet' r "
        f"JOIN '{universe}/truth/ring_members.parquet' m USING (ring_id) "
        f"JOIN read_parquet('{universe}/tables/applications/*.parquet') a USING (application_id) "
        "WHERE r.shape = 'shared_contact'"
    ).fetchall()
    by_ring: dict[str, list[tuple[str, str]]] = {}
    for ring, phone, address in rows:
        by_ring.setdefault(ring, []).append((phone, address))
    assert by_ring
    for members in by_ring.values():
        assert len({p for p, _ in members}) == 1
        assert len({normalize_address(a) for _, a in members}) == 1
    assert any(len({a for _, a in m}) > 1 for m in by_ring.values())  # written in variants


def test_legitimate_hubs_are_shared_by_honest_applicants(universe: Path) -> None:
    apps = f"read_parquet('{universe}/tables/applications/*.parquet')"
    truth = f"'{universe}/truth/applications.parquet'"
    top_ip = _one(
        f"SELECT max(n) FROM (SELECT ip, count(*) n FROM {apps} JOIN {truth} USING (application_id) "
        "WHERE NOT is_fraud GROUP BY ip)"
    )
    assert top_ip >= 20


def test_deterioration_precedes_default(universe: Path) -> None:
    loans = f"'{universe}/truth/loans.parquet'"
    assert _one(f"SELECT min(lead_days) FROM {loans} WHERE defaulted") >= 7
    assert _one(f"SELECT avg(lead_days) FROM {loans} WHERE defaulted") >= 30


_INFLOW_RATIO = """
WITH w AS ({windows}),
x AS (SELECT credit_code, CAST(ts AS DATE) AS day, amount_cents
      FROM read_parquet('{u}/tables/account_transactions/*.parquet') WHERE amount_cents > 0),
r AS (
  SELECT w.credit_code,
         sum(x.amount_cents) FILTER (WHERE x.day >= w.s AND x.day < w.e) / greatest(date_diff('day', w.s, w.e), 1)
             AS during,
         sum(x.amount_cents) FILTER (WHERE x.day >= w.s - INTERVAL 90 DAY AND x.day < w.s) / 90.0 AS before
  FROM w JOIN x USING (credit_code) GROUP BY w.credit_code, w.s, w.e)
SELECT median(during / nullif(before, 0)) FROM r
"""


def test_account_inflows_fall_before_default_and_not_otherwise(universe: Path) -> None:
    loans = (
        f"'{universe}/truth/loans.parquet' t JOIN read_parquet('{universe}/tables/loans/*.parquet') l USING (loan_id)"
    )
    as_of = "DATE '2026-06-30'"
    defaulted = (
        f"SELECT l.credit_code, t.deterioration_start AS s, least(t.default_date, {as_of}) AS e FROM {loans} "
        f"WHERE t.defaulted AND t.deterioration_start < {as_of} - INTERVAL 30 DAY"
    )
    healthy = (
        f"SELECT l.credit_code, l.disbursed_date + INTERVAL 120 DAY AS s, l.disbursed_date + INTERVAL 180 DAY AS e "
        f"FROM {loans} WHERE NOT t.defaulted AND l.disbursed_date + INTERVAL 180 DAY < {as_of}"
    )
    falling = _one(_INFLOW_RATIO.format(windows=defaulted, u=universe))
    steady = _one(_INFLOW_RATIO.format(windows=healthy, u=universe))
    print(f"inflow ratio: defaulted {falling:.3f}, healthy {steady:.3f}")
    assert falling < 0.8  # observable deterioration precedes default
    assert 0.85 < steady < 1.2  # and healthy borrowers show no such drop


def test_post_loan_signals_precede_default_and_overlap(universe: Path) -> None:
    from riskloop.synth.signals import measure

    figures = measure(universe, "2026-06-30")
    for name in ("lawsuit_as_defendant", "transfer_to_person", "microlender_or_consumer_inquiry"):
        before, otherwise = figures[name]["defaulted_90d"], figures[name]["performing_90d"]
        assert before > 2 * otherwise, name  # observable ahead of default ...
        assert before < 0.9, name  # ... never certain
        assert otherwise > 0, name  # and healthy borrowers show it too: false alarms exist
    contagion = figures["guarantee_contagion"]
    assert contagion["guarantor_defaults_if_guaranteed_defaulted"] > 2 * contagion["otherwise"]
    drop = figures["vat_revenue_drop_30pct"]
    assert drop["defaulted_90d"] > drop["performing_90d"] > 0


def test_days_past_due_follow_due_and_paid_dates(universe: Path) -> None:
    bad = _one(
        f"SELECT count(*) FROM read_parquet('{universe}/tables/repayments/*.parquet') r "
        f"JOIN read_parquet('{universe}/tables/repayment_schedules/*.parquet') s USING (loan_id, installment_no) "
        "WHERE r.days_past_due <> greatest(date_diff('day', s.due_date, r.paid_date), 0)"
    )
    assert bad == 0
    # a paid instalment's parts add up to what was due
    short = _one(
        f"SELECT count(*) FROM (SELECT loan_id, installment_no, sum(amount_cents) p "
        f"FROM read_parquet('{universe}/tables/repayments/*.parquet') GROUP BY 1, 2) r "
        f"JOIN read_parquet('{universe}/tables/repayment_schedules/*.parquet') s USING (loan_id, installment_no) "
        "WHERE r.p > s.principal_due_cents + s.interest_due_cents"
    )
    assert short == 0


def test_guarantees_reference_loans_and_persons(universe: Path) -> None:
    g = f"read_parquet('{universe}/tables/guarantees/*.parquet')"
    assert (
        _one(
            f"SELECT count(*) FROM {g} WHERE loan_id NOT IN (SELECT loan_id FROM "
            f"read_parquet('{universe}/tables/loans/*.parquet'))"
        )
        == 0
    )
    assert (
        _one(
            f"SELECT count(*) FROM {g} WHERE guarantor_person_id NOT IN (SELECT person_id FROM "
            f"read_parquet('{universe}/tables/persons/*.parquet'))"
        )
        == 0
    )
    assert _one(f"SELECT count(*) FROM {g} WHERE (guarantor_kind = 'person') <> (guarantor_person_id IS NOT NULL)") == 0
