"""Open-ended phrasing of the transcripts: families, surface forms, hard negatives and recognition noise."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from riskloop.domain.collection import AGENT, DEBTOR, FALSE_LEGAL, INSULT, THIRD_PARTY, THREAT
from riskloop.synth import transcript_phrases as ph
from riskloop.synth.asr import HOMOPHONES, noisy
from riskloop.synth.draws import Draws
from riskloop.synth.params import UniverseParams
from riskloop.synth.phrasing import render, surface_forms
from riskloop.synth.transcripts import GRAMMARS, HARD_NEGATIVES
from riskloop.synth.universe import chunk_tables

SLOTS = {"who": "王总", "amt": "12,345.00元", "dpd": "35", "bank": "锦程银行", "day": "明天", "agent": "小李"}
# What 1.6.0 said for each issue: the banks a classifier could memorise.
OLD_BANKS = {
    THREAT: ph.THREATS,
    INSULT: ph.INSULTS,
    FALSE_LEGAL: ph.FALSE_LEGAL,
    THIRD_PARTY: ph.DISCLOSE_TO_THIRD_PARTY,
}


def _renders(kind: str, n: int, seed: int = 3) -> list[tuple[str, str]]:
    u = np.random.default_rng(seed).random((n, 64))
    return [render(GRAMMARS[kind], Draws(row), SLOTS) for row in u]


@pytest.mark.parametrize("kind", sorted(GRAMMARS))
def test_every_family_renders_filled_text_with_a_long_tail(kind: str) -> None:
    out = _renders(kind, 4000)
    assert all("{" not in text and "}" not in text and text for text, _ in out)
    counts = Counter(family.split("#")[0] for _, family in out)
    names = [f.name for f in GRAMMARS[kind].families]
    assert set(counts) == set(names)
    assert all(f.startswith(n.split("/")[0]) for f in counts for n in names[:1])
    assert counts[names[0]] > 2 * counts[names[-1]]  # long-tailed: the first family is the commonest


@pytest.mark.parametrize("kind", [THREAT, INSULT, FALSE_LEGAL, THIRD_PARTY])
def test_issues_are_open_ended_and_not_the_old_wordings(kind: str) -> None:
    texts = [text for text, _ in _renders(kind, 3000)]
    assert len(set(texts)) > 0.5 * len(texts)  # most renderings are new, even before noise and slots vary
    assert surface_forms(GRAMMARS[kind]) > 10_000
    old = {w.format(**SLOTS, s="李", no="1234") for w in OLD_BANKS[kind]}
    assert sum(t in old for t in texts) < 0.01 * len(texts)


def test_noise_keeps_a_clean_line_and_changes_a_noisy_one() -> None:
    text = "您好，我是锦程银行的小李，工号1234，本次通话将被录音。您的贷款已经逾期35天了。"
    assert noisy(text, Draws(np.full(64, 0.999)), 0.0) == text
    rng = np.random.default_rng(0)
    changed = [noisy(text, Draws(rng.random(64)), 0.99) for _ in range(300)]
    assert sum(c != text for c in changed) > 150
    assert all("工号" in c and "银行" in c and "录音" in c for c in changed)
    assert any(sound in c for c in changed for sound in HOMOPHONES["逾期"])


@pytest.fixture(scope="module")
def chunk() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    tables, truth = chunk_tables(UniverseParams(enterprises=4000, seed=17, chunk_size=4000), 0)
    turns = tables["call_turns"].to_pandas()
    return turns, truth["call_labels"].to_pandas(), truth["call_hard_negatives"].to_pandas()


def test_labels_name_the_family_of_their_issue(chunk: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    _, labels, _ = chunk
    prefix = {
        THREAT: "threat/",
        INSULT: "insult/",
        FALSE_LEGAL: "false_legal/",
        THIRD_PARTY: "disclosure/",
        "off_hours": "off_hours/",
        "missing_disclosure": "missing/",
    }
    assert len(labels) > 20
    assert all(f.startswith(prefix[i]) for i, f in zip(labels.issue_type, labels.family, strict=True))


def test_hard_negatives_are_said_by_the_right_speaker_and_never_labelled(
    chunk: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    turns, labels, negatives = chunk
    assert set(negatives.kind) == set(HARD_NEGATIVES)
    said = negatives.merge(turns, on=["call_id", "turn_no"], how="left", validate="one_to_one")
    assert said.text.notna().all()
    assert (said.speaker[said.kind == "debtor_insult"] == DEBTOR).all()
    assert (said.speaker[said.kind != "debtor_insult"] == AGENT).all()
    labelled = set(zip(labels.call_id, labels.turn_no, strict=True))
    assert not any((c, t) in labelled for c, t in zip(negatives.call_id, negatives.turn_no, strict=True))
    for kind, families in negatives.groupby("kind").family:
        assert set(families.str.split("#").str[0]) <= {f.name for f in GRAMMARS[str(kind)].families}
        assert families.str.contains("#").all()
