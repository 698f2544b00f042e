"""What a universe's fraud level adds to a chunk: nothing for ``standard``; for ``hard``, rings and decoys.

``chunk_tables`` asks the chunk's ``Fraud`` at three points: after the base rings (more rings), after the firms'
text (decoy addresses and phones) and after the applications (the decoys' and hard rings' identifiers written
in, with their truth in ``truth``). The standard fraud returns what it is given and draws nothing, so a
standard universe is unchanged.
"""

from __future__ import annotations

import pyarrow as pa

from riskloop.synth.applications import Applications
from riskloop.synth.decoys import DecoyPlan, decoy_applications, decoy_text, decoy_truth, plan_decoys
from riskloop.synth.firms import Firms
from riskloop.synth.hard_links import donor_applications, ring_identifiers
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.registration import FirmText
from riskloop.synth.rings import Rings, plant_hard_rings
from riskloop.synth.truth import RING_IDENTIFIERS


class Fraud:
    """The standard fraud: the base rings only."""

    def __init__(self, params: UniverseParams, chunk: int) -> None:
        self.params, self.chunk = params, chunk
        self.truth: dict[str, pa.Table] = {}

    def rings(self, firms: Firms, rings: Rings) -> Rings:
        """The chunk's rings after the base ones."""
        return rings

    def text(self, firms: Firms, rings: Rings, text: FirmText) -> FirmText:
        """The firms' text (registered address, phone)."""
        return text

    def applications(self, firms: Firms, text: FirmText, rings: Rings, apps: Applications, table: pa.Table) -> pa.Table:
        """The applications table."""
        return table


class HardFraud(Fraud):
    """Five more ring shapes (``synth/rings.py``, ``synth/hard_links.py``) and decoys (``synth/decoys.py``)."""

    def __init__(self, params: UniverseParams, chunk: int) -> None:
        super().__init__(params, chunk)
        self.plan: DecoyPlan | None = None

    def rings(self, firms: Firms, rings: Rings) -> Rings:
        """The base rings and the hard shapes' (firms overridden in place)."""
        return plant_hard_rings(self.params, self.chunk, firms, rings)

    def text(self, firms: Firms, rings: Rings, text: FirmText) -> FirmText:
        """Decoy firms chosen among the honest ones (every ring planted by now), their addresses and phones."""
        self.plan = plan_decoys(self.params, self.chunk, firms, rings)
        return decoy_text(firms, text, self.plan)

    def applications(self, firms: Firms, text: FirmText, rings: Rings, apps: Applications, table: pa.Table) -> pa.Table:
        """Decoys first (city carrier pools, family phones), then the rings' identifiers, and their truth.

        In that order a recycled ring reuses identifiers as their honest applicants finally wrote them.
        """
        plan = self.plan
        assert plan is not None, "text() plans the decoys before the applications are made"
        g = rng(self.params, self.chunk, Stream.HARD_LINKS)
        table = decoy_applications(g, firms, text, plan, row=apps.row, table=table)
        donors = donor_applications(apps, table, plan.honest, plan.family)
        table, identifiers = ring_identifiers(self.params.seed, g, firms, rings, apps=apps, table=table, donors=donors)
        self.truth = {
            RING_IDENTIFIERS: identifiers,
            **decoy_truth(self.params, firms, text, plan, row=apps.row, table=table),
        }
        return table


def chunk_fraud(params: UniverseParams, chunk: int) -> Fraud:
    """The fraud of ``params`` for ``chunk``."""
    return HardFraud(params, chunk) if params.hard else Fraud(params, chunk)
