"""The GraphChecks port on the enterprise graph: ``riskloop.graph`` checks behind the decision pipeline.

``WorkspaceGraphChecks`` turns a decision request into the ``applications`` mapping the graph checks read,
and their signals (``GraphSignals.rule_inputs``) and masked evidence into the pipeline's ``GraphSignals``.
Each checked application is then recorded in the graph's overlay and gang index, so a ring applying in a
burst is seen while it applies, not at the next ``graph build``. The checks hold per-call scratch state and
recording mutates the graph, so calls are serialised with a lock (each takes well under 1 ms).
"""

from __future__ import annotations

import threading
from typing import Any

from riskloop.config import Settings
from riskloop.domain.clock import Clock
from riskloop.domain.decision_request import DecisionRequest, GraphSignals
from riskloop.graph.checks import GraphChecks as EngineChecks

MAX_EVIDENCE = 12


class WorkspaceGraphChecks:
    """GraphChecks over a loaded ``riskloop.graph`` analytics object."""

    def __init__(self, checks: EngineChecks, clock: Clock) -> None:
        self.checks = checks
        self.clock = clock
        self._lock = threading.Lock()

    def check(self, request: DecisionRequest) -> GraphSignals:
        """Signals and evidence of ``request`` as of now."""
        application: dict[str, Any] = {
            "application_id": request.application_id,
            "credit_code": request.credit_code,
            "applicant_id": request.applicant_id,
            "phone": request.phone,
            "device_id": request.device_id,
            "ip": request.ip,
            "address": None,
            "email": None,
            "bank_account": None,
            "applied_at": self.clock.now(),
        }
        with self._lock:
            found = self.checks.check(application)
            self.checks.record(application)  # the next arrivals link to it (bursts are seen as they happen)
        inputs = found.rule_inputs()
        evidence = [f"{name}:{label}" for name, labels in sorted(found.evidence.items()) for label in labels]
        if found.gang:
            evidence.insert(0, f"gang:{found.gang.get('label', '')}:{found.gang.get('size', '')}")
        return GraphSignals(
            gang_member=bool(inputs["gang_member"]),
            gang_size=int(float(str(inputs["gang_size"]))),
            shared_phone_other_company=bool(inputs["shared_phone_other_company"]),
            shared_device_applicants=int(float(str(inputs["shared_device_applicants"]))),
            propagated_risk=min(1.0, max(0.0, float(str(inputs["propagated_risk"])))),
            related_party_risk=min(1.0, max(0.0, float(str(inputs["related_party_risk"])))),
            evidence=tuple(evidence[:MAX_EVIDENCE]),
        )


def workspace_graph_checks(settings: Settings, clock: Clock, window_days: float | None = 30.0) -> WorkspaceGraphChecks:
    """Graph checks of the workspace: the stored graph (``riskloop graph build``), usage and status as of now.

    Raises NotFoundError when no graph was built.
    """
    from riskloop.graph.tokens import Tokenizer
    from riskloop.service.graph import load_analytics
    from riskloop.storage.engine import make_engine
    from riskloop.storage.graph_store import SQLGraphStore
    from riskloop.storage.secrets import graph_key
    from riskloop.storage.warehouse import Warehouse

    engine = make_engine(settings.database_url)
    con = Warehouse(settings.warehouse).connect()
    try:
        analytics = load_analytics(
            con, SQLGraphStore(engine), Tokenizer(graph_key(settings.home)), as_of=clock.now(), window_days=window_days
        )
    finally:
        con.close()
        engine.dispose()
    return WorkspaceGraphChecks(analytics.checks, clock)
