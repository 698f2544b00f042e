"""Drift scenarios: a regime shift at a date, described as data (which shift, when, how strong, where).

A scenario changes how the universe is generated from its shift date on, through the generator's own
mechanisms (default hazard, business volume, ring arrivals, the bureau's score scale; ``synth/regime.py``),
never by writing labels. ``none`` is today's universe, byte for byte.

The magnitudes below are per unit of ``magnitude``:

- ``industry_downturn``: firms of the affected GB/T 4754 sections lose business volume (revenue, VAT, invoices,
  account inflows) progressively over three months from the shift, and their applications after it carry
  higher default log-odds. The bureau score is left alone: it does not see the downturn.
- ``fraud_wave``: fraud rings of every shape arrive at ``1 + WAVE_RATE`` times the base rate after the shift,
  with the existing rings' artefacts (shared contacts, device farms, nominee representatives, shell invoices).
- ``bureau_policy_change``: the bureau re-scales its score from the shift on (centre up, spread wider): the same
  risk, a shifted score distribution. The bank's historical approvals read the score on its former scale, so
  the approved population and its outcomes do not change: a pure input drift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.errors import ValidationError

NONE, INDUSTRY_DOWNTURN, FRAUD_WAVE, BUREAU_POLICY_CHANGE = (
    "none",
    "industry_downturn",
    "fraud_wave",
    "bureau_policy_change",
)
SCENARIOS = (NONE, INDUSTRY_DOWNTURN, FRAUD_WAVE, BUREAU_POLICY_CHANGE)
SEGMENTS = {
    INDUSTRY_DOWNTURN: "enterprises of the affected industry sections",
    FRAUD_WAVE: "fraud-ring applications",
    BUREAU_POLICY_CHANGE: "every application (its bureau score)",
}
DEFAULT_SECTIONS = ("C", "E")  # manufacturing and construction: about a fifth of companies
APPLY_WINDOW_DAYS = (540, 30)  # applications fall between 18 months and one month before as-of
SHIFT_MARGIN_DAYS = 60  # a shift leaves at least two months of applications on either side
DEFAULT_SHIFT_DAYS = 270  # default shift: the first of the month about nine months before as-of
MAX_MAGNITUDE = 4.0

DOWNTURN_LOGIT = 0.8  # added to the default log-odds (x2.1 odds at magnitude 1)
DOWNTURN_VOLUME = 0.25  # business volume lost at full effect (capped at 90 %)
DOWNTURN_RAMP_DAYS = 91  # the loss builds over the first three months
WAVE_RATE = 2.0  # extra ring arrivals after the shift, as a multiple of the base rate
BUREAU_CENTRE, BUREAU_STRETCH = 50.0, 0.25  # new scale: centre +50 points, spread x1.25


@dataclass(frozen=True)
class Scenario:
    """A regime shift: its name, date (``None``: the default for the universe's as-of), strength and segment.

    Parameters
    ----------
    name : str
        One of ``SCENARIOS``.
    shift_date : datetime.date, optional
        First day of the new regime; must leave ``SHIFT_MARGIN_DAYS`` of applications on either side.
    magnitude : float
        Strength, ``0 < magnitude <= MAX_MAGNITUDE`` (1: the documented effect sizes).
    sections : tuple of str
        GB/T 4754 section letters hit by ``industry_downturn`` (ignored by the other scenarios).

    """

    name: str = NONE
    shift_date: dt.date | None = None
    magnitude: float = 1.0
    sections: tuple[str, ...] = DEFAULT_SECTIONS

    def __post_init__(self) -> None:
        if self.name not in SCENARIOS:
            raise ValidationError("scenario", f"{self.name!r} is not one of {', '.join(SCENARIOS)}")
        if not 0.0 < self.magnitude <= MAX_MAGNITUDE:
            raise ValidationError("magnitude", f"{self.magnitude} must lie in (0, {MAX_MAGNITUDE:g}]")
        unknown = sorted(set(self.sections) - set(INDUSTRY_SECTIONS))
        if unknown or not self.sections:
            what = f"unknown section(s) {', '.join(unknown)}" if unknown else "no section given"
            raise ValidationError("sections", f"{what}; GB/T 4754 section letters A-T")
        # an option that would change nothing is refused rather than silently ignored
        if self.shift_date is not None and self.name == NONE:
            raise ValidationError("shift_date", "only applies with a scenario (scenario is 'none')")
        if self.magnitude != 1.0 and self.name == NONE:
            raise ValidationError("magnitude", "only applies with a scenario (scenario is 'none')")
        if self.sections != DEFAULT_SECTIONS and self.name != INDUSTRY_DOWNTURN:
            raise ValidationError("sections", f"only applies to {INDUSTRY_DOWNTURN} (scenario is {self.name!r})")

    @property
    def active(self) -> bool:
        """Whether the scenario changes anything."""
        return self.name != NONE

    def shift(self, as_of: dt.date) -> dt.date:
        """The shift date for a universe of ``as_of``: the given one, else the first of the month ~9 months back."""
        if self.shift_date is not None:
            return self.shift_date
        return (as_of - dt.timedelta(days=DEFAULT_SHIFT_DAYS)).replace(day=1)

    def check(self, as_of: dt.date) -> None:
        """Refuse a shift date outside the application window of a universe of ``as_of``."""
        if not self.active:
            return
        first = as_of - dt.timedelta(days=APPLY_WINDOW_DAYS[0] - SHIFT_MARGIN_DAYS)
        last = as_of - dt.timedelta(days=APPLY_WINDOW_DAYS[1] + SHIFT_MARGIN_DAYS)
        shift = self.shift(as_of)
        if not first <= shift <= last:
            raise ValidationError(
                "shift_date",
                f"{shift.isoformat()} must lie between {first.isoformat()} and {last.isoformat()} "
                f"(applications run from {APPLY_WINDOW_DAYS[0]} to {APPLY_WINDOW_DAYS[1]} days before as-of "
                f"{as_of.isoformat()}, with {SHIFT_MARGIN_DAYS} days on either side of the shift)",
            )

    def describe(self, as_of: dt.date) -> dict[str, Any]:
        """Plain-JSON form for the manifest and the truth: name, shift date, magnitude, segment."""
        out: dict[str, Any] = {
            "name": self.name,
            "shift_date": self.shift(as_of).isoformat(),
            "magnitude": self.magnitude,
            "segment": SEGMENTS[self.name],
        }
        if self.name == INDUSTRY_DOWNTURN:
            out["sections"] = list(self.sections)
        return out


NO_SCENARIO = Scenario()
