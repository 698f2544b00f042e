"""Compositional phrasing: an utterance built from independent parts, so its wordings are open-ended.

A :class:`Grammar` is a set of *families* (the kind of thing said: a threat to the debtor's family, a refusal on
privacy grounds), drawn with long-tailed (Zipf) weights so that some families are rare. A family has sentence
*frames* (word orders) whose ``{fields}`` are filled from the family's own parts, then from the grammar's shared
parts (forms of address, conditions, intensifiers, softeners), then from the call's slots (``{who}``, ``{amt}``,
``{dpd}``, ``{bank}``, ``{day}``, ``{agent}``). A part's alternatives may name further parts. The family's name is
the truth of what was planted: a benchmark can ask how a classifier does on families it never saw in training.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from riskloop.synth.draws import Draws

_FIELD = re.compile(r"\{(\w+)\}")
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Family:
    """One kind of utterance: its name, word orders, own parts and its *key* part.

    The key part (by default the first own part) carries what the utterance is about (which consequence, which
    epithet); the rendered family is ``name#k`` for its ``k``-th alternative, so the truth tells apart utterances
    whose content word a classifier may never have seen.
    """

    name: str
    frames: tuple[str, ...]
    parts: Mapping[str, tuple[str, ...]]
    key: str = ""

    @property
    def key_part(self) -> str:
        """The part whose alternative names the rendered family."""
        return self.key or next(iter(self.parts), "")


@dataclass(frozen=True)
class Grammar:
    """The families of one kind of turn, their cumulative draw weights and the parts they share."""

    kind: str
    families: tuple[Family, ...]
    shared: Mapping[str, tuple[str, ...]]
    cumulative: tuple[float, ...]


def grammar(
    kind: str, families: tuple[Family, ...], shared: Mapping[str, tuple[str, ...]], skew: float = 1.5
) -> Grammar:
    """A grammar whose ``k``-th family is drawn with weight proportional to ``1 / (k + 1) ** skew``."""
    weights = [1.0 / (k + 1) ** skew for k in range(len(families))]
    total, running, cumulative = sum(weights), 0.0, []
    for w in weights:
        running += w
        cumulative.append(running / total)
    cumulative[-1] = 1.0
    return Grammar(kind, families, shared, tuple(cumulative))


def render(g: Grammar, d: Draws, slots: Mapping[str, str]) -> tuple[str, str]:
    """An utterance of ``g`` and the name of its family.

    Parameters
    ----------
    g : Grammar
        What kind of turn to write.
    d : Draws
        The call's uniforms for phrasing.
    slots : mapping
        The call's facts (``who``, ``amt``, ...), filled in last.

    Returns
    -------
    tuple of str
        The text and the family's name (``name#k``, ``k`` the key part's alternative).

    """
    family = g.families[d.index(g.cumulative)]
    key, chosen = family.key_part, [""]

    def fill(match: re.Match[str], depth: int = 0) -> str:
        name = match.group(1)
        options = family.parts.get(name) or g.shared.get(name)
        if options is None:
            return slots[name]
        choice = d.pick(options)
        if name == key and not chosen[0]:
            chosen[0] = f"#{options.index(choice)}"
        if depth >= _MAX_DEPTH:
            return choice
        return _FIELD.sub(lambda m: fill(m, depth + 1), choice)

    text = _FIELD.sub(fill, d.pick(family.frames))
    return text, family.name + chosen[0]


def surface_forms(g: Grammar) -> int:
    """How many distinct texts ``g`` can write before slots and noise (an upper bound: parts may coincide)."""
    total = 0
    for family in g.families:
        for frame in family.frames:
            total += _count(frame, family, g.shared, 0)
    return total


def _count(text: str, family: Family, shared: Mapping[str, tuple[str, ...]], depth: int) -> int:
    n = 1
    for name in _FIELD.findall(text):
        options = family.parts.get(name) or shared.get(name)
        if options is not None and depth < _MAX_DEPTH:
            n *= sum(_count(o, family, shared, depth + 1) for o in options)
    return n
