"""Grammars of the collector's planted issues: threats, insults, false legal statements, third-party disclosure.

Each family is a kind of wrongdoing (what is threatened, which epithet, which false claim, what is disclosed),
composed from parts with synonyms and several word orders; ``synth/phrasing.py`` draws and fills them. The
vocabulary overlaps on purpose with the hard negatives of ``phrasing_negatives.py`` (法院, 起诉, 上门, 家人, 骗子):
a keyword does not decide a turn.
"""

from __future__ import annotations

from riskloop.synth.phrasing import Family, grammar

# Parts every agent issue shares: a form of address, a condition, a softener before and an intensifier after.
_AGENT_SHARED = {
    "addr": (
        *("",) * 4,
        "{who}，",
        "我跟你说，",
        "听好了，",
        "我告诉你，",
        "说句难听的，",
        "老实讲，",
        "你给我听着，",
        "我最后说一遍，",
        "喂，",
        "坦白跟你讲，",
    ),
    "soft": (
        *("",) * 6,
        "我理解您有困难，但是",
        "我也不想为难您，可是",
        "咱们好好说，",
        "不是我说您，",
        "这已经不是第一次提醒了，",
    ),
    "cond": (
        "你再不还钱，",
        "要是{day}还不还，",
        "今天钱不到账的话，",
        "再这么拖下去，",
        "你要是继续装死，",
        "不还是吧？",
        "你敢不还试试，",
        "这钱你要是不还，",
        "都逾期{dpd}天了还不还，",
        "你再躲着不接电话，",
        "{amt}都拿不出来？那",
        "",
        "",
    ),
    "tail": (
        *("",) * 4,
        "，你自己掂量掂量",
        "，说到做到",
        "，别不信",
        "，我可不是吓唬你",
        "，到时候别后悔",
        "，懂我意思吧",
        "，你看着办",
        "，别说我没提醒你",
        "，想清楚了",
        "，就这样",
    ),
    "end": ("。", "。", "！", "。"),
}

THREAT = grammar(
    "threat",
    (
        Family(
            "threat/person/harass",
            (
                "{soft}{addr}{cond}{crew}就{hound}{tail}{end}",
                "{addr}信不信{crew}{hound}？",
                "{addr}{crew}{when}就{hound}，{cond}你自己看着办{end}",
            ),
            {
                "crew": ("我们的人", "我们这边的兄弟", "外面的人", "几个兄弟", "我们专门上门的", "我找的人", "我们"),
                "hound": (
                    "天天去堵你",
                    "去你家门口等着你",
                    "一直跟着你",
                    "找上门跟你好好聊聊",
                    "让你出不了门",
                    "去你家里坐着不走",
                    "到你家楼下等你",
                ),
                "when": ("明天", "今晚", "这两天", "随时", "马上"),
            },
            key="hound",
        ),
        Family(
            "threat/exposure/contacts",
            ("{soft}{addr}{cond}我们就{spread}{tail}{end}", "{addr}{cond}{spread}这种事我们干得出来{end}"),
            {
                "spread": (
                    "把你欠钱不还的事发给你所有亲戚朋友",
                    "挨个打电话给你通讯录里的人",
                    "把你的事发到你老家的群里",
                    "告诉你所有的客户和供应商你是什么人",
                    "让你身边的人都知道你欠钱不还",
                ),
            },
        ),
        Family(
            "threat/family/relatives",
            ("{soft}{addr}{cond}{kin}{harm}{tail}{end}", "{addr}{kin}{harm}，{cond}你自己想清楚{end}"),
            {
                "kin": ("你老婆", "你孩子", "你爸妈", "你家里老人", "你一家老小", "你媳妇", "你家里人"),
                "harm": (
                    "那边我们也会去打招呼",
                    "我们也会去找",
                    "也别想过安生日子",
                    "出了什么事可别怪我们",
                    "住哪儿我们都清楚",
                    "天天都会接到我们的电话",
                ),
            },
        ),
        Family(
            "threat/workplace/disrupt",
            ("{soft}{addr}{cond}我们就{disrupt}{tail}{end}", "{addr}{cond}明天{disrupt}，信不信？"),
            {
                "disrupt": (
                    "派人天天去{place}坐着",
                    "去{place}闹",
                    "在{place}门口拉横幅",
                    "堵在{place}门口",
                    "去{place}找你的员工聊聊",
                ),
                "place": ("你店里", "你公司", "你厂里", "你那个档口", "你门面", "你办公室"),
            },
        ),
        Family(
            "threat/veiled/innuendo",
            ("{soft}{addr}{cond}{hint}{tail}{end}", "{addr}{hint}{end}"),
            {
                "hint": (
                    "有些事电话里不方便说，你懂的",
                    "做人别太绝，出了什么事别说我没提醒过你",
                    "我们这边上门的兄弟可没我这么好说话",
                    "这种事闹大了对谁都不好",
                    "你家住哪儿我们都清楚",
                    "你自己掂量掂量后果",
                ),
            },
        ),
        Family(
            "threat/property/damage",
            ("{soft}{addr}{cond}{thing}{fate}{tail}{end}", "{addr}{thing}放哪儿我们都知道，{cond}{fate}{end}"),
            {
                "thing": ("你的车", "你家房子", "你店里的货", "你的仓库", "你那几台设备"),
                "fate": (
                    "保不齐哪天就出点事",
                    "我们会找人去处理",
                    "我们直接找人拉走",
                    "哪天被砸了可别怪我们",
                    "晚上放外面可不安全",
                ),
            },
        ),
        Family(
            "threat/livelihood",
            ("{soft}{addr}{cond}我们有的是办法让{ruin}{tail}{end}", "{addr}{cond}我保证{ruin}{end}"),
            {"ruin": ("你在这片混不下去", "你的店开不下去", "你生意做不成", "你公司关门", "你在这行待不下去")},
        ),
        Family(
            "threat/veiled/safety",
            ("{addr}{cond}{careful}{tail}{end}", "{careful}，{cond}别说我没提醒你{end}"),
            {"careful": ("你晚上回家路上注意点", "出门小心点", "最近走夜路留点神", "你自己注意安全", "开车当心点")},
        ),
        Family(
            "threat/family/school",
            ("{soft}{addr}{cond}{school}{tail}{end}",),
            {
                "school": (
                    "我们就去你孩子学校门口等着",
                    "你孩子在哪个学校我们也是知道的",
                    "你孩子放学路上我们的人也会去看看",
                    "我们去学校找你孩子的老师聊聊",
                ),
            },
        ),
        Family(
            "threat/exposure/posters",
            ("{soft}{addr}{cond}我们就{post}{tail}{end}",),
            {
                "post": (
                    "把你欠钱不还的事贴到你小区门口",
                    "在你店门口贴大字报",
                    "把你的照片印出来贴满那条街",
                    "在你们村口挂条横幅",
                ),
            },
        ),
        Family(
            "threat/veiled/future",
            ("{addr}{cond}{doom}{tail}{end}",),
            {"doom": ("我保证你这日子过不安生", "以后有你好受的", "你会后悔接了这个电话的", "你就等着瞧吧")},
        ),
        Family(
            "threat/exposure/online",
            ("{soft}{addr}{cond}我们就{online}{tail}{end}",),
            {"online": ("在网上给你曝光", "把你的身份证照片发到网上", "发个视频让大家都看看你是什么人")},
        ),
    ),
    _AGENT_SHARED,
)

FALSE_LEGAL = grammar(
    "false_legal",
    (
        Family(
            "false_legal/criminal",
            (
                "{soft}{addr}{auth}，{jail}{tail}{end}",
                "{addr}{cond}{jail}，{auth}{end}",
                "{addr}欠钱不还就是{crime}，{jail}{tail}{end}",
            ),
            {
                "auth": (
                    "我们已经报案了",
                    "公安那边已经立案了",
                    "经侦已经接手了",
                    "材料已经交给派出所了",
                    "我们这边已经走刑事程序了",
                ),
                "jail": (
                    "警察马上就会上门抓你",
                    "你会被拘留",
                    "你要坐牢的",
                    "这是要判刑的",
                    "你已经是刑事案件的嫌疑人了",
                ),
                "crime": ("诈骗", "犯罪", "违法犯罪", "恶意逃债"),
            },
            key="jail",
        ),
        Family(
            "false_legal/family_liability",
            ("{soft}{addr}{cond}{kin_pay}{law}{tail}{end}", "{addr}{law2}，{kin_pay}{end}"),
            {
                "kin_pay": (
                    "你父母和老婆都得替你还",
                    "你家里人要负连带责任",
                    "你家里人的工资也会被扣来还款",
                    "到时候就找你孩子要",
                    "你老婆名下的财产也要拿来抵债",
                ),
                "law": ("，这是法律规定的", "，法律上就是这样", "", "，合同里写着的"),
                "law2": ("按法律规定", "父债子还天经地义", "法院判下来的话", "根据规定"),
            },
        ),
        Family(
            "false_legal/seizure",
            ("{soft}{addr}{cond}{when}{who}{act}{tail}{end}", "{addr}{who}{when}{act}，{cond}你想清楚{end}"),
            {
                "when": ("明天", "今天下午", "马上", "这两天"),
                "who": ("法院就", "执行局的人就", "我们就", "公安就"),
                "act": (
                    "来查封你的店",
                    "冻结你全家的银行卡",
                    "上门把你的车拖走",
                    "把你的房子拍卖了",
                    "把你店里的东西全部拉走",
                ),
            },
            key="act",
        ),
        Family(
            "false_legal/children",
            ("{soft}{addr}{cond}{kids}{tail}{end}",),
            {
                "kids": (
                    "你孩子以后考公务员、上大学都会受影响，政审过不了",
                    "你孩子以后当兵、考编都不行",
                    "你全家都上黑名单，孩子上学都受影响",
                    "你孩子以后找工作都会被查出来",
                ),
            },
        ),
        Family(
            "false_legal/fake_authority",
            ("{addr}{fake}，{notice}{tail}{end}",),
            {
                "fake": (
                    "我这边是法院的",
                    "我是律师事务所的执行律师",
                    "我们是和公安合作的",
                    "我是法务部的，代表检察院通知你",
                ),
                "notice": (
                    "你的案子已经进入执行程序了",
                    "通知你明天之前到案说明",
                    "你的身份证已经被冻结了",
                    "你现在已经被限制出行了",
                ),
            },
        ),
        Family(
            "false_legal/credit_lies",
            ("{soft}{addr}{cond}{credit}{tail}{end}",),
            {
                "credit": (
                    "你的征信已经永久黑了，一辈子都贷不了款",
                    "你的身份证马上会被注销",
                    "你家里人的征信也会一起受影响",
                    "你的手机号会被停掉",
                ),
            },
        ),
        Family(
            "false_legal/travel_ban",
            ("{addr}{cond}{ban}{tail}{end}",),
            {"ban": ("你连火车都坐不了", "明天就限制你出门", "你马上就会被边控，出不了境", "你全家都会被限制高消费")},
        ),
    ),
    _AGENT_SHARED,
)

_EPITHET_FRAMES = (
    "{addr}你这种{e}，还有脸说没钱？",
    "{addr}就你这{e}，{jab}{end}",
    "{addr}真是个{e}{end}",
    "{addr}你是不是{e}啊？{jab}{end}",
    "{soft}{addr}像你这样的{e}我见多了{tail}{end}",
    "{e}！{jab}{end}",
    "{addr}跟你这种{e}说话简直浪费时间{end}",
    "{addr}你个{e}，{jab}{end}",
    "借钱的时候怎么不说没钱？{e}！",
)


def _epithets(name: str, words: tuple[str, ...]) -> Family:
    return Family(f"insult/{name}", _EPITHET_FRAMES, {"e": words})


INSULT = grammar(
    "insult",
    (
        _epithets("deadbeat", ("老赖", "赖皮", "赖账的", "老赖皮", "赖子")),
        _epithets("stupid", ("傻子", "蠢货", "白痴", "脑子有病的", "猪脑子")),
        Family(
            "insult/mockery",
            ("{addr}{mock}{tail}{end}", "{soft}{mock}？"),
            {
                "mock": (
                    "活该你生意做不起来",
                    "一个大老板连这点钱都还不起，丢不丢人",
                    "你是聋了还是傻了",
                    "听不懂人话吗",
                    "你家里人没教过你借钱要还吗",
                    "就你这样还开公司",
                ),
            },
        ),
        _epithets("fraud", ("骗子", "诈骗犯", "骗钱的", "大骗子")),
        _epithets("shameless", ("不要脸的", "没脸没皮的", "厚脸皮", "臭不要脸的")),
        _epithets("worthless", ("废物", "窝囊废", "没用的东西", "饭桶")),
        _epithets("poor", ("穷鬼", "穷光蛋", "要饭的", "叫花子")),
        _epithets("animal", ("畜生", "狗东西", "王八蛋", "混账东西")),
    ),
    {
        **_AGENT_SHARED,
        "tail": ("", "", "", "，真是的", "，呸", "，丢人现眼", "，什么东西"),
        "jab": (
            "装什么可怜",
            "还好意思跟我讲条件",
            "还想赖到什么时候",
            "我看你就是故意的",
            "丢不丢人",
            "还有脸接电话",
            "",
        ),
    },
)

THIRD_PARTY_DISCLOSURE = grammar(
    "third_party_disclosure",
    (
        Family(
            "disclosure/overdue",
            ("{rel}{overdue}{more}{end}", "{rel}{overdue}，{pass}{end}"),
            {
                "overdue": (
                    "他在{lender}的贷款已经逾期了",
                    "他有一笔经营贷款到期没还",
                    "他借{lender}的钱一直拖着没还",
                    "他的贷款现在是逾期状态",
                ),
            },
        ),
        Family(
            "disclosure/amount",
            ("{rel}{amount}{more}{end}", "{rel}{pass}，{amount}{end}"),
            {
                "amount": (
                    "他欠{lender}{amt}",
                    "他还欠着{lender}{amt}没还",
                    "他有{amt}的欠款到现在没还上",
                    "欠款金额是{amt}",
                ),
                "more": ("", "", "，已经逾期{dpd}天了", "，麻烦您转告他", "，您让他尽快处理"),
            },
        ),
        Family(
            "disclosure/pass_on_pressure",
            ("{rel}{pass}{end}", "{rel}{pass}，{more_bare}{end}"),
            {},
            key="pass",
        ),
        Family(
            "disclosure/days",
            ("{rel}{days}{more}{end}",),
            {
                "days": ("他的贷款已经逾期{dpd}天了", "他欠的钱拖了{dpd}天了", "到今天他已经逾期{dpd}天"),
                "more": ("", "", "，一共{amt}", "，麻烦您转告他", "，您让他尽快处理", "，欠的是{lender}的钱"),
            },
        ),
        Family(
            "disclosure/collection_status",
            ("{rel}{status}{more}{end}", "{rel}{status}，{pass}{end}"),
            {
                "status": (
                    "他的账已经转到我们催收部门了",
                    "他已经被列入我们的重点催收名单",
                    "我们找他好几次了，一直在催他还款",
                ),
            },
        ),
        Family(
            "disclosure/legal_status",
            ("{rel}{legal}{more}{end}",),
            {"legal": ("他这笔欠款再不还我们就要起诉他了", "他欠款的事已经准备走法律程序了")},
        ),
    ),
    {
        "rel": (
            *("",) * 3,
            "您是他家里人吧？",
            "你是他同事对吧？",
            "那我就跟您直说了，",
            "实话告诉你吧，",
            "既然您是家属，那我就说了，",
            "跟您说一下，",
            "那麻烦您了，",
        ),
        "lender": ("我们银行", "{bank}", "我们行", "我们这边"),
        "pass": (
            "麻烦你转告他赶紧把钱还上",
            "你们家里人劝劝他，赶紧还钱",
            "你见到他让他马上还钱，不然后果很严重",
            "你们身边的人也提醒提醒他还钱",
            "让他别躲了，欠的钱早晚要还",
            "你帮忙催一下他还款",
        ),
        "more": (
            "",
            "",
            "，一共{amt}",
            "，已经逾期{dpd}天了",
            "，麻烦您转告他",
            "，您让他尽快处理",
            "，欠的是{lender}的钱",
        ),
        "more_bare": ("他欠{lender}{amt}", "已经逾期{dpd}天了", "他贷款逾期了", "数额是{amt}"),
        "end": ("。", "。", "！"),
    },
)
