"""A risk document and what every tagger reads from it: sentences, who is mentioned where, the subject's role.

The subject is the enterprise the document was matched to. A *mention* is the subject's name, an alias that
stands for the addressee or the company spoken of (你单位, 该公司), or another company's name (found by its
legal-form suffix). The subject's *role* is read from party labels next to its name (原告, 被告, 申请执行人,
被执行人, 当事人): the same words are a risk for a defendant and none for a plaintiff or a creditor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUBJECT_MARK, OTHER_MARK = "甲公司", "乙公司"
ALIASES = ("你单位", "你公司", "贵公司", "该公司", "该企业", "本公司")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_ORG = re.compile(
    r"[\u4e00-\u9fff]{2,18}?(?:有限责任公司|股份有限公司|有限公司|分公司|便利店|商行|经营部|门市部|加工厂|加工店|"
    r"加工坊|种植场|养殖场|农资店|餐馆|超市|公司|店|厂)"
)
# Words an organisation's name does not start with: a match is cut after the last of them (原告|与 ...).
_LEAD = re.compile(
    r"^.*(?:原告|被告|执行人|当事人|股东|客户|供应商|同业|往来|冻结|执行|申请|协助|的|与|诉|及|将|对|因|被|在|由|为|向)"
)
# An individual business: its district, a trade name and a trade word (洪山区方南水电安装部, 西陵区义河健身房).
_SHOP = re.compile(r"[\u4e00-\u9fff]{1,3}[区县][\u4e00-\u9fff]{3,10}?(?:部|房|馆|店|厂|场|坊|室|社|所|行|园|站|点|吧)")
_ROLE_BEFORE = re.compile(r"(申请执行人|被执行人|原告|被告|当事人|纳税人名称)[：:\s]*$")
_ROLE_AFTER = re.compile(r"^（以下简称(原告|被告)）")
ROLES = {"原告": "plaintiff", "被告": "defendant", "申请执行人": "applicant", "被执行人": "respondent"}
PARTY, NO_ROLE = "party", "none"


@dataclass(frozen=True)
class Document:
    """One document to tag: its id, the subject enterprise's name, its type and its text."""

    doc_id: str
    subject: str
    doc_type: str
    body: str
    title: str = ""


@dataclass(frozen=True)
class Mention:
    """A company mentioned at ``[start, end)``: the subject (by name or alias) or another one."""

    start: int
    end: int
    subject: bool


def sentences(body: str) -> list[tuple[int, int]]:
    r"""The non-blank sentences of ``body`` as ``(start, end)`` offsets (ends exclude the stop mark).

    Examples
    --------
    >>> sentences("甲。乙\\n\\n丙")
    [(0, 1), (2, 3), (5, 6)]

    """
    out, start = [], 0
    for m in _SENTENCE_END.finditer(body):
        if body[start : m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if body[start:].strip():
        out.append((start, len(body)))
    return out


def mentions(text: str, subject: str) -> list[Mention]:
    """Companies mentioned in ``text``, in order: the subject's name and aliases, and other companies."""
    found: list[Mention] = []
    if subject:
        found += [Mention(m.start(), m.end(), True) for m in re.finditer(re.escape(subject), text)]
    found += [Mention(m.start(), m.end(), True) for a in ALIASES for m in re.finditer(a, text)]
    blanked = list(text)
    for mention in found:
        blanked[mention.start : mention.end] = "\x00" * (mention.end - mention.start)
    text_left = "".join(blanked)
    shops = list(_SHOP.finditer(text_left))
    for shop in shops:
        found.append(Mention(shop.start(), shop.end(), False))
        text_left = text_left[: shop.start()] + "\x00" * (shop.end() - shop.start()) + text_left[shop.end() :]
    for org in _ORG.finditer(text_left):
        lead = _LEAD.match(org.group())
        start = org.start() + (lead.end() if lead and org.end() - org.start() - lead.end() >= 4 else 0)
        found.append(Mention(start, org.end(), False))
    return sorted(found, key=lambda m: m.start)


def masked(text: str, subject: str) -> str:
    """``text`` with the subject's name written 甲公司 and other companies' names 乙公司 (aliases kept).

    Examples
    --------
    >>> masked("原告武汉鑫隆商贸有限公司与被告北京华泰食品有限公司", "北京华泰食品有限公司")
    '原告乙公司与被告甲公司'

    """
    out, at = [], 0
    for m in mentions(text, subject):
        if m.start < at or text[m.start : m.end] in ALIASES:
            continue
        out += [text[at : m.start], SUBJECT_MARK if m.subject else OTHER_MARK]
        at = m.end
    return "".join([*out, text[at:]])


def subject_role(body: str, subject: str) -> str:
    """The subject's party role: from the first party label next to its name; ``none`` without one."""
    if not subject:
        return NO_ROLE
    for m in re.finditer(re.escape(subject), body):
        before = _ROLE_BEFORE.search(body, max(0, m.start() - 8), m.start())
        if before:
            return ROLES.get(before.group(1), PARTY)
        after = _ROLE_AFTER.match(body[m.end() : m.end() + 12])
        if after:
            return ROLES[after.group(1)]
    return NO_ROLE
