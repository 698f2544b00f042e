"""ProspectScreen: rank every enterprise with sales history as a marketing prospect, with reasons and a product.

One run, as of one day, reads: each enterprise's registration facts and tax grade (the warehouse), its business-
scale forecast (``ForecastSource``), the credit model's PD on a profile without an application (``PdSource``), its
graph signals (``GraphSignalSource``) and the bank's black list (``Blacklist``). The screening policy excludes
enterprises a bank never markets to and discounts graph risk (``prospecting.rank``); the active product catalogue
gives each prospect the product that fits (``ProductChooser``). The run, its prospects and the versions of
everything it read are stored in one transaction with an audit row.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from riskloop.domain.access import ANALYST, Principal, require_role
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.prospect import Prospect, ProspectRun
from riskloop.prospecting.policy import ScreeningPolicy
from riskloop.prospecting.profile import enterprise_profiles
from riskloop.prospecting.rank import Screened, exclusion_counts, exclusions, ranking, scores
from riskloop.prospecting.reasons import prospect_reasons
from riskloop.service.ports import Progress, no_progress
from riskloop.service.prospect_ports import (
    Blacklist,
    ForecastSource,
    GraphSignalSource,
    PdSource,
    ProductChooser,
    ProspectStore,
)

INDIVIDUAL_KIND = "individual_business"
YEAR_DAYS = 365.25


@dataclass(frozen=True)
class ScreenInputs:
    """Everything a run reads, behind its ports."""

    root: Path  # the warehouse: registration facts and tax grades
    forecasts: ForecastSource
    pds: PdSource
    graph: GraphSignalSource
    blacklist: Blacklist
    products: ProductChooser


class ProspectScreen:
    """Screens, ranks and stores one prospect run (analysts run it)."""

    def __init__(
        self, inputs: ScreenInputs, policy: Callable[[], ScreeningPolicy], store: ProspectStore, clock: Clock
    ) -> None:
        self.inputs, self.policy, self.store, self.clock = inputs, policy, store, clock

    def run(self, principal: Principal, as_of: dt.date, progress: Progress = no_progress) -> ProspectRun:
        """Screen every enterprise as of ``as_of`` and store the ranked prospects; returns the run."""
        require_role(principal, (ANALYST,), "screening prospects")
        policy = self.policy()
        screening = self.screening(as_of, policy, progress)
        frame, score, order = screening.frame, screening.score, screening.order
        prospects = self._prospects(frame, score, order, progress)
        now = self.clock.now()
        run = ProspectRun(
            run_id=f"pr-{as_of:%Y%m%d}-{uuid.uuid4().hex[:10]}",
            as_of=as_of,
            created_at=now,
            created_by=principal.name,
            screened=len(frame.codes),
            ranked=len(prospects),
            excluded=exclusion_counts(screening.excluded),
            versions=self._versions(policy),
        )
        entry = AuditEntry(now, principal.name, "prospects.screened", "prospect_run", run.run_id, run.to_dict())
        progress("store", 0, len(prospects))
        self.store.save_run(run, prospects, entry)
        progress("store", len(prospects), len(prospects))
        return run

    def screening(self, as_of: dt.date, policy: ScreeningPolicy, progress: Progress = no_progress) -> Screening:
        """Every enterprise's inputs, exclusion and score, and the ranked order (what a run stores the top of)."""
        frame = self._screen(as_of, policy, progress)
        progress("rank", 0, 1)
        excluded = exclusions(frame.screened, policy)
        score = scores(frame.screened, policy)
        order = ranking(score, excluded, frame.codes, policy.keep)
        progress("rank", 1, 1)
        return Screening(frame, excluded, score, order)

    def _versions(self, policy: ScreeningPolicy) -> dict[str, str]:
        return {
            "forecast": self.inputs.forecasts.version,
            "credit_model": self.inputs.pds.version,
            "graph": self.inputs.graph.version,
            "screening_policy": f"{policy.version} sha256:{policy.sha256[:16]}",
        }

    def _screen(self, as_of: dt.date, policy: ScreeningPolicy, progress: Progress) -> ScreenFrame:
        progress("profiles", 0, 1)
        facts = enterprise_profiles(self.inputs.root, as_of)
        codes = np.asarray(facts.column("credit_code").to_pylist(), dtype=object)
        progress("forecast", 0, 1)
        forecast = _aligned(self.inputs.forecasts.forecast(as_of), codes)
        progress("pd", 0, 1)
        pd_ = _aligned(self.inputs.pds.pds(as_of), codes)["pd"]
        progress("graph", 0, 1)
        graph = self.inputs.graph.signals(list(codes), as_of)
        # black-listed on the day screened or now, when the list goes to marketing: either keeps it off the list
        day = dt.datetime.combine(as_of, dt.time(), dt.UTC)
        black = self.inputs.blacklist.blacklisted(list(codes), (day, self.clock.now()))
        established = facts.column("established_date").to_numpy(zero_copy_only=False).astype("datetime64[D]")
        years = (np.datetime64(as_of, "D") - established).astype(np.float64) / YEAR_DAYS
        statuses = np.asarray(facts.column("status").to_pylist(), dtype=object)
        screened = Screened(
            blacklisted=np.fromiter((c in black for c in codes), dtype=bool, count=len(codes)),
            active=np.isin(statuses, list(policy.active_statuses)),
            defaulted=graph.troubled["default"],
            dishonest=graph.troubled["dishonest"] | graph.troubled["enforcement"],
            gang=graph.gang,
            years=years,
            last_12m_sales=forecast["last_12m_sales"],
            p_growth=forecast["p_growth_20"],
            pd=pd_,
            related_risk=graph.related_risk,
            propagated_risk=graph.propagated_risk,
            bad_neighbours=graph.bad_neighbours,
        )
        return ScreenFrame(codes, facts, forecast, screened)

    def _prospects(
        self, frame: ScreenFrame, score: np.ndarray, order: np.ndarray, progress: Progress
    ) -> list[Prospect]:
        progress("products", 0, len(order))
        profiles = [frame.profile(int(i)) for i in order]
        offers = self.inputs.products.recommend_many(profiles)
        progress("products", len(order), len(order))
        return [frame.prospect(int(i), rank, float(score[i]), offer) for rank, (i, offer) in
                enumerate(zip(order, offers, strict=True), start=1)]  # fmt: skip


@dataclass(frozen=True)
class Screening:
    """One screening before it is stored: inputs, exclusion index, score and ranked positions."""

    frame: ScreenFrame
    excluded: np.ndarray
    score: np.ndarray
    order: np.ndarray


@dataclass(frozen=True)
class ScreenFrame:
    """Aligned columns of every screened enterprise."""

    codes: np.ndarray
    facts: pa.Table
    forecast: dict[str, np.ndarray]
    screened: Screened

    def _fact(self, name: str, i: int) -> Any:
        return self.facts.column(name)[i].as_py()

    def _growth(self, suffix: str, i: int) -> float | None:
        value = float(self.forecast[f"growth_12m{suffix}"][i])
        return value if math.isfinite(value) else None

    def profile(self, i: int) -> dict[str, object]:
        """The product catalogue's inputs for enterprise ``i``."""
        s = self.screened
        return {
            "tax_grade": self._fact("tax_grade", i),
            "years_in_business": float(s.years[i]),
            "pd": float(s.pd[i]),
            "last_12m_sales": float(s.last_12m_sales[i]),
            "sales_12m_forecast": float(self.forecast["sales_12m"][i]),
            "growth_12m": self._growth("", i),
            "related_risk": float(s.related_risk[i]),
            "propagated_risk": float(s.propagated_risk[i]),
            "gang": bool(s.gang[i]),
            "bad_neighbours": int(s.bad_neighbours[i]),
            "individual": self._fact("kind", i) == INDIVIDUAL_KIND,
            "section": self._fact("section", i),
            "blacklisted": bool(s.blacklisted[i]),
            "excluded": False,  # only enterprises that passed every exclusion are ranked
        }

    def prospect(self, i: int, rank: int, score: float, offer: Any) -> Prospect:
        """The ranked record of enterprise ``i``."""
        s = self.screened
        growth = self._growth("", i)
        reasons = prospect_reasons(
            growth=growth,
            growth_lo=self._growth("_lo", i),
            growth_hi=self._growth("_hi", i),
            last_12m_sales=float(s.last_12m_sales[i]),
            tax_grade=self._fact("tax_grade", i),
            pd=float(s.pd[i]),
            years=float(s.years[i]),
            bad_neighbours=int(s.bad_neighbours[i]),
        )
        return Prospect(
            rank=rank,
            credit_code=str(self.codes[i]),
            name=self._fact("name", i) or "",
            section=self._fact("section", i) or "",
            region=self._fact("region", i) or "",
            score=score,
            p_growth=float(np.clip(s.p_growth[i], 0.0, 1.0)),
            pd=float(np.clip(s.pd[i], 0.0, 1.0)),
            last_12m_sales_cents=round(float(s.last_12m_sales[i]) * 100),
            forecast_12m_sales_cents=round(float(self.forecast["sales_12m"][i]) * 100),
            growth_12m=growth,
            growth_12m_lo=self._growth("_lo", i),
            growth_12m_hi=self._growth("_hi", i),
            tax_grade=self._fact("tax_grade", i),
            years_in_business=round(float(s.years[i]), 2),
            related_risk=float(s.related_risk[i]),
            propagated_risk=float(s.propagated_risk[i]),
            bad_neighbours=int(s.bad_neighbours[i]),
            reasons=reasons,
            offer=offer,
        )


def _aligned(table: pa.Table, codes: np.ndarray) -> dict[str, np.ndarray]:
    """Float columns of ``table`` in the order of ``codes`` (NaN for a code the table lacks)."""
    position = {c: i for i, c in enumerate(table.column("credit_code").to_pylist())}
    rows = np.fromiter((position.get(c, -1) for c in codes), dtype=np.int64, count=len(codes))
    out = {}
    for name in table.column_names:
        if name == "credit_code" or not pa.types.is_floating(table.schema.field(name).type):
            continue
        values = table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
        out[name] = np.where(rows >= 0, values[np.maximum(rows, 0)] if len(values) else np.nan, np.nan)
    return out
