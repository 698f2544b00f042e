"""Speech-recognition noise on a transcript turn: fillers, stutters, dropped punctuation, homophones.

Each call has a noise level (a line's and a recogniser's quality); at that level a turn may start with or carry a
filler (嗯, 那个, 就是说), repeat its first syllables, lose its punctuation, or have a word replaced by a homophone
at a small rate. The mandatory statements' words (工号, 银行, 录音) are never replaced: whether they were said is
the truth of ``missing_disclosure``, and it is kept exact.
"""

from __future__ import annotations

from riskloop.synth.draws import Draws

FILLERS = ("嗯，", "那个，", "就是说，", "这个，", "啊，", "然后，", "呃，", "就是", "那个")
# Words a recogniser confuses with a near-homophone (same or close pinyin).
HOMOPHONES: dict[str, tuple[str, ...]] = {
    "还款": ("环款", "还宽"),
    "逾期": ("于期", "余期"),
    "欠款": ("签款", "欠宽"),
    "法院": ("法苑",),
    "起诉": ("起速",),
    "坐牢": ("做牢",),
    "家人": ("家仁",),
    "已经": ("以经", "已近"),
    "律师": ("律诗",),
    "利息": ("礼息",),
    "征信": ("正信", "证信"),
    "合同": ("和同",),
    "贷款": ("带款", "代款"),
    "老板": ("老版",),
    "催收": ("催手",),
    "处理": ("出理",),
    "孩子": ("孩纸",),
    "骗子": ("片子",),
    "老赖": ("老来",),
    "担保": ("单保",),
    "拘留": ("居留",),
    "告诉": ("高速",),
    "上门": ("尚门",),
    "转告": ("转高",),
}
_PUNCTUATION = str.maketrans("", "", "，。？！、")
HOMOPHONE_RATE = 0.04  # per occurrence of a confusable word, at the highest noise level twice that


def noisy(text: str, d: Draws, level: float) -> str:
    """``text`` as a recogniser with noise ``level`` in [0, 1) might have written it."""
    for word, sounds in HOMOPHONES.items():
        if word in text and d.random() < HOMOPHONE_RATE * (1 + level):
            text = text.replace(word, d.pick(sounds), 1)
    if d.random() < 0.08 + 0.3 * level:
        text = d.pick(FILLERS) + text
    if "，" in text and d.random() < 0.2 * level:
        text = text.replace("，", "，" + d.pick(FILLERS), 1)
    if len(text) > 4 and d.random() < 0.08 * level:
        text = text[:2] + text  # a stutter: the first syllables said twice
    cut = d.random()
    if cut < 0.35 * level:
        text = text.translate(_PUNCTUATION) or text
    elif cut < 0.6 * level:
        text = text.replace("，", " ")
    return text
