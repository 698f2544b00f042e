"""Model lifecycle with four eyes: a registered model is approved, then activated, by someone other than its author.

``registered`` → ``approved`` → ``active`` → ``retired``. The principal who trained and registered a model
never approves or activates it; activating one retires the active model of the same name, so serving
(``Workspace.model_folder``) has one model per name to prefer. A collection policy goes live only with an
off-policy estimate that does not show it worse than the logged policy's (``domain.collection_work.check_release``).
The registry writes each step's audit row in the transaction that makes it.
"""

from __future__ import annotations

from riskloop.domain.collection_work import check_release
from riskloop.errors import ForbiddenError, ValidationError
from riskloop.scoring.registry import RegisteredModel
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
