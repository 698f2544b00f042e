"""ProspectDesk on in-memory ports: roles, audited reads of names, the CSV and XLSX exports, campaigns, conversion."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import doctest
import io

import pytest
from openpyxl import load_workbook

from riskloop.domain import industries
from riskloop.domain.clock import FixedClock
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import ForbiddenError, NotFoundError, ValidationError
from riskloop.io import sheets
from riskloop.service.prospect_desk import ProspectDesk
from riskloop.service.prospect_export import COLUMNS
from riskloop.testing.memory_prospects import MemoryCampaignApplications, MemoryProspectStore
from riskloop.testing.principals import person
from riskloop.testing.prospects import AS_OF, run_entry, sample_prospects, sample_run

NOW = dt.datetime(2026, 7, 2, 9, 0, tzinfo=dt.UTC)
ANDY, OTTO = person("andy", "analyst"), person("otto", "auditor")
REFUSED = [person("chan", "channel"), person("rita", "reviewer"), person("lisa", "list_keeper")]
ZH_HEADER = ["排名", "统一社会信用代码", "企业名称", "行业", "地区", "评分", "预测12个月销售增长(%)", "增长区间下限(%)",
             "增长区间上限(%)", "近12个月销售额(元)", "违约概率(PD)", "纳税信用等级", "推荐理由", "推荐产品",
             "参考额度(元)", "期限(月)", "年利率区间(%)"]  # fmt: skip


@pytest.fixture
def store() -> MemoryProspectStore:
    store = MemoryProspectStore()
    ranked = sample_prospects(9)
    ranked[1] = dataclasses.replace(ranked[1], name='=HYPERLINK("http://x")')  # a name a spreadsheet would run
    run = sample_run("R1", 9)
    store.save_run(run, ranked, run_entry(run))
    return store


@pytest.fixture
def apps() -> MemoryCampaignApplications:
    return MemoryCampaignApplications()


@pytest.fixture
def desk(store: MemoryProspectStore, apps: MemoryCampaignApplications) -> ProspectDesk:
    return ProspectDesk(store, apps, FixedClock(NOW), new_id=lambda now: f"CMP-{len(store._campaigns) + 1}")


def test_analysts_and_auditors_read_names_and_each_read_is_audited(desk: ProspectDesk, store) -> None:
    page = desk.prospects(OTTO, as_of=AS_OF, top=3, offset=2)
    assert [p.rank for p in page.prospects] == [3, 4, 5]
    assert page.total == 9
    assert page.prospects[0].name == "武汉市样例3号商贸有限公司"
    view = page.to_dict("en")["prospects"][0]
    assert view["industry"] == "F Wholesale and retail trade"
    assert view["reason_text"] == ["Sales forecast to grow strongly", "Tax credit grade A"]
    by_e = desk.prospects(ANDY, run_id="R1", industry="E")
    assert [p.rank for p in by_e.prospects] == [2, 6]
    assert by_e.total == 2
    reads = [(e.actor, e.action, e.entity_id, e.detail["rows"]) for e in store.audit_rows[1:]]
    assert reads == [("otto", "prospects.read", "R1", 3), ("andy", "prospects.read", "R1", 2)]


@pytest.mark.parametrize("who", REFUSED, ids=lambda p: p.name)
def test_other_roles_are_refused_and_see_nothing(desk: ProspectDesk, store, who) -> None:
    with pytest.raises(ForbiddenError):
        desk.prospects(who, as_of=AS_OF)
    with pytest.raises(ForbiddenError):
        desk.export(who, as_of=AS_OF)
    with pytest.raises(ForbiddenError):
        desk.latest_run(who)
    with pytest.raises(ForbiddenError):
        desk.create_campaign(who, run_id="R1", name="x", top=3)
    assert len(store.audit_rows) == 1  # the screening's row only


def test_a_missing_run_names_the_command_and_bad_filters_name_their_field(desk: ProspectDesk) -> None:
    with pytest.raises(NotFoundError, match=r"no prospect run for 2026-07-01 \(run: riskloop prospects screen"):
        desk.prospects(ANDY, as_of=dt.date(2026, 7, 1))
    with pytest.raises(NotFoundError, match="run_id"):
        desk.prospects(ANDY, run_id="R9")
    for kw, field in [({"run_id": "R1", "as_of": dt.date(2026, 7, 1)}, "run_id"), ({"top": 0}, "top"),
                      ({"offset": -1}, "offset")]:  # fmt: skip
        with pytest.raises(ValidationError) as err:
            desk.prospects(ANDY, **kw)
        assert err.value.field == field
    with pytest.raises(ValidationError) as err:
        desk.export(ANDY, fmt="pdf")
    assert err.value.field == "format"
    with pytest.raises(ValidationError) as err:
        desk.export(ANDY, lang="fr")
    assert err.value.field == "lang"
    with pytest.raises(ForbiddenError):
        desk.export(OTTO)  # auditors read; exporting is an analyst's


def test_the_csv_opens_with_chinese_headers_and_exact_values(desk: ProspectDesk, store) -> None:
    data = desk.export(ANDY, as_of=AS_OF, top=4)
    assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ZH_HEADER
    first, second = store.prospects("R1")[:2]
    assert rows[1] == ["1", first.credit_code, first.name, "C 制造业", "湖北省武汉市", f"{round(first.score, 4)}",
                       f"{round(first.growth_12m * 100, 1)}", f"{round(first.growth_12m_lo * 100, 1)}",
                       f"{round(first.growth_12m_hi * 100, 1)}", "1234567.89", "0.01", "A",
                       "预测未来12个月销售额增长显著；纳税信用等级A", "税易贷", "500000.00", "12",
                       "4.35-6.50"]  # fmt: skip
    assert rows[2][2] == "'" + second.name  # kept as text, never a formula
    assert rows[3][-4:] == ["", "", "", ""]  # no product fits the third
    assert rows[3][9] == "1234567.91"
    assert len(rows) == 5
    [export] = [e for e in store.audit_rows if e.action == "prospects.export"]
    assert (export.actor, export.detail["rows"], export.detail["format"]) == ("andy", 4, "csv")


def test_the_xlsx_opens_with_headers_in_either_language_and_numbers(desk: ProspectDesk, store) -> None:
    book = load_workbook(io.BytesIO(desk.export(ANDY, fmt="xlsx")), read_only=True)
    sheet = book["潜在客户"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ZH_HEADER
    assert len(rows) == 10
    first = store.prospects("R1")[0]
    assert rows[1][:3] == [1, first.credit_code, first.name]
    assert rows[1][9] == 1234567.89
    assert rows[1][14] == 500000.0
    assert rows[2][2] == store.prospects("R1")[1].name  # a string cell, not a formula
    english = load_workbook(io.BytesIO(desk.export(ANDY, fmt="xlsx", lang="en", industry="E")), read_only=True)
    rows = [list(r) for r in english["Prospects"].iter_rows(values_only=True)]
    assert rows[0] == [c.en for c in COLUMNS]
    assert [r[0] for r in rows[1:]] == [2, 6]
    assert rows[1][3] == "E Construction"
    assert rows[1][12] == "Sales forecast to grow strongly"


def test_a_campaign_takes_the_top_of_an_industry_or_given_codes(desk: ProspectDesk, store) -> None:
    ranked = store.prospects("R1")
    made = desk.create_campaign(ANDY, run_id="R1", name=" 第三季度 ", top=2, industry="C")
    assert (made.campaign_id, made.name, made.members, made.created_by, made.created_at) == (
        "CMP-1", "第三季度", 2, "andy", NOW)  # fmt: skip
    assert store.campaign_members("CMP-1") == {ranked[0].credit_code, ranked[4].credit_code}
    chosen = desk.create_campaign(ANDY, run_id="R1", name="branch", codes=[ranked[3].credit_code] * 2)
    assert chosen.members == 1
    assert desk.campaign(OTTO, "CMP-2") == chosen
    assert [e.action for e in store.audit_rows[-2:]] == ["campaign.create", "campaign.create"]
    for kw, field in [({"codes": ["91420100000000999X"]}, "codes"), ({"codes": []}, "codes"),
                      ({"codes": [ranked[0].credit_code], "top": 1}, "codes"), ({}, "top"),
                      ({"industry": "T"}, "industry"), ({"top": -1}, "top")]:  # fmt: skip
        with pytest.raises(ValidationError) as err:
            desk.create_campaign(ANDY, run_id="R1", name="x", **kw)
        assert err.value.field == field
    with pytest.raises(NotFoundError, match="run_id"):
        desk.create_campaign(ANDY, run_id="R9", name="x", top=1)
    with pytest.raises(ForbiddenError):
        desk.create_campaign(OTTO, run_id="R1", name="x", top=1)
    with pytest.raises(NotFoundError, match="campaign_id"):
        desk.campaign(ANDY, "CMP-9")


def test_conversion_counts_each_member_once_by_its_best_outcome(desk: ProspectDesk, store, apps) -> None:
    codes = [p.credit_code for p in store.prospects("R1")]
    desk.create_campaign(ANDY, run_id="R1", name="q3", top=5)
    apps.add("CMP-1", codes[0], "final", "declined")
    apps.add("CMP-1", codes[0], "final", "approved")  # declined, then approved on a second application
    apps.add("CMP-1", codes[1], "in_review", None)
    apps.add("CMP-1", codes[2], "final", "declined")
    apps.add(None, codes[3], "final", "approved")  # applied without naming the campaign
    apps.add("CMP-1", codes[7], "final", "approved")  # not a member: not the campaign's conversion
    conversion = desk.conversion(OTTO, "CMP-1")
    assert conversion.to_dict() == {"campaign_id": "CMP-1", "members": 5, "applied": 3, "approved": 1, "declined": 1,
                                    "pending": 1, "conversion_rate": 0.6}  # fmt: skip
    with pytest.raises(ForbiddenError):
        desk.conversion(person("chan", "channel"), "CMP-1")


def test_a_campaign_on_a_request_is_validated_and_left_out_of_older_inputs() -> None:
    base = {"application_id": "A1", "credit_code": "91420100000000001Y", "product_code": "HRT-TAX",
            "amount_cents": 5_000_000, "term_months": 12, "channel": "mobile"}  # fmt: skip
    assert "campaign_id" not in DecisionRequest(**base).to_dict()  # older inputs replay as they were
    assert DecisionRequest(**base, campaign_id="CMP-1").to_dict()["campaign_id"] == "CMP-1"
    with pytest.raises(ValidationError) as err:
        DecisionRequest(**base, campaign_id="C" * 41)
    assert err.value.field == "campaign_id"


@pytest.mark.parametrize("module", [industries, sheets], ids=lambda m: m.__name__)
def test_doctests(module) -> None:
    assert doctest.testmod(module).failed == 0
