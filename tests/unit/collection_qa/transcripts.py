"""Handwritten collection-call transcripts with known issues: the ground truth of the QA tests.

Written from the self-regulatory convention's rules, independently of the generator. ``OPENING`` is a
compliant start (who calls, the institution, the recording notice, the identity check); each case adds the
turns that carry (or deliberately do not carry) an issue, and the expected (issue type, turn) pairs.
"""

from __future__ import annotations

import datetime as dt

from riskloop.collection.transcript import Call, Turn

# 10:30 in Shanghai.
DAYTIME = dt.datetime(2024, 5, 14, 2, 30, tzinfo=dt.UTC)

OPENING = (
    ("agent", "您好，我是平安普惠银行贷后管理中心的客户经理小李，工号3021，本次通话将全程录音。"),
    ("debtor", "嗯，你说。"),
    ("agent", "请问您是王先生本人吗？需要跟您核实一下身份。"),
    ("debtor", "是我，什么事？"),
)


def make_call(call_id: str, turns: tuple[tuple[str, str], ...], started_at: dt.datetime = DAYTIME) -> Call:
    """A call of the given (speaker, text) turns, numbered 1..n."""
    return Call(call_id, started_at, tuple(Turn(i, s, t) for i, (s, t) in enumerate(turns, start=1)))


# (call id, turns after the opening, expected {(issue, turn_no)}; turn numbers count the opening's 4 turns)
CASES: tuple[tuple[str, tuple[tuple[str, str], ...], frozenset[tuple[str, int | None]]], ...] = (
    (
        "clean-firm",
        (
            ("agent", "您的经营贷已经逾期23天了，欠款本金42,000元，利息和罚息一共1,360元。"),
            ("debtor", "最近生意不好，下游的货款还没回来。"),
            ("agent", "理解您的难处。如果一直不还，逾期会上报人民银行征信，影响您以后贷款；我们也可能依法起诉。"),
            ("debtor", "那我月底先还一半行不行？"),
            ("agent", "可以，我帮您登记一个还款计划，月底前先还21,000元，剩下的下个月15号前结清。"),
            ("debtor", "好的。"),
            ("agent", "感谢您的配合，祝您生意顺利，再见。"),
        ),
        frozenset(),
    ),
    (
        "debtor-insults-agent",
        (
            ("agent", "您的贷款已经逾期15天，今天需要处理一下。"),
            ("debtor", "你们这帮骗子、混蛋，天天打电话，烦不烦！滚！"),
            ("agent", "王先生，请您冷静，我们只是提醒您按时还款，逾期会影响您的信用记录。"),
            ("debtor", "知道了知道了。"),
        ),
        frozenset(),
    ),
    (
        "lawful-consequences",
        (
            ("agent", "您这笔欠款已经逾期62天，我们已经委托律师事务所发出律师函。"),
            ("debtor", "你们是不是要抓我去坐牢？"),
            (
                "agent",
                "您别担心，欠款属于民事纠纷，不会坐牢，我们也不会上门找您家人。但如果一直不还，我们会依法起诉，法院判决后可以申请强制执行。",
            ),
            ("debtor", "我家里人要不要替我还？"),
            ("agent", "家人没有义务替您还款，这是您本人的债务。"),
        ),
        frozenset(),
    ),
    (
        "threat-explicit",
        (
            ("agent", "欠款已经逾期40天了，你到底什么时候还？"),
            ("debtor", "我现在真的没钱。"),
            ("agent", "没钱？我告诉你，再不还钱我就找几个兄弟去你店里闹，让你生意做不下去，你给我等着。"),
        ),
        frozenset({("threat", 7)}),
    ),
    (
        "threat-implicit",
        (
            ("agent", "王先生，您的款项已经逾期一个多月了。"),
            ("debtor", "下周吧。"),
            ("agent", "我们知道你家住在哪，也知道你孩子在哪个学校上学，你自己掂量掂量。"),
        ),
        frozenset({("threat", 7)}),
    ),
    (
        "insult",
        (
            ("agent", "您的贷款逾期28天了，请尽快还款。"),
            ("debtor", "没钱，爱咋咋地。"),
            ("agent", "借钱的时候怎么不说没钱？你这种人真是不要脸，就是个老赖。"),
        ),
        frozenset({("insult", 7)}),
    ),
    (
        "false-legal",
        (
            ("agent", "你已经逾期50天了。"),
            ("debtor", "过段时间再说。"),
            ("agent", "再拖下去你就要坐牢了，公安马上就会立案，你的家人也要承担这笔债务。"),
        ),
        frozenset({("false_legal", 7)}),
    ),
)

THIRD_PARTY_DISCLOSES = (
    ("agent", "您好，我是招商银行贷后管理中心的工作人员，工号5567，本次通话将被录音。请问是陈总吗？"),
    ("third_party", "陈总不在，我是公司的前台，您有什么事？"),
    ("agent", "麻烦您转告他，他在我们银行的贷款已经逾期30天，欠款86,000元，让他赶紧还钱。"),
    ("third_party", "好的，我跟他说。"),
)

THIRD_PARTY_REFUSED = (
    ("agent", "您好，我是招商银行贷后管理中心的工作人员，工号5567，本次通话将被录音。请问是陈总吗？"),
    ("third_party", "我是他爱人，他出差了。他是不是欠你们钱了？"),
    ("agent", "不好意思，这涉及客户隐私，不方便透露，麻烦您让他本人给我们回个电话，谢谢。"),
    ("third_party", "行吧。"),
)

THIRD_PARTY_THEN_DEBTOR = (
    ("agent", "您好，我是招商银行贷后管理中心的工作人员，工号5567，本次通话将被录音。请问是陈总吗？"),
    ("third_party", "您稍等，我叫他来接。"),
    ("debtor", "喂，我是陈总。"),
    ("agent", "陈总您好，您的贷款已经逾期30天，欠款86,000元，请问什么时候能还？"),
)

MISSING_DISCLOSURE = (
    ("agent", "喂，王先生是吧？"),
    ("debtor", "是我，你哪位？"),
    ("agent", "你的贷款逾期了，今天必须还。"),
    ("debtor", "我明天还。"),
)

# Fragments for a small labelled sample: what an agent says, clean or with an issue.
CLEAN_AGENT = (
    "您的贷款已经逾期{d}天，欠款{a}元，请问什么时候方便处理？",
    "理解您的困难，我们可以帮您申请分期还款。",
    "如果持续逾期，会影响您的征信记录。",
    "我们可能会依法提起诉讼，请您重视。",
    "请您在{d}号之前至少还款{a}元。",
    "好的，我已经登记了您的还款承诺，感谢配合。",
    "您也可以通过手机银行直接还款，很方便。",
    "这笔款项已经逾期{d}天了，罚息每天都在增加。",
)
INSULT_AGENT = (
    "你真是个废物，{d}天了还不还钱。",
    "你这种人就是不要脸，欠{a}元还装穷。",
    "别跟我装，你这个骗子。",
    "脑子有病吧你，赶紧还钱。",
    "你就是个无赖，逾期{d}天还好意思说。",
    "穷光蛋一个，借钱的时候怎么不想想。",
)
THREAT_AGENT = (
    "再不还钱，我们就派人去你店里天天守着，看你生意还做不做。",
    "你给我等着，有你好受的。",
    "我们知道你家住哪，出门小心点。",
    "逾期{d}天了，别逼我们来硬的。",
    "不还这{a}元，我让你在老家抬不起头。",
    "你孩子在哪个学校上学我们都清楚。",
)
DEBTOR_REPLIES = ("好的我知道了。", "最近手头紧，能不能缓几天？", "我下周一定还。", "你们别老打电话了。")


def labelled_sample(rng, n_calls: int, prefix: str, issue_rate: float = 0.35):
    """Calls of agent utterances (clean, or one insult or threat) with the reviewers' labels, as three tables.

    Returns (turns, reviews, calls) rows: (call_id, turn_no, speaker, text), (call_id, issue_type, turn_no),
    (call_id, started_at).
    """
    turns, reviews, calls = [], [], []
    started = dt.datetime(2024, 5, 14, 2, 30, tzinfo=dt.UTC)
    for i in range(n_calls):
        call_id = f"{prefix}{i}"
        calls.append((call_id, started))
        n_agent = int(rng.integers(3, 7))
        issue = None
        if rng.random() < issue_rate:
            issue = ("insult", "threat")[int(rng.integers(2))]
        bad_at = int(rng.integers(n_agent)) if issue else -1
        turn_no = 0
        for j in range(n_agent):
            pool = {"insult": INSULT_AGENT, "threat": THREAT_AGENT}[issue] if j == bad_at else CLEAN_AGENT
            text = pool[int(rng.integers(len(pool)))].format(
                d=int(rng.integers(3, 90)), a=int(rng.integers(1, 90)) * 1000
            )
            turn_no += 1
            turns.append((call_id, turn_no, "agent", text))
            if j == bad_at:
                reviews.append((call_id, issue, turn_no))
            turn_no += 1
            turns.append((call_id, turn_no, "debtor", DEBTOR_REPLIES[int(rng.integers(len(DEBTOR_REPLIES)))]))
        if issue is None:
            reviews.append((call_id, "none", None))
    return turns, reviews, calls
