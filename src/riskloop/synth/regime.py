"""A chunk's regime: how its scenario (``synth/scenario.py``) acts on the generator's own mechanisms.

Each effect starts on the shift date and only in the scenario's segment, so data dated before the shift, and so
every application before it with what its features read, is drawn as without the scenario (pre-existing
streams keep their draws; a fraud wave's rings come from their own stream). Truth records, per application,
whether it came after the shift, whether it is in the segment and whether the scenario changed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.synth.arrays import Arr
from riskloop.synth.firms import PD_INTERCEPT, PD_SLOPE, Firms, sigmoid
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.rings import WINDOW_DAYS, Rings, plant_more, rings_per_shape
from riskloop.synth.scenario import (
    BUREAU_CENTRE,
    BUREAU_POLICY_CHANGE,
    BUREAU_STRETCH,
    DOWNTURN_LOGIT,
    DOWNTURN_RAMP_DAYS,
    DOWNTURN_VOLUME,
    FRAUD_WAVE,
    INDUSTRY_DOWNTURN,
    WAVE_RATE,
    Scenario,
)

SCORE_CENTRE = 640.0  # the bureau score's centre on its former scale (``applications.py``)
TRUTH_SCHEMA = pa.schema(
    [
        ("application_id", pa.string()),
        ("after_shift", pa.bool_()),  # applied on or after the shift date
        ("in_segment", pa.bool_()),  # in the scenario's segment (whatever the date)
        ("affected", pa.bool_()),  # generated under the new regime: after the shift and in the segment
    ]
)
SCENARIO_SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("shift_date", pa.date32()),
        ("magnitude", pa.float64()),
        ("segment", pa.string()),
        ("sections", pa.string()),  # comma-separated GB/T 4754 sections of a downturn, else empty
    ]
)


@dataclass(frozen=True)
class Regime:
    """The scenario as one chunk sees it."""

    scenario: Scenario
    shift: np.datetime64  # first day of the new regime, datetime64[D]
    hit: Arr  # per firm: in the downturn's sections (all False for other scenarios)
    base_rings: int  # ring positions from here on were planted by the fraud wave

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def progress(self, day: Arr) -> Arr:
        """How far the downturn has built up on ``day``: 0 before the shift, 1 after the ramp."""
        out: Arr = np.clip((day - self.shift).astype(np.int64) / DOWNTURN_RAMP_DAYS, 0.0, 1.0) * (day >= self.shift)
        return out

    def volume(self, rows: Arr, day: Arr) -> Arr:
        """Multiplier of the business volume of firms ``rows`` on ``day`` (1 outside the downturn)."""
        if self.name != INDUSTRY_DOWNTURN:
            return np.ones(np.broadcast(rows, day).shape)
        loss = min(DOWNTURN_VOLUME * self.scenario.magnitude, 0.9)
        out: Arr = 1.0 - loss * self.progress(day) * self.hit[rows]
        return out

    def monthly(self, n_firms: int, months: Arr) -> Arr:
        """Business-volume multiplier of every firm and month (read mid-month), firms x months."""
        mid = months.astype("datetime64[D]") + np.timedelta64(14, "D")
        return self.volume(np.arange(n_firms)[:, None], mid[None, :])

    def default_pd(self, firms: Firms, rows: Arr, day: Arr) -> Arr:
        """12-month default probability of honest applications of ``rows`` made on ``day``."""
        if self.name != INDUSTRY_DOWNTURN:
            return firms.pd_12m[rows]
        shifted = (day >= self.shift) & self.hit[rows]
        logit = PD_INTERCEPT - PD_SLOPE * firms.z[rows] + DOWNTURN_LOGIT * self.scenario.magnitude * shifted
        return sigmoid(logit)

    def bureau_score(self, score: Arr, day: Arr) -> Arr:
        """The bureau's score (before rounding) as reported on ``day``: re-scaled from the shift on."""
        if self.name != BUREAU_POLICY_CHANGE:
            return score
        m = self.scenario.magnitude
        rescaled = SCORE_CENTRE + BUREAU_CENTRE * m + (1.0 + BUREAU_STRETCH * m) * (score - SCORE_CENTRE)
        out: Arr = np.where(day >= self.shift, rescaled, score)
        return out

    def truth(self, application_id: pa.Array, row: Arr, ring: Arr, applied_day: Arr) -> pa.Table:
        """Per application: after the shift, in the segment, affected (see ``TRUTH_SCHEMA``)."""
        after = applied_day >= self.shift
        if self.name == INDUSTRY_DOWNTURN:
            segment = self.hit[row]
            affected = segment & after
        elif self.name == FRAUD_WAVE:
            segment = ring >= 0
            affected = ring >= self.base_rings
        else:
            segment = np.ones(len(row), dtype=bool)
            affected = after
        return pa.table(
            {"application_id": application_id, "after_shift": after, "in_segment": segment, "affected": affected}
        )


def chunk_regime(params: UniverseParams, chunk: int, firms: Firms, rings: Rings) -> tuple[Regime, Rings]:
    """The chunk's regime and its rings, with a fraud wave's extra rings planted (firms overridden in place)."""
    scenario = params.scenario
    shift = np.datetime64(scenario.shift(params.as_of), "D")
    hit = np.zeros(firms.n, dtype=bool)
    if scenario.name == INDUSTRY_DOWNTURN:
        hit = np.isin(firms.section, [INDUSTRY_SECTIONS.index(s) for s in scenario.sections])
    regime = Regime(scenario=scenario, shift=shift, hit=hit, base_rings=rings.count)
    if scenario.name != FRAUD_WAVE:
        return regime, rings
    # base rings start uniformly over the ring window: the wave adds WAVE_RATE x magnitude times their rate after
    # the shift, in the same shapes
    last = params.as_of_day - np.timedelta64(WINDOW_DAYS[1], "D")
    after = (last - shift).astype(np.int64)
    share = after / (WINDOW_DAYS[0] - WINDOW_DAYS[1])
    per_shape = round(rings_per_shape(firms.n) * share * WAVE_RATE * scenario.magnitude)
    g = rng(params, chunk, Stream.SCENARIO)
    return regime, plant_more(g, chunk, firms, rings, per_shape=per_shape, window=(shift, int(after) * 86400))


def scenario_table(params: UniverseParams) -> pa.Table:
    """The one-row truth of the universe's scenario."""
    s = params.scenario
    sections = ",".join(s.sections) if s.name == INDUSTRY_DOWNTURN else ""
    described = s.describe(params.as_of)
    return pa.table(
        {
            "scenario": [s.name],
            "shift_date": [dt.date.fromisoformat(described["shift_date"])],
            "magnitude": [float(s.magnitude)],
            "segment": [described["segment"]],
            "sections": [sections],
        },
        schema=SCENARIO_SCHEMA,
    )
