"""Model lifecycle with four eyes: a registered model is approved, then activated, by someone other than its author.

``registered`` → ``approved`` → ``active`` → ``retired``. The principal who trained and registered a model
never approves or activates it; activating one retires the active model of the same name, so serving
(``Workspace.model_folder``) has one model per name to prefer. A collection policy goes live only with an
off-policy estimate that does not show it worse than the logged policy's (``domain.collection_work.check_release``).
The registry writes each step's audit row in the transaction that makes it.
"""

from __future__ import annotations

from typing import Any

from riskloop.domain.access import Principal, can, require_role
from riskloop.domain.collection_work import check_release
from riskloop.errors import ForbiddenError, ValidationError
from riskloop.scoring.registry import RegisteredModel, validation_report
from riskloop.service.ports import ModelApprovals


class ModelLifecycle:
    """Approves and activates registered models (``approvals``: the model registry)."""

    def __init__(self, approvals: ModelApprovals) -> None:
        self.approvals = approvals

    def approve(self, model_id: str, approver: str) -> RegisteredModel:
        """Approve ``model_id`` for activation; ForbiddenError when ``approver`` registered it."""
        self._check_four_eyes(model_id, approver)
        return self.approvals.mark_approved(model_id, approver)

    def activate(self, model_id: str, approver: str) -> RegisteredModel:
        """Make the approved ``model_id`` the one active model of its name (a retired one: a rollback)."""
        self._check_four_eyes(model_id, approver)
        model = self.approvals.get(model_id)
        check_release(model.model_id, model.kind, model.metrics)
        return self.approvals.mark_active(model_id, approver)

    def _check_four_eyes(self, model_id: str, approver: str) -> None:
        if not approver.strip():
            raise ValidationError("approver", "name who approves")
        author = self.approvals.get(model_id).registered_by
        if approver == author:
            raise ForbiddenError(f"{approver} registered {model_id}: its approver is never its author")


class ModelDesk:
    """The model registry for the console: a model's card (readers), approval and activation (approvers).

    The API's counterpart of ``riskloop models approve|activate``: the principal acts, never the model's trainer.
    """

    def __init__(self, approvals: ModelApprovals) -> None:
        self.approvals, self.lifecycle = approvals, ModelLifecycle(approvals)

    def card(self, principal: Principal, model_id: str) -> dict[str, Any]:
        """Kind, status, metrics, training window, features, sha256, trainer and approver, validation report."""
        require_role(principal, can("model.read"), "reading a model")
        model = self.approvals.get(model_id)
        return {
            **model.lifecycle(),
            "metrics": dict(model.metrics),
            "training_window": dict(model.training_window),
            "features": list(model.features),
            "validation_report": validation_report(model),
        }

    def approve(self, principal: Principal, model_id: str) -> RegisteredModel:
        """Registered → approved by ``principal`` (an approver who did not train it)."""
        require_role(principal, can("model.approve"), "approving a model")
        return self.lifecycle.approve(model_id, principal.name)

    def activate(self, principal: Principal, model_id: str) -> RegisteredModel:
        """Approved (or retired: a rollback) → active by ``principal``; serving follows within seconds."""
        require_role(principal, can("model.approve"), "activating a model")
        return self.lifecycle.activate(model_id, principal.name)
