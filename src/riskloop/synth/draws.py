"""A row of pre-drawn uniforms consumed in order: far faster than a generator call per choice of a word."""

from __future__ import annotations

from riskloop.synth.arrays import Arr


class Draws:
    """Uniforms in [0, 1) handed out one at a time (wrapping round when the row is used up)."""

    def __init__(self, u: Arr) -> None:
        self.u, self.i = u, 0

    def random(self) -> float:
        """The next uniform."""
        value = float(self.u[self.i % len(self.u)])
        self.i += 1
        return value

    def pick(self, options: tuple[str, ...]) -> str:
        """One of ``options``, uniformly (one uniform whatever their number)."""
        return options[int(self.random() * len(options))]

    def index(self, cumulative: tuple[float, ...]) -> int:
        """An index drawn with the increasing cumulative weights ``cumulative`` (last one 1.0)."""
        x = self.random()
        for i, c in enumerate(cumulative):
            if x < c:
                return i
        return len(cumulative) - 1
