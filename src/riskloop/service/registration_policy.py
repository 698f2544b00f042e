"""The registration policy's lifecycle: a bank's thresholds registered as a version, released by someone else.

``register_policy`` validates a policy file (a ValidationError naming the key), writes it as a bundle (the file
and a manifest of its sha256) and registers it in the model registry under kind ``registration-policy``; the
registry writes the ``model.registered`` audit row. ``riskloop models approve`` and ``activate``, by a person
other than its author, release it (audited there). ``ActiveRegistrationPolicy`` is what screening reads on every
registration: the active version (its sha256 checked when loaded, reloaded when another is activated), or the
shipped one while none is active.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from riskloop.admission.policy import Policy, parse_policy, read_bundle, read_policy_file, sha256_hex, write_bundle
from riskloop.domain.registration import POLICY_KIND
from riskloop.errors import ValidationError
from riskloop.scoring.registry import ACTIVE, UNKNOWN_AUTHOR, ModelRegistry, model_id
from riskloop.service.ports import ModelHome
from riskloop.service.registration_ports import ActivePolicy

SHIPPED_SOURCE = "shipped; no registration policy active"


def register_policy(home: ModelHome, path: Path, author: str = UNKNOWN_AUTHOR) -> dict[str, Any]:
    """Validate the policy in ``path`` and register it as the next version (status ``registered``)."""
    data = read_policy_file(path)
    policy = parse_policy(data, path.name)
    raw = path.read_bytes()
    digest = sha256_hex(raw)
    for known in home.registry.list(POLICY_KIND):
        if known.metrics.get("policy_version") == policy.version and known.metrics.get("sha256") != digest:
            raise ValidationError(
                "version", f"{policy.version!r} is registered as {known.model_id} with other thresholds: change it"
            )
    version = max([m.version for m in home.registry.list(POLICY_KIND)], default=0) + 1
    folder = write_bundle(home.models / model_id(POLICY_KIND, version), raw)
    metrics = {"policy_version": policy.version, "sha256": digest, "hold_days": policy.hold_days}
    window = {"source": path.name}
    registered = home.registry.register(folder, POLICY_KIND, POLICY_KIND, metrics, window, [],
                                        registered_by=author)  # fmt: skip
    release = f"riskloop models approve {registered}, then activate (another person)"
    return {"model_id": registered, "policy_version": policy.version, "sha256": digest, "status": "registered",
            "registered_by": author, "next": release}  # fmt: skip


class ActiveRegistrationPolicy:
    """The registry's active registration policy, or ``fallback`` (the shipped one) while none is active."""

    def __init__(self, registry: ModelRegistry, fallback: Policy) -> None:
        self.registry = registry
        self._fallback = ActivePolicy(fallback, SHIPPED_SOURCE)
        self._loaded: tuple[str, ActivePolicy] | None = None
        self._lock = threading.Lock()

    def current(self) -> ActivePolicy:
        """The active version (loaded once per activation, sha256 checked), else the shipped policy."""
        model = next((m for m in self.registry.list(POLICY_KIND) if m.status == ACTIVE), None)
        if model is None:
            return self._fallback
        with self._lock:
            if self._loaded is None or self._loaded[0] != model.manifest_sha256:
                policy = read_bundle(Path(model.path), model.manifest_sha256)
                self._loaded = (model.manifest_sha256, ActivePolicy(policy, f"{model.model_id}, active"))
            return self._loaded[1]
