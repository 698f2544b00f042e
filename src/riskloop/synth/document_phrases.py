"""Wordings of risk documents: each document is composed of parts, each part one of many phrasings.

A part is ``(text, tag, family)``: ``tag`` names the risk tag the part is evidence of for the subject enterprise,
or is None; ``family`` names the wording family a tagged part was written in (``<tag>.<slot>/<n>``; held-out
families, from ``document_unseen``, are ``<tag>.<slot>/held-<n>``). Hard negatives are written from the same words
as the tags they resemble: the subject as plaintiff or creditor (申请执行人), a suit withdrawn (撤诉), a freeze released
(解除冻结), a removal from a list (移出), a tag word in an unrelated sense (执行董事, 冷冻, 环保公益), a negated
statement (无欠税记录) and another company's trouble named beside the subject.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from riskloop.synth.document_unseen import HELD, HELD_OUT_RATE, UNSEEN
from riskloop.synth.draws import Draws

Part = tuple[str, str | None, str | None]

LOAN_CAUSES = ("民间借贷纠纷", "借款合同纠纷", "金融借款合同纠纷")
SALES_CAUSES = ("买卖合同纠纷",)
LABOUR_CAUSES = ("劳动争议", "拖欠劳动报酬纠纷")
CAUSE_TAG = {
    **dict.fromkeys(LOAN_CAUSES, "借贷纠纷"),
    **dict.fromkeys(SALES_CAUSES, "买卖合同纠纷"),
    **dict.fromkeys(LABOUR_CAUSES, "劳动争议"),
}
JUDGES = ("王建国", "李静", "张伟", "刘洋", "陈晓燕", "杨帆", "赵磊", "黄敏", "周强", "吴丽")


@dataclass
class Doc:
    """A composed document: its type, title, parts in order, and the hard-negative kinds planted in it."""

    doc_type: str
    title: str
    parts: list[Part] = field(default_factory=list)
    hard: list[str] = field(default_factory=list)

    def add(self, text: str, tag: str | None = None, family: str | None = None) -> None:
        """Append one part."""
        self.parts.append((text, tag, family))

    def say(self, d: Draws, tag: str, slot: str, seen: tuple[str, ...], **fmt: str) -> None:
        """Append a part evidence of ``tag``, in one of the wording families of ``<tag>.<slot>``."""
        self.add(*choose(d, f"{tag}.{slot}", seen, **fmt))


def choose(d: Draws, slot: str, seen: tuple[str, ...], **fmt: str) -> tuple[str, str, str]:
    """A wording of ``slot``, the tag and the family: a held-out family (``document_unseen``) at HELD_OUT_RATE."""
    tag = slot.split(".", maxsplit=1)[0]
    unseen = UNSEEN.get(slot, ())
    if unseen and d.random() < HELD_OUT_RATE:
        i = int(d.random() * len(unseen))
        return unseen[i].format(**fmt), tag, f"{slot}{HELD}{i}"
    i = int(d.random() * len(seen))
    return seen[i].format(**fmt), tag, f"{slot}/{i}"


def _yuan(cents: int) -> str:
    return f"{cents / 100:,.2f}元" if cents % 100 else f"{cents // 100:,}元"


def header_judgment(d: Draws, court: str, case_no: str, kind: str) -> str:
    """The title block of a court document."""
    return f"{court}\n{kind}\n{case_no}\n"


def _party_lines(d: Draws, plaintiff: str, defendant: str) -> str:
    left = d.pick(("原告", "原告"))
    addr = d.pick(("，住所地本市", "，住所地", "。", "，统一社会信用代码略。"))
    rep = d.pick(("法定代表人", "负责人", "经营者"))
    return (
        f"{left}：{plaintiff}{addr}\n{rep}：{d.pick(JUDGES)}。\n"
        f"被告：{defendant}{d.pick(('，住所地', '。', '，住所地本区'))}\n"
    )


def judgment(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, other: str, case_no: str, cause: str, subject_defendant: bool, amount: int, court: str
) -> Doc:
    """A civil judgment; the subject is defendant (tag of the cause) or plaintiff (hard negative)."""
    kind = d.pick(("民事判决书", "民事判决书", "民事判决书（简易程序）"))
    tag = CAUSE_TAG.get(cause) if subject_defendant else None
    named, _, family = choose(d, f"{tag}.cause", (cause,)) if tag else (cause, None, None)
    doc = Doc(
        "judgment",
        f"{subject if subject_defendant else other}与{other if subject_defendant else subject}{named}一审{kind[:4]}",
    )
    plaintiff, defendant = (other, subject) if subject_defendant else (subject, other)
    doc.add(header_judgment(d, court, case_no, kind))
    doc.add(_party_lines(d, plaintiff, defendant))
    doc.add(
        d.pick(
            (
                f"原告{plaintiff}与被告{defendant}",
                f"原告{plaintiff}诉被告{defendant}",
                f"{plaintiff}（以下简称原告）与{defendant}（以下简称被告）",
            )
        )
    )
    doc.add(f"{named}一案", tag, family)
    doc.add(d.pick(("，本院于立案后依法适用简易程序", "，本院受理后依法组成合议庭", "，本院依法适用普通程序")))
    doc.add(d.pick(("，公开开庭进行了审理。本案现已审理终结。\n", "，公开开庭进行了审理。\n", "进行了审理。\n")))
    doc.add(_claim(d, cause, amount, tag))
    doc.add(d.pick(("本院认为，", "经审理查明，", "本院经审理认定，")))
    doc.add(_holding(d, cause, amount, tag))
    doc.add(f"案件受理费{_yuan(max(amount // 100, 5000))}，由被告负担。\n")
    doc.add(f"审判员　{d.pick(JUDGES)}\n书记员　{d.pick(JUDGES)}\n")
    if not subject_defendant:
        doc.hard.append("creditor")
    return doc


def _claim(d: Draws, cause: str, amount: int, tag: str | None) -> str:
    if cause in LOAN_CAUSES:
        return d.pick(
            (
                f"原告诉称，被告向原告借款{_yuan(amount)}，到期后未予归还，请求判令被告偿还借款本金及利息。\n",
                f"原告向本院提出诉讼请求：判令被告归还借款{_yuan(amount)}并支付逾期利息。\n",
                f"原告主张双方签订借款合同，被告逾期未还款{_yuan(amount)}。\n",
            )
        )
    if cause in SALES_CAUSES:
        return d.pick(
            (
                f"原告诉称，原告依约向被告供货，被告尚欠货款{_yuan(amount)}未付。\n",
                f"原告请求判令被告支付货款{_yuan(amount)}及违约金。\n",
            )
        )
    if cause in LABOUR_CAUSES:
        return d.pick(
            (
                f"原告诉称，被告拖欠其工资及经济补偿金共计{_yuan(amount)}。\n",
                f"原告系被告员工，请求判令被告支付拖欠的劳动报酬{_yuan(amount)}。\n",
            )
        )
    return f"原告请求判令被告支付{_yuan(amount)}。\n"


def _holding(d: Draws, cause: str, amount: int, tag: str | None) -> str:
    verb = {"借贷纠纷": "偿还借款本金", "买卖合同纠纷": "支付货款", "劳动争议": "支付劳动报酬"}.get(
        tag or "", "支付款项"
    )
    return d.pick(
        (
            f"判决如下：被告于本判决生效之日起十日内{verb}{_yuan(amount)}。\n",
            f"被告应承担相应责任。判决被告{verb}{_yuan(amount)}，驳回原告其他诉讼请求。\n",
            f"原告的诉讼请求有事实和法律依据，本院予以支持。被告{verb}{_yuan(amount)}。\n",
        )
    )


def withdrawal(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, other: str, case_no: str, cause: str, court: str
) -> Doc:
    """A ruling allowing the plaintiff to withdraw its suit against the subject: no tag (hard negative)."""
    doc = Doc("judgment", f"{other}与{subject}{cause}民事裁定书")
    doc.add(header_judgment(d, court, case_no, "民事裁定书"))
    doc.add(_party_lines(d, other, subject))
    doc.add(f"原告{other}与被告{subject}{cause}一案，本院于立案后")
    doc.add(
        d.pick(
            (
                "原告以双方已自行和解为由，向本院申请撤诉。",
                "原告于审理过程中申请撤回起诉。",
                "原告向本院提出撤诉申请，理由是被告已全额清偿。",
            )
        )
    )
    doc.add(
        d.pick(("本院认为，原告撤诉系其真实意思表示，裁定如下：准许原告撤诉。\n", "裁定如下：准许原告撤回起诉。\n"))
    )
    doc.hard.append("withdrawn")
    return doc


def enforcement(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, other: str, case_no: str, amount: int, court: str, closed: bool
) -> Doc:
    """An enforcement notice against the subject (被执行)."""
    doc = Doc("enforcement", d.pick((f"{court}执行通知书", f"关于{subject}的执行通知书", "执行通知书")))
    doc.add(f"{court}\n执行通知书\n{case_no}\n")
    doc.add(f"{subject}：\n")
    doc.add(
        d.pick(
            (
                f"申请执行人{other}与你单位合同纠纷一案，",
                f"{other}申请执行你单位合同纠纷一案，",
                f"关于申请执行人{other}与被执行人{subject}一案，",
            )
        )
    )
    doc.say(
        d,
        "被执行",
        "notice",
        (
            f"你单位作为被执行人，应立即履行生效法律文书确定的义务，支付执行款{_yuan(amount)}。",
            f"本院已立案执行，责令你单位履行给付义务{_yuan(amount)}。",
            f"被执行人{subject}应当支付{_yuan(amount)}及迟延履行期间的债务利息。",
            f"你单位未履行生效判决，本院依申请对你单位强制执行，执行标的{_yuan(amount)}。",
        ),
        amt=_yuan(amount),
    )
    doc.add(d.pick(("逾期不履行的，本院将依法强制执行。\n", "如不履行，本院将依法采取查封、扣押等强制措施。\n")))
    if closed:
        doc.add(d.pick(("（附记：本案已执行完毕。）\n", "后被执行人履行完毕，本案结案。\n")))
    return doc


def applicant(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, other: str, case_no: str, amount: int, court: str
) -> Doc:
    """An enforcement notice where the subject applies for enforcement (creditor): no tag (hard negative)."""
    doc = Doc("enforcement", f"{court}执行通知书")
    doc.add(f"{court}\n执行通知书\n{case_no}\n{other}：\n")
    doc.add(f"申请执行人{subject}与被执行人{other}买卖合同纠纷一案，")
    doc.add(f"{d.pick(('你单位', '被执行人'))}应立即履行给付义务{_yuan(amount)}。逾期不履行的，本院将依法强制执行。\n")
    doc.hard.append("creditor")
    return doc


def dishonest(d: Draws, subject: str, case_no: str, court: str) -> Doc:
    """A notice listing the subject as a dishonest debtor (失信 and 被执行)."""
    doc = Doc("enforcement", d.pick(("失信被执行人名单公布", f"{court}纳入失信被执行人名单决定书", "失信决定书")))
    doc.add(f"{court}\n决定书\n{case_no}\n")
    doc.say(d, "被执行", "dishonest", (f"被执行人{subject}", f"本院在执行{case_no}一案中，被执行人{subject}"))
    doc.add(
        d.pick(("具有履行能力而拒不履行生效法律文书确定的义务，", "未按执行通知履行义务，", "有能力履行而拒不履行，"))
    )
    doc.say(
        d,
        "失信",
        "listing",
        (
            "依法决定将其纳入失信被执行人名单。",
            "本院决定将其列入失信被执行人名单。",
            "现将其纳入失信名单并予以公布。",
            "依法对其采取信用惩戒措施，纳入失信黑名单。",
        ),
    )
    doc.add(d.pick(("\n本决定一经作出即生效。\n", "\n特此决定。\n")))
    return doc


def dishonest_removed(d: Draws, subject: str, case_no: str, court: str) -> Doc:
    """The subject removed from the dishonest list after performing: no tag (hard negative)."""
    doc = Doc("enforcement", d.pick(("屏蔽失信信息决定书", "删除失信信息决定书")))
    doc.add(f"{court}\n决定书\n{case_no}\n")
    doc.add(f"{subject}已全部履行生效法律文书确定的义务，")
    doc.add(
        d.pick(("本院决定删除其失信被执行人信息。\n", "依法将其移出失信被执行人名单。\n", "决定屏蔽其失信信息。\n"))
    )
    doc.hard.append("removed")
    return doc


AUTHORITY_NAMES = {
    "environment": ("生态环境局", "环境保护局"),
    "market": ("市场监督管理局",),
    "safety": ("应急管理局",),
    "tax": ("税务局稽查局",),
}
_FACTS = {
    "environment": (
        "你单位超标排放大气污染物",
        "你单位未经批准擅自排放废水",
        "你单位未按规定设置危险废物贮存场所",
        "你单位在线监测数据显示化学需氧量超标",
    ),
    "market": ("你单位销售的产品经抽检不合格", "你单位发布虚假广告", "你单位未按规定明码标价"),
    "safety": ("你单位未按规定开展安全生产教育培训", "你单位消防通道堵塞"),
    "tax": ("你单位少缴增值税", "你单位未按规定开具发票"),
}


def penalty(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, authority: str, penalty_id: str, amount: int, district: str
) -> Doc:
    """An administrative penalty decision; only an environmental one is 环保处罚 (others are hard negatives)."""
    office = district + d.pick(AUTHORITY_NAMES[authority])
    doc = Doc("penalty", d.pick((f"{office}行政处罚决定书", f"行政处罚决定书（{penalty_id}）", "行政处罚决定书")))
    doc.add(f"{office}\n行政处罚决定书\n{penalty_id}\n当事人：{subject}\n")
    env = authority == "environment"
    if env:
        doc.say(d, "环保处罚", "fact", _FACTS[authority])
        doc.add("，")
    else:
        doc.add(d.pick(_FACTS[authority]) + "，")
    law = (
        ("违反了《中华人民共和国大气污染防治法》", "违反了《中华人民共和国水污染防治法》")
        if env
        else ("违反了相关法律法规",)
    )
    doc.add(d.pick(law) + "的规定。")
    fines = (
        f"依法决定对你单位处以罚款{_yuan(amount)}。",
        f"本机关决定给予罚款{_yuan(amount)}的行政处罚。",
        f"责令改正，并处罚款{_yuan(amount)}。",
    )
    doc.add(d.pick(fines))  # a fine alone is no evidence of what it punished
    doc.add(d.pick(("\n如不服本决定，可在六十日内申请行政复议。\n", "\n请在收到本决定书之日起十五日内缴纳罚款。\n")))
    if not env:
        doc.hard.append("other_penalty")
    return doc


def freeze(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, holder: str, freeze_id: str, amount: int, court: str
) -> Doc:
    """A notice freezing equity in the subject (股权冻结)."""
    doc = Doc("enforcement", d.pick(("协助执行通知书", f"{court}协助执行通知书（股权冻结）", "股权冻结公示")))
    doc.add(f"{court}\n协助执行通知书\n{freeze_id}\n{d.pick(('市场监督管理局', '行政审批局'))}：\n")
    doc.say(
        d,
        "股权冻结",
        "notice",
        (
            f"请协助冻结{holder}持有的{subject}股权，冻结数额{_yuan(amount)}，冻结期限三年。",
            f"依法冻结被执行人{holder}在{subject}的股权（认缴出资额{_yuan(amount)}）。",
            f"{subject}股东{holder}所持股权{_yuan(amount)}已被本院冻结。",
            f"查封{holder}名下{subject}的出资份额{_yuan(amount)}，期限三年。",
        ),
        s=subject,
        h=holder,
        amt=_yuan(amount),
    )
    doc.add(d.pick(("\n冻结期间不得办理该股权的变更登记。\n", "\n特此通知。\n")))
    return doc


def freeze_released(d: Draws, subject: str, holder: str, freeze_id: str, court: str) -> Doc:
    """The freeze released early: no tag (hard negative)."""
    doc = Doc("enforcement", d.pick(("协助执行通知书（解除冻结）", "解除股权冻结公示")))
    doc.add(f"{court}\n协助执行通知书\n{freeze_id}\n")
    doc.add(
        d.pick(
            (
                f"因当事人已履行完毕，请协助解除对{holder}持有的{subject}股权的冻结。\n",
                f"{holder}在{subject}的股权已解除冻结。\n",
                f"本院已裁定解除{subject}股权冻结措施。\n",
            )
        )
    )
    doc.hard.append("released")
    return doc


ABNORMAL_REASONS = {
    "no_annual_report": "未依照规定的期限公示年度报告",
    "unreachable_address": "通过登记的住所或者经营场所无法联系",
    "false_information": "公示企业信息隐瞒真实情况、弄虚作假",
    "no_disclosure": "未在责令的期限内公示有关企业信息",
}


def abnormal(d: Draws, subject: str, reason: str, district: str) -> Doc:
    """A decision listing the subject as operating abnormally (经营异常)."""
    office = f"{district}市场监督管理局"
    doc = Doc("penalty", d.pick(("列入经营异常名录决定书", f"{office}关于列入经营异常名录的公告", "经营异常名录公告")))
    doc.add(f"{office}\n列入经营异常名录决定书\n{subject}：\n经查，你单位{ABNORMAL_REASONS[reason]}，")
    doc.say(
        d,
        "经营异常",
        "listing",
        (
            "决定将你单位列入经营异常名录。",
            "现将你单位列入经营异常名录。",
            "本局决定将其列入企业经营异常名录。",
            "你单位已被载入异常名录，将在公示系统公示。",
        ),
    )
    doc.add("\n")
    return doc


def abnormal_removed(d: Draws, subject: str, district: str) -> Doc:
    """The subject removed from the abnormal-operation list: no tag (hard negative)."""
    doc = Doc("penalty", "移出经营异常名录决定书")
    doc.add(f"{district}市场监督管理局\n移出经营异常名录决定书\n{subject}：\n")
    doc.add(d.pick(("你单位已补报年度报告，", "你单位已依法纠正，", "经核实，你单位已可通过登记住所联系，")))
    doc.add(d.pick(("决定将你单位移出经营异常名录。\n", "现将其从经营异常名录中移出。\n")))
    doc.hard.append("removed")
    return doc


def arrears(d: Draws, subject: str, amount: int, district: str) -> Doc:
    """A tax-arrears announcement naming the subject (欠税)."""
    office = f"国家税务总局{district}税务局"
    doc = Doc("news", d.pick(("欠税公告", f"{office}欠税公告", "关于公告欠缴税款纳税人的通告")))
    doc.add(f"{office}\n")
    doc.add(
        d.pick(
            (
                "根据《中华人民共和国税收征收管理法》第四十五条规定，现对欠缴税款的纳税人予以公告。\n",
                "现将欠税情况公告如下：\n",
            )
        )
    )
    doc.add(f"纳税人名称：{subject}。")
    doc.say(
        d,
        "欠税",
        "amount",
        (
            f"欠税税种：增值税，欠税余额{_yuan(amount)}。",
            f"截至公告日，累计欠缴税款{_yuan(amount)}。",
            f"欠税金额{_yuan(amount)}。",
            f"应缴未缴税款{_yuan(amount)}，已逾期。",
        ),
        amt=_yuan(amount),
    )
    doc.add("\n")
    return doc


def control_change(d: Draws, subject: str, new_holder: str, person: str, changed: bool) -> Doc:
    """An announcement of a shareholding change: the actual controller changes (实控人变更) or does not (negative)."""
    doc = Doc("news", d.pick((f"{subject}关于股东股权转让的公告", "关于控股股东变更的提示性公告", "股权变更公告")))
    doc.add(d.pick(("本公司及董事会全体成员保证信息披露的内容真实、准确、完整。\n", "")))
    doc.add(f"近日，{subject}股东与{new_holder}签署股权转让协议。")
    if changed:
        before = d.pick(JUDGES)
        doc.say(
            d,
            "实控人变更",
            "changed",
            (
                f"本次权益变动后，公司实际控制人由{before}变更为{person}。",
                f"转让完成后，{new_holder}成为公司控股股东，{person}成为公司实际控制人。",
                f"公司控股股东及实际控制人发生变更，新的实际控制人为{person}。",
            ),
            p=person,
            h=new_holder,
        )
    else:
        doc.add(
            d.pick(
                (
                    "本次股权转让不会导致公司控股股东及实际控制人发生变化。",
                    "本次变动后，公司实际控制人未发生变更。",
                    f"公司实际控制人仍为{person}，本次转让不涉及实际控制人变更。",
                )
            )
        )
        doc.hard.append("negated")
    doc.add(d.pick(("\n特此公告。\n", "\n敬请广大投资者注意投资风险。\n")))
    return doc


# News: neutral sentences, words of the tags in unrelated senses, negated statements, another company's trouble.
NEUTRAL = (
    "{s}近日举行年度客户答谢会。",
    "{s}新建生产线已于本月投产，预计年产值将增加两成。",
    "{s}获评本市“专精特新”中小企业。",
    "{s}与多家高校签署产学研合作协议。",
    "据了解，{s}主要从事相关产品的研发与销售。",
    "{s}负责人表示，将继续加大研发投入。",
)
UNRELATED = (
    ("{s}执行董事{p}出席了行业论坛并发表演讲。", "unrelated_sense"),
    ("{s}积极参与环保公益活动，组织员工植树。", "unrelated_sense"),
    ("{s}引进速冻与冷冻仓储设备，冻品周转效率提升。", "unrelated_sense"),
    ("{s}工会举办劳动技能竞赛，表彰先进个人。", "unrelated_sense"),
    ("{s}新一届董事会已顺利完成换届，执行层保持稳定。", "unrelated_sense"),
    ("{s}开展“守信激励”宣传活动，倡导诚信经营。", "unrelated_sense"),
)
NEGATED = (
    ("经查询，{s}无欠税记录。", "negated"),
    ("截至目前，{s}不存在经营异常情况。", "negated"),
    ("{s}未被列入失信被执行人名单。", "negated"),
    ("{s}近三年未受到环保处罚。", "negated"),
    ("公开信息显示{s}无被执行记录。", "negated"),
)
OTHER_COMPANY = (
    ("{s}的供应商{o}因民间借贷纠纷被起诉。", "other_company"),
    ("与{s}有业务往来的{o}已被列为失信被执行人。", "other_company"),
    ("{s}的同业{o}因超标排污被生态环境部门处罚。", "other_company"),
    ("{s}的客户{o}所持股权被法院冻结。", "other_company"),
    ("{s}申请执行{o}一案已立案。", "creditor"),
)
DIGEST = {
    "借贷纠纷": (
        "{s}因民间借贷纠纷被起诉。",
        "{s}涉及多起借款合同纠纷，均为被告。",
        "{s}因借款到期未还被出借人告上法庭。",
        "{s}卷入资金拆借官司，被判归还本息。",
    ),
    "买卖合同纠纷": ("{s}因拖欠货款涉买卖合同纠纷被诉。", "{s}作为被告涉及买卖合同纠纷。", "{s}拖欠供货商货款被起诉。"),
    "劳动争议": (
        "{s}多名员工因被拖欠工资提起劳动争议仲裁。",
        "{s}因拖欠劳动报酬被员工起诉。",
        "{s}数十名工人集体讨薪，欠薪问题引发关注。",
    ),
    "股权冻结": ("{s}股东所持股权已被法院冻结。", "{s}部分股权遭司法冻结。", "{s}大股东所持股份被司法冻结。"),
    "被执行": ("{s}已被法院列为被执行人。", "{s}新增被执行人信息，执行标的较大。", "法院已对{s}启动强制执行程序。"),
    "失信": ("{s}已被列入失信被执行人名单。", "{s}因拒不履行判决成为失信被执行人。", "{s}被纳入“老赖”黑名单。"),
    "环保处罚": ("{s}因超标排放污染物被生态环境局处罚。", "{s}收到环保部门罚单。", "{s}偷排废水被罚款并责令停产整治。"),
    "欠税": (
        "{s}被税务机关公告欠缴税款。",
        "{s}存在欠税情况，已被列入欠税公告。",
        "{s}拖欠税款逾期未缴，被税务机关催缴。",
    ),
    "经营异常": (
        "{s}已被列入经营异常名录。",
        "{s}因未按时公示年报被列入经营异常名录。",
        "{s}因住所失联被市场监管部门标记为异常。",
    ),
    "实控人变更": (
        "{s}实际控制人近期发生变更。",
        "{s}控股股东易主，实控人变更。",
        "{s}实际控制权发生转移，原大股东退出。",
    ),
}
OPENERS = ("【本报讯】", "记者从有关方面获悉，", "据企业信用信息公示系统显示，", "据媒体报道，", "")
CLOSERS = ("记者将持续关注。", "（完）", "以上信息仅供参考。", "")


def news(  # noqa: PLR0917 - one event's facts
    d: Draws, subject: str, other: str, person: str, tags: tuple[str, ...], noise: int
) -> Doc:
    """A news item on the subject: digest sentences of ``tags`` (several tags at once) among ``noise`` fillers."""
    doc = Doc("news", d.pick((f"{subject}相关动态", "企业风险速递", f"关于{subject}的报道", "本地企业新闻")))
    doc.add(d.pick(OPENERS))
    fmt = {"s": subject, "o": other, "p": person}
    fillers: list[tuple[Part, str | None]] = [((d.pick(NEUTRAL).format(**fmt), None, None), None)]
    for _ in range(noise):
        bank = (UNRELATED, NEGATED, OTHER_COMPANY)[int(d.random() * 3)]
        text, hard = bank[int(d.random() * len(bank))]
        fillers.append(((text.format(**fmt), None, None), hard))
    for tag in tags:
        fillers.append((choose(d, f"{tag}.digest", DIGEST[tag], **fmt), None))
    order = sorted(range(len(fillers)), key=lambda _: d.random())
    for i in order:
        part, negative = fillers[i]
        doc.add(*part)
        if negative:
            doc.hard.append(negative)
    doc.add(d.pick(CLOSERS))
    return doc
