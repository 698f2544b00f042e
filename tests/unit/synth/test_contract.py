import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from riskloop.domain.identifiers import is_valid_resident_id, is_valid_uscc
from riskloop.domain.tables import TABLES, TABLES_BY_NAME, Column, Table
from riskloop.io.arrow_schema import arrow_schema
from riskloop.synth.collection_tables import TRUTH_SCHEMAS as COLLECTION_TRUTH
from riskloop.synth.documents import TRUTH_SCHEMAS as DOCUMENT_TRUTH
from riskloop.synth.future_scale import TRUTH_SCHEMAS as FUTURE_TRUTH
from riskloop.synth.params import DEFAULT_AS_OF
from riskloop.synth.truth import TRUTH_SCHEMAS
from riskloop.synth.writer import WRITTEN_LAYOUTS

TRUTH_ONLY = {
    "latent_score",
    "pd_12m",
    "is_shell",
    "defaulted",
    "default_date",
    "is_fraud",
    "ring_id",
    "lead_days",
    "deterioration_start",
    "window_start",
    "window_end",
    "shape",
    "related_party_transfers",
    "revenue_drop",
    "contagion",
    # collection (generator 1.6.0): the debtors' latent traits and every arm's response
    "debtor_type",
    "capacity",
    "willingness",
    "evening_affinity",
    "loan_defaults",
    "p_promise",
    "p_cure",
    "expected_paid_cents",
    "p_complaint",
    # each enterprise's true future (generator 1.9.0)
    "sales_next_12m_cents",
    "growth_12m",
    "defaulted_12m",
    "borrows_12m",
}
_FORMAT_SQL = {
    "phone": r"regexp_full_match({c}, '1[3-9][0-9]{{9}}')",
    "ip": r"regexp_full_match({c}, '(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){{3}}')",
    "email": r"regexp_full_match({c}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]+')",
    "month_start": "day({c}) = 1",
}


def _parts(root: Path, name: str) -> str:
    return f"read_parquet('{root}/tables/{name}/*.parquet', union_by_name = true)"


def _checks(col: Column) -> list[str]:
    c = f'"{col.name}"' if col.default is None else f"coalesce(\"{col.name}\", '{col.default}')"
    out = [] if col.nullable else [f"{c} IS NOT NULL"]
    if col.values:
        out.append(f"{c} IN ({', '.join(repr(v) for v in col.values)})")
    if col.min is not None:
        out.append(f"{c} >= {col.min}")
    if col.max is not None:
        out.append(f"{c} <= {col.max}")
    if col.max_length is not None:
        out.append(f"length({c}) <= {col.max_length}")
    if col.not_future:
        out.append(f"{c}::DATE <= DATE '{DEFAULT_AS_OF}'")
    if col.format in _FORMAT_SQL:
        out.append(_FORMAT_SQL[col.format].format(c=c))
    return [f"({check}) OR {c} IS NULL" for check in out] if col.nullable else out


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_part_has_the_contract_schema(universe: Path, table: Table) -> None:
    parts = sorted((universe / "tables" / table.name).glob("part-*.parquet"))
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet"]
    for part in parts:  # a table that gained columns keeps its earlier layout in the usual parts
        assert pq.read_schema(part).remove_metadata() == WRITTEN_LAYOUTS.get(table.name, arrow_schema(table))


def test_consumer_invoices_are_an_extra_part_with_the_current_schema(universe: Path) -> None:
    parts = sorted((universe / "tables" / "invoices").glob("consumers-*.parquet"))
    assert [p.name for p in parts] == ["consumers-00000.parquet", "consumers-00001.parquet"]
    for part in parts:
        assert pq.read_schema(part).remove_metadata() == arrow_schema(TABLES_BY_NAME["invoices"])
    [counts] = duckdb.sql(
        f"SELECT count(*) FILTER (buyer_kind = 'consumer' AND buyer_code IS NULL), "
        f"count(*) FILTER (coalesce(buyer_kind, 'enterprise') = 'enterprise' AND buyer_code IS NOT NULL), count(*) "
        f"FROM {_parts(universe, 'invoices')}"
    ).fetchall()
    consumers, enterprises, total = counts
    assert consumers + enterprises == total
    assert 0.03 < consumers / total < 0.3


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_values_pass_the_contract_checks(universe: Path, table: Table) -> None:
    con = duckdb.connect()
    source = _parts(universe, table.name)
    rows = con.execute(f"SELECT count(*) FROM {source}").fetchone()
    assert rows is not None
    assert rows[0] > 0
    key = ", ".join(f'"{k}"' for k in table.key)
    dupes = con.execute(
        f"SELECT count(*) FROM (SELECT {key} FROM {source} GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    assert dupes == (0,), f"duplicate keys in {table.name}"
    for col in table.columns:
        for check in _checks(col):
            bad = con.execute(f"SELECT count(*) FROM {source} WHERE NOT ({check})").fetchone()
            assert bad == (0,), f"{table.name}.{col.name} fails {check}"
        if col.format in ("uscc", "resident_id") or col.name == "holder_id":
            values = [
                v
                for (v,) in con.execute(
                    f'SELECT DISTINCT "{col.name}" FROM {source} WHERE "{col.name}" IS NOT NULL'
                ).fetchall()
            ]
            valid = [is_valid_uscc(v) or (col.format != "uscc" and is_valid_resident_id(v)) for v in values]
            assert all(valid), f"{table.name}.{col.name} has malformed identifiers"
    con.close()


def test_invoice_numbers_are_20_digits(universe: Path) -> None:
    bad = duckdb.sql(
        f"SELECT count(*) FROM {_parts(universe, 'invoices')} WHERE NOT regexp_full_match(invoice_no, '[0-9]{{20}}')"
    ).fetchall()
    assert bad == [(0,)]


def test_references_resolve(universe: Path) -> None:
    con = duckdb.connect()
    t = lambda n: _parts(universe, n)  # noqa: E731
    checks = {
        "applications.credit_code": f"SELECT count(*) FROM {t('applications')} WHERE credit_code NOT IN "
        f"(SELECT credit_code FROM {t('enterprises')})",
        "applications.applicant_id": f"SELECT count(*) FROM {t('applications')} WHERE applicant_id NOT IN "
        f"(SELECT person_id FROM {t('persons')})",
        "enterprises.legal_rep_id": f"SELECT count(*) FROM {t('enterprises')} WHERE legal_rep_id NOT IN "
        f"(SELECT person_id FROM {t('persons')})",
        "loans.application_id": f"SELECT count(*) FROM {t('loans')} WHERE application_id NOT IN "
        f"(SELECT application_id FROM {t('applications')})",
        "invoices.buyer_code": f"SELECT count(*) FROM {t('invoices')} WHERE buyer_code IS NOT NULL AND "
        "buyer_code NOT IN "
        f"(SELECT credit_code FROM {t('enterprises')})",
        "document_reviews.doc_id": f"SELECT count(*) FROM {t('document_reviews')} WHERE doc_id NOT IN "
        f"(SELECT doc_id FROM {t('risk_documents')})",
        "risk_documents.credit_code": f"SELECT count(*) FROM {t('risk_documents')} WHERE credit_code NOT IN "
        f"(SELECT credit_code FROM {t('enterprises')})",
        "applications.product_code": f"SELECT count(*) FROM {t('applications')} WHERE product_code NOT IN "
        f"(SELECT product_code FROM {t('loan_products')})",
    }
    for name, sql in checks.items():
        assert con.execute(sql).fetchone() == (0,), name


def test_schedules_repay_the_principal(universe: Path) -> None:
    bad = duckdb.sql(
        f"SELECT count(*) FROM {_parts(universe, 'loans')} l JOIN (SELECT loan_id, sum(principal_due_cents) p "
        f"FROM {_parts(universe, 'repayment_schedules')} GROUP BY loan_id) s USING (loan_id) "
        "WHERE s.p <> l.principal_cents"
    ).fetchall()
    assert bad == [(0,)]


def test_no_truth_column_leaks_into_tables(universe: Path) -> None:
    for table in TABLES:
        assert not TRUTH_ONLY & set(table.column_names), table.name
        assert not re.search("truth", str(universe / "tables" / table.name))
    expected = sorted(
        f"{n}.parquet"
        for n in [*TRUTH_SCHEMAS, *COLLECTION_TRUTH, *DOCUMENT_TRUTH, "registration_attacks", *FUTURE_TRUTH]
    )
    assert sorted(p.name for p in (universe / "truth").iterdir()) == expected
