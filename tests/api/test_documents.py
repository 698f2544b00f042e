"""``POST /v1/documents/tag``: an analyst gets a document's risk tags with their evidence; others are refused."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from riskloop.testing.api_keys import Caller

S = "武汉珞喻科技有限公司"
JUDGMENT = {
    "subject_name": S,
    "doc_type": "judgment",
    "body": f"原告：北京华泰食品有限公司\n被告：{S}\n原告北京华泰食品有限公司诉被告{S}民间借贷纠纷一案，本院依法审理。",
}


def test_an_analyst_gets_the_tags_and_their_evidence(as_: Callable[[str], Caller]) -> None:
    response = as_("cat").post("/v1/documents/tag", json=JUDGMENT)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["tagger"] == "tag-lexicon-v2"  # no active model: the rules alone
    [tag] = out["tags"]
    assert (tag["tag"], tag["evidence"], tag["source"]) == ("借贷纠纷", "民间借贷纠纷", "rules")
    assert JUDGMENT["body"][tag["start"] : tag["end"]] == tag["evidence"]


def test_the_plaintiff_gets_no_tag(as_: Callable[[str], Caller]) -> None:
    response = as_("cat").post("/v1/documents/tag", json={**JUDGMENT, "subject_name": "北京华泰食品有限公司"})
    assert response.status_code == 200
    assert response.json()["tags"] == []


def test_other_roles_and_bad_documents_are_refused(client: TestClient, as_: Callable[[str], Caller]) -> None:
    assert client.post("/v1/documents/tag", json=JUDGMENT).status_code == 403  # the channel's key
    assert as_("paul").post("/v1/documents/tag", json=JUDGMENT).status_code == 403
    bad = as_("cat").post("/v1/documents/tag", json={**JUDGMENT, "doc_type": "memo"})
    assert bad.status_code == 422
    assert "doc_type" in bad.text
