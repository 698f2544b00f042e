"""Grammars of the hard negatives: turns that look like an issue and are not one.

Lawful statements of consequences (credit reporting, litigation, a guarantor's liability, a visit), polite
firmness, the debtor insulting the collector, the collector calmly answering (sometimes repeating the insult),
and a collector correctly refusing to tell a third party anything. They share words with the issues of
``phrasing_issues.py`` (法院, 起诉, 上门, 家人, 骗子, 欠款) so that only what is said, not a keyword, tells them apart.
"""

from __future__ import annotations

from riskloop.synth.phrasing import Family, grammar

_LAWFUL_FRAMES = ("{pre}{if_}{x}{post}。", "{pre}{x}{post}。")


def _lawful(name: str, sayings: tuple[str, ...]) -> Family:
    return Family(f"lawful/{name}", _LAWFUL_FRAMES, {"x": sayings})


LAWFUL_CONSEQUENCE = grammar(
    "lawful_consequence",
    (
        _lawful(
            "credit_report",
            (
                "逾期记录会按规定报送人民银行征信系统",
                "逾期信息会如实上报征信",
                "逾期记录会影响您以后在银行的贷款和融资",
            ),
        ),
        _lawful(
            "litigation",
            (
                "我行会依法向法院起诉",
                "我行保留通过诉讼途径主张债权的权利",
                "协商不成的话，我行会依法提起诉讼",
                "起诉的话，诉讼费用会按法院判决承担",
            ),
        ),
        _lawful("penalty_interest", ("逾期会按合同计收罚息，金额会越来越多", "逾期期间会按合同约定收取罚息")),
        _lawful(
            "guarantor",
            ("按照担保合同，担保人也需要承担相应的担保责任", "我们会依法通知您的担保人", "担保人那边我们也会依规联系"),
        ),
        _lawful(
            "enforcement",
            (
                "法院判决后我行可以依法申请强制执行",
                "判决生效后仍不履行的，法院可能将您列入失信被执行人名单",
                "进入执行程序以后，法院可以依法查封名下财产",
            ),
        ),
        _lawful(
            "family_not_liable",
            (
                "这笔贷款是您本人的债务，跟您家人没有关系，我们也不会去打扰您家里人，但还是需要您来处理",
                "您家人不用替您还款，这笔钱需要您本人安排",
            ),
        ),
        _lawful(
            "visit_notice",
            ("我们的外访同事可能会上门拜访，了解一下您的经营情况", "后续可能安排工作人员上门和您当面沟通还款方案"),
        ),
        _lawful("lawyer_letter", ("后续可能会委托律师事务所向您发送律师函", "我们会依法委托律师跟进")),
        _lawful("acceleration", ("根据合同约定，严重逾期时我行有权宣布贷款提前到期",)),
    ),
    {
        "pre": ("", "", "", "跟您说明一下，", "按规定需要提醒您，", "{who}，", "我这边也是依规告知，", "实话跟您说，"),
        "if_": ("如果一直不处理，", "如果持续逾期，", "逾期时间再长的话，", "如果长期不还，", "真走到那一步的话，"),
        "post": ("", "", "，建议您尽早处理", "，希望您理解", "，这个是有规定的", "，还请您重视", "，您心里有个数"),
    },
)

POLITE_FIRM = grammar(
    "polite_firm",
    (
        Family(
            "firm/ask_date",
            ("{empathy}{x}{end}",),
            {
                "x": (
                    "今天请您给我一个明确的还款时间",
                    "您看能不能今天就定一个还款日期",
                    "您看{day}能不能先还上一部分",
                    "{day}之前能不能安排一下{amt}",
                ),
            },
        ),
        Family(
            "firm/urgency",
            ("{empathy}{x}{end}",),
            {"x": ("这笔款项确实需要尽快安排", "请您尽快筹措资金，逾期时间越长对您越不利", "钱的事拖不得")},
        ),
        Family(
            "firm/repeat_notice",
            ("{empathy}{x}{end}",),
            {"x": ("这已经不是第一次提醒了，请您务必重视", "我们之前也联系过您几次了，这次请您一定重视")},
        ),
        Family(
            "firm/contract_duty",
            ("{empathy}{x}{end}",),
            {
                "x": (
                    "还款是合同约定的义务，还请您尽快处理",
                    "我们希望您能按合同履约",
                    "借款合同您也签了，还是要按约定来",
                )
            },
        ),
        Family(
            "firm/offer_help",
            ("{empathy}{x}{end}",),
            {"x": ("有困难可以提出来一起想办法", "您要是一次还不上，可以说说您的情况，我们看看怎么帮您")},
        ),
        Family(
            "firm/record",
            ("{empathy}{x}{end}",),
            {"x": ("请您今天之内给个答复，我们这边需要登记", "您的答复我这边会如实记录")},
        ),
    ),
    {
        "empathy": (
            "",
            "",
            "我理解您的难处，",
            "知道您最近不容易，",
            "您的情况我了解了，",
            "我也理解，",
            "{who}，",
            "{who}，我理解您，但是",
            "生意难做我知道，不过",
            "咱们也打过好几次交道了，",
        ),
        "end": ("。", "，好吗？", "，谢谢配合。", "，辛苦您了。", "。"),
    },
)

DEBTOR_INSULT = grammar(
    "debtor_insult",
    (
        Family(
            "debtor_insult/bloodsucker",
            ("你们这帮{e}，{rant}！", "{rant}，{e}！"),
            {"e": ("吸血鬼", "放高利贷的", "黑心银行")},
        ),
        Family(
            "debtor_insult/crazy",
            ("{rant}，你们是不是{e}啊？", "你{e}吧，{rant}！"),
            {"e": ("有病", "脑子有问题", "神经病")},
        ),
        Family("debtor_insult/dismiss", ("{e}，{rant}！", "{e}！"), {"e": ("滚", "少烦我", "别再打过来了", "滚远点")}),
        Family(
            "debtor_insult/fraud",
            ("你们银行就是一群{e}，{rant}！", "{e}！{rant}。"),
            {"e": ("骗子", "骗子公司", "强盗")},
        ),
        Family("debtor_insult/animal", ("{rant}，一帮{e}。", "你们这些{e}！"), {"e": ("混蛋", "王八蛋", "狗东西")}),
    ),
    {
        "rant": (
            "天天打电话烦不烦",
            "还好意思催我",
            "我说了没钱",
            "再打我就投诉你们",
            "你算什么东西也敢来催我",
            "烦死了",
            "催催催",
        ),
    },
)

CALM_REPLY = grammar(
    "calm_reply",
    (
        Family(
            "calm/deescalate",
            ("{x}，{then}",),
            {"x": ("请您先冷静一下", "您别着急", "理解您的心情", "抱歉给您带来困扰")},
        ),
        Family(
            "calm/echo",
            ("{x}，{then}",),
            {
                "x": (
                    "您说我们是骗子，我理解您的情绪",
                    "您骂我们吸血鬼我也能理解",
                    "我们不是骗子，您可以拨打{bank}的官方客服核实",
                    "您觉得我们烦，我也理解",
                ),
            },
        ),
        Family(
            "calm/complaint_channel",
            ("{x}，{then}",),
            {"x": ("您的意见我会记录下来", "如果您对我们的服务不满意，可以通过官方渠道投诉")},
        ),
    ),
    {
        "then": (
            "但还款的事情还是需要处理。",
            "我们也是按规定提醒您还款。",
            "我们可以一起商量一个可行的方案。",
            "我们也是依规履行提醒义务。",
        )
    },
)

REFUSAL_TO_DISCLOSE = grammar(
    "refusal_to_disclose",
    (
        Family(
            "refusal/rule_only_him",
            ("{sorry}{x}{ask}{thanks}",),
            {"x": ("按规定我只能跟他本人沟通", "这个事情需要他本人处理，我们不能跟其他人讲")},
        ),
        Family(
            "refusal/privacy",
            ("{sorry}{x}{ask}{thanks}",),
            {
                "x": (
                    "这个涉及他的个人信息，我不能跟您说",
                    "具体情况涉及客户隐私，不方便透露",
                    "具体的账务情况我不方便跟您讲",
                )
            },
        ),
        Family(
            "refusal/callback",
            ("{sorry}{x}{thanks}",),
            {"x": ("麻烦您请他方便的时候回个电话", "您让他有空回电给{bank}就行")},
        ),
        Family(
            "refusal/deflect_probe",
            ("{sorry}{x}{ask}{thanks}",),
            {"x": ("您别多想，就是一些业务需要跟他本人确认", "不是什么急事，就是有点业务上的事找他")},
        ),
    ),
    {
        "sorry": ("不好意思，", "抱歉，", "", "您好，", "没关系，"),
        "ask": ("，麻烦您请他回个电话", "，您转告他联系我们就行", "", ""),
        "thanks": ("，谢谢您。", "。", "，谢谢理解。"),
    },
)
