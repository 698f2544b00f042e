"""Tags become point-in-time features: ``tag_documents`` writes ``text_tags``; the feature group counts by as-of."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from riskloop.errors import NotFoundError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS_BY_NAME
from riskloop.io.warehouse import Warehouse
from riskloop.scoring.reasons import ReasonCatalog
from riskloop.service.text_tags import tag_documents
from riskloop.service.train import tags_written, workspace_inputs
from riskloop.text.tagger import load_tagger

CODE, OTHER = "91350100M000100Y43", "91110000600037341L"
S, OTHER_NAME = "武汉珞喻科技有限公司", "北京华泰食品有限公司"
DOCS = [  # (doc_id, code, subject, type, published, body)
    ("D1", CODE, S, "enforcement", dt.date(2025, 3, 1), f"被执行人{S}拒不履行，本院决定将其纳入失信被执行人名单。"),
    ("D2", CODE, S, "penalty", dt.date(2026, 1, 10), f"当事人：{S}\n你单位超标排放大气污染物，依法处以罚款。"),
    ("D3", CODE, S, "news", dt.date(2026, 1, 20), f"经查询，{S}无欠税记录。{S}积极参与环保公益活动。"),
    ("D4", OTHER, OTHER_NAME, "news", dt.date(2026, 1, 5), f"与{OTHER_NAME}有业务往来的{S}已被列为失信被执行人。"),
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    wh = Warehouse(tmp_path / "warehouse")
    columns = ("doc_id", "credit_code", "subject_name", "doc_type", "published_date", "body")
    table = pa.table({c: [d[i] for d in DOCS] for i, c in enumerate(columns)})
    wh.append("risk_documents", table.append_column("title", pa.array(["t"] * len(DOCS))))
    return wh


def _features(wh: Warehouse, as_of: dt.date, code: str = CODE) -> dict[str, object]:
    spine = pa.table({"application_id": ["a"], "credit_code": [code], "as_of": pa.array([as_of], pa.date32())})
    row: dict[str, object] = DuckDBFeatureEngine(wh.root).compute(spine, [GROUPS_BY_NAME["text_tags"]]).to_pylist()[0]
    return row


def test_tags_are_written_with_their_evidence(warehouse: Warehouse) -> None:
    result = tag_documents(warehouse, load_tagger())
    assert result["by_tag"] == {"被执行": 1, "失信": 1, "环保处罚": 1}  # D3 negated and another sense; D4 another firm


def test_features_count_only_documents_published_before_as_of(warehouse: Warehouse) -> None:
    tag_documents(warehouse, load_tagger())
    before = _features(warehouse, dt.date(2026, 1, 10))  # D2 published that day: not yet
    assert before["tag_enforcement_docs_24m"] == 1
    assert before["tag_enforcement_days_since"] == 315
    assert before["tag_regulatory_docs_24m"] == 0
    assert before["tag_regulatory_days_since"] is None
    after = _features(warehouse, dt.date(2026, 1, 11))
    assert after["tag_regulatory_docs_24m"] == 1
    assert after["tag_regulatory_days_since"] == 1
    later = _features(warehouse, dt.date(2027, 3, 2))  # D1 falls out of the 24-month window, recency stays
    assert later["tag_enforcement_docs_24m"] == 0
    assert later["tag_enforcement_days_since"] == 731
    assert _features(warehouse, dt.date(2026, 6, 1), OTHER)["tag_enforcement_docs_24m"] == 0


def test_every_tag_feature_has_a_reason_code() -> None:
    catalog = ReasonCatalog.default()
    for feature in GROUPS_BY_NAME["text_tags"].feature_names:
        entry = catalog.entry("text_tags", feature)
        assert entry.code.startswith("TAG_")


def test_tagging_without_documents_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="riskloop ingest"):
        tag_documents(Warehouse(tmp_path), load_tagger())


def test_tags_become_a_model_source_once_written(warehouse: Warehouse) -> None:
    spine = pa.table({"application_id": ["a"], "credit_code": [CODE], "as_of": pa.array([dt.date(2026, 6, 1)])})
    before = DuckDBFeatureEngine(warehouse.root).compute(spine, [GROUPS_BY_NAME["text_tags"]]).to_pandas()
    assert not tags_written(before)  # no `riskloop text tag` yet: a workspace trains as before
    assert "text_tags" not in {s.name for s in workspace_inputs(before.columns, cross=False)[0]}
    tag_documents(warehouse, load_tagger())
    after = DuckDBFeatureEngine(warehouse.root).compute(spine, [GROUPS_BY_NAME["text_tags"]]).to_pandas()
    assert tags_written(after)
    sources, _ = workspace_inputs(after.columns, cross=False, tagged=tags_written(after))
    [text] = [s for s in sources if s.name == "text_tags"]
    assert text.features == GROUPS_BY_NAME["text_tags"].feature_names
    assert text.monotone["tag_enforcement_docs_24m"] == 1
