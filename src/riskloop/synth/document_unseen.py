"""Held-out wording families of risk documents: wordings no lexicon rule and no analyst's review is written from.

Each tagged part of a document is written in one of its slot's wording families (``document_phrases``). The
families here are the held-out ones: they were written after the tag lexicon v2 was frozen, the lexicon is never
edited from them, and a document containing one is never in the analysts' reviewed sample (``document_reviews``),
so the learned tagger never trains on them. The benchmark reports precision and recall on documents with a
held-out family apart from the others: that is the figure for wordings the tagger has not seen.

Templates take ``{s}`` (subject), ``{o}`` (another firm), ``{h}`` (a shareholder), ``{p}`` (a person),
``{amt}`` (an amount) and ``{case}`` (a case number).
"""

from __future__ import annotations

HELD_OUT_RATE = 0.2  # of tagged parts written in a held-out family
HELD = "/held-"  # a family name containing this is held out

UNSEEN: dict[str, tuple[str, ...]] = {
    # a judgment's cause as older or colloquial wordings name it
    "借贷纠纷.cause": ("借款纠纷", "民间借款纠纷", "欠款纠纷"),
    "买卖合同纠纷.cause": ("购销合同纠纷", "买卖纠纷", "供货合同纠纷"),
    "劳动争议.cause": ("劳动纠纷", "工资纠纷", "加班费纠纷"),
    "被执行.notice": (
        "现责令你单位在收到本通知之日起三日内向申请人清偿债务{amt}，并负担案件执行费。",
        "因你单位未自动履行生效判决，本院已依法扣划你单位名下银行存款，涉案金额{amt}。",
        "你单位系本案的执行义务人，须履行金钱给付义务{amt}。",
    ),
    "失信.listing": (
        "本院决定将其信息录入全国法院失信信息公布系统，并限制其高消费。",
        "现将其作为不诚信债务人向社会曝光，并通报有关单位实施联合限制。",
        "依照相关司法解释，将其列为信用黑榜上的失约债务人予以公布。",
    ),
    "环保处罚.fact": (
        "你单位露天焚烧工业边角料，产生大量浓烟",
        "你单位将未经处理的生产污水直接排入市政雨水管网",
        "你单位喷涂车间挥发性有机物无组织逸散，厂界臭气浓度超过限值",
    ),
    "股权冻结.notice": (
        "对{h}所持{s}的股份采取保全措施，限制其转让，保全数额{amt}。",
        "在{amt}范围内锁定{h}在{s}的投资权益，期间不得转让、质押。",
        "{h}在{s}的全部出资已被本院采取限制转让措施，数额{amt}。",
    ),
    "经营异常.listing": (
        "本局将你单位标注为经营状态异常，并通过国家企业信用信息公示系统向社会公示。",
        "依据《企业信息公示暂行条例》第十七条，本局对你单位作出列异处理。",
        "你单位的登记状态已调整为异常，将依法受到信用约束。",
    ),
    "欠税.amount": (
        "该纳税人尚有税款{amt}未按期入库。",
        "其增值税及附加税费{amt}至今未申报缴纳。",
        "税务机关已向其送达税务事项通知书，限期缴纳拖欠的税款{amt}。",
    ),
    "实控人变更.changed": (
        "交易完成后，{p}将通过{h}间接控制公司，公司的最终控制方随之改变。",
        "本次协议转让将导致公司控制权易手，{p}取得对公司的实际支配地位。",
        "股份过户后，{h}及其一致行动人合计持股比例最高，{p}将成为公司的最终控制人。",
    ),
    "借贷纠纷.digest": (
        "{s}因向他人借钱不还被起诉。",
        "{s}欠下的借款本息被债权人诉至法院。",
        "出借人将{s}告上法院，要求还本付息。",
    ),
    "买卖合同纠纷.digest": (
        "{s}收货后迟迟不付款，被供应商起诉。",
        "{s}因欠付采购款与供货方对簿公堂。",
        "供货商起诉{s}追讨货物价款。",
    ),
    "劳动争议.digest": (
        "{s}员工申请仲裁，要求补发工资。",
        "{s}被员工追讨加班费，双方闹上法庭。",
        "{s}长期不发工资，员工到劳动监察部门投诉。",
    ),
    "股权冻结.digest": (
        "{s}股东持有的股份被法院采取保全措施。",
        "{s}大股东的股份遭法院锁定，暂不能转让。",
        "法院裁定限制转让{s}控股股东所持股份。",
    ),
    "被执行.digest": (
        "{s}成为法院执行案件的义务人，涉案金额较大。",
        "{s}名下银行账户被法院扣划。",
        "{s}因未履行生效判决被法院采取执行措施。",
    ),
    "失信.digest": (
        "{s}上了法院的诚信黑榜。",
        "{s}被法院公布为拒不履行义务的债务人。",
        "{s}因拒不还款被限制乘坐飞机、高铁。",
    ),
    "环保处罚.digest": (
        "{s}因厂区粉尘污染严重被环境执法部门开出罚单。",
        "{s}因污水直排河道被处以罚款。",
        "{s}的喷涂车间因废气扰民被责令整改并罚款。",
    ),
    "欠税.digest": (
        "{s}拖欠国家税款，被税务部门点名。",
        "{s}有数百万元税款迟迟未缴。",
        "税务部门向{s}下达了限期缴税通知。",
    ),
    "经营异常.digest": (
        "{s}在企业信用公示系统中被列异。",
        "{s}因失联被市场监管部门标注为异常企业。",
        "{s}的企业信用公示状态显示为异常。",
    ),
    "实控人变更.digest": (
        "{s}迎来新的掌舵人，控制方已易手。",
        "{s}的最终控制人换成了{p}。",
        "{s}易主，{p}入主。",
    ),
}


def is_held_out(family: str | None) -> bool:
    """Whether a wording family is held out (never in the lexicon's sources nor in the reviewed sample)."""
    return family is not None and HELD in family
