"""The lexicon rules: a tag with its evidence where the subject is the one at risk, none on the hard negatives."""

from __future__ import annotations

import pytest

from riskloop.errors import ValidationError
from riskloop.text.document import Document, masked, sentences, subject_role
from riskloop.text.rules import load_lexicon, parse_lexicon, rule_hits
from riskloop.text.tagger import Tagger

S, OTHER_NAME = "武汉珞喻科技有限公司", "北京华泰食品有限公司"


def tags(body: str, doc_type: str = "news") -> dict[str, str]:
    """Each tag the rules give ``body`` with the text of its evidence span."""
    hits = rule_hits(load_lexicon(), Document("d", S, doc_type, body))
    return {t: body[h.start : h.end] for t, h in hits.items()}


@pytest.mark.parametrize(
    ("body", "tag", "evidence"),
    [
        (
            f"原告：{OTHER_NAME}\n被告：{S}\n原告{OTHER_NAME}诉被告{S}民间借贷纠纷一案，本院依法审理。",
            "借贷纠纷",
            "民间借贷纠纷",
        ),
        (f"{S}：\n你单位作为被执行人，应立即履行义务。", "被执行", "被执行人"),
        (f"被执行人{S}拒不履行，本院决定将其纳入失信被执行人名单。", "失信", "失信被执行人"),
        (f"请协助冻结{OTHER_NAME}持有的{S}股权，冻结期限三年。", "股权冻结", f"冻结{OTHER_NAME}持有的{S}股权"),
        (f"当事人：{S}\n你单位超标排放大气污染物，违反规定。", "环保处罚", "超标排放"),
        (f"{S}控股股东易主，实控人变更。", "实控人变更", "实控人变更"),
    ],
)
def test_a_tag_points_at_its_evidence(body: str, tag: str, evidence: str) -> None:
    assert tags(body).get(tag) == evidence


@pytest.mark.parametrize(
    ("body", "absent"),
    [
        # the subject is the plaintiff / the creditor
        (f"原告：{S}\n被告：{OTHER_NAME}\n原告{S}诉被告{OTHER_NAME}民间借贷纠纷一案，本院依法审理。", "借贷纠纷"),
        (f"申请执行人{S}与被执行人{OTHER_NAME}买卖合同纠纷一案，被执行人应立即履行。", "被执行"),
        (f"申请执行人{S}与被执行人{OTHER_NAME}买卖合同纠纷一案，被执行人应立即履行。", "买卖合同纠纷"),
        # withdrawn, released, removed
        (f"原告{OTHER_NAME}与被告{S}民间借贷纠纷一案，原告于审理中申请撤诉。裁定准许。", "借贷纠纷"),
        (f"{OTHER_NAME}在{S}的股权已解除冻结。", "股权冻结"),
        (f"{S}已履行义务，本院决定删除其失信被执行人信息。", "失信"),
        (f"{S}已补报年报，现将其从经营异常名录中移出。", "经营异常"),
        # negated
        (f"经查询，{S}无欠税记录。", "欠税"),
        (f"{S}未被列入失信被执行人名单。", "失信"),
        (f"本次股权转让后，{S}实际控制人未发生变更。", "实控人变更"),
        # a tag word in another sense
        (f"{S}执行董事出席论坛。", "被执行"),
        (f"{S}积极参与环保公益活动。", "环保处罚"),
        # another company's trouble
        (f"与{S}有业务往来的{OTHER_NAME}已被列为失信被执行人。", "失信"),
        (f"{S}的同业{OTHER_NAME}因超标排污被生态环境部门处罚。", "环保处罚"),
    ],
)
def test_hard_negatives_are_not_tagged(body: str, absent: str) -> None:
    assert absent not in tags(body)


def test_masking_reading_and_roles() -> None:
    body = f"原告：{OTHER_NAME}\n被告：{S}。原告{OTHER_NAME}诉被告{S}"
    assert subject_role(body, S) == "defendant"
    assert subject_role(body, OTHER_NAME) == "plaintiff"
    assert masked(f"原告{OTHER_NAME}诉被告{S}", S) == "原告乙公司诉被告甲公司"
    assert [body[a:b] for a, b in sentences(body)] == [
        f"原告：{OTHER_NAME}",
        f"被告：{S}",
        f"原告{OTHER_NAME}诉被告{S}",
    ]


def test_rules_alone_report_the_rules_score_and_span() -> None:
    body = f"{S}因住所无法联系，本局决定将其列入企业经营异常名录。"
    [result] = Tagger(load_lexicon()).tag(Document("d", S, "penalty", body))
    assert (result.tag, result.source) == ("经营异常", "rules")
    assert body[result.start : result.end] == result.evidence == "列入企业经营异常名录"


def test_a_malformed_lexicon_names_its_field() -> None:
    with pytest.raises(ValidationError, match=r"tags\.tag"):
        parse_lexicon({"version": "x", "negation": {"before": ["未"], "window": 4, "inside": ["未"]},
                       "tags": [{"tag": "不是标签", "score": 1, "patterns": ["a"], "actor": True,
                                 "excluded_roles": [], "cancel_doc": [], "cancel_sentence": []}]})  # fmt: skip


def _one_rule(*patterns: str) -> dict[str, object]:
    return {"version": "x", "negation": {"before": ["未"], "window": 4, "inside": ["未发生"]},
            "tags": [{"tag": "失信", "score": 0.9, "patterns": list(patterns), "actor": False,
                      "excluded_roles": [], "cancel_doc": [], "cancel_sentence": []}]}  # fmt: skip


def test_a_pattern_anchored_to_its_sentence_is_matched_in_each_sentence() -> None:
    """A pattern reads one sentence at a time: ``^`` is a sentence's start, which the body's start is not.

    Patterns asserting nothing about their context are first looked for in the whole body (a body without
    them holds no sentence with them); an anchored one is not, or this match would be lost.
    """
    lexicon = parse_lexicon(_one_rule("^纳入失信名单", "列入黑名单"))
    body = f"{S}拒不履行义务。纳入失信名单，限制消费。"
    assert lexicon.rules[0].context_free == (False, True)
    assert not lexicon.rules[0].patterns[0].search(body)  # the body does not start with it
    hit = rule_hits(lexicon, Document("d", S, "news", body))["失信"]
    assert (body[hit.start : hit.end], hit.pattern) == ("纳入失信名单", 0)


def test_a_later_pattern_is_found_when_the_earlier_ones_are_nowhere_in_the_body() -> None:
    lexicon = parse_lexicon(_one_rule("限制高消费", "列入.{0,4}黑名单", r"(?<!未)纳入失信"))
    assert lexicon.rules[0].context_free == (True, True, False)
    body = f"{S}于本月被列入法院黑名单。"
    hit = rule_hits(lexicon, Document("d", S, "news", body))["失信"]
    assert (body[hit.start : hit.end], hit.pattern) == ("列入法院黑名单", 1)
    assert rule_hits(lexicon, Document("d", S, "news", f"{S}未纳入失信名单。")) == {}
