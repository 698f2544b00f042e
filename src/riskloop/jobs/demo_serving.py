"""What the demo leaves for ``riskloop serve``: API keys, an approved model and strategy, an example application.

One API key per demo role goes to ``<home>/demo-keys.json`` (mode 0600; secrets never printed; the keys of an
earlier run are revoked). Two of those principals keep four eyes: ``demo-analyst`` trains and registers the
model, authors the strategy version and requests its activation; ``demo-approver`` approves and activates
both, through the same use cases the API calls. The example body to post is ``<home>/demo-application.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskloop.domain.access import (
    ANALYST,
    APPROVER,
    AUDITOR,
    CHANNEL,
    COLLECTION_LEAD,
    COLLECTOR,
    POST_LOAN_OFFICER,
    REVIEWER,
    Principal,
)
from riskloop.rules.engine import Strategy
from riskloop.rules.loaders import reference_strategy

if TYPE_CHECKING:
    from riskloop.scoring.registry import RegisteredModel
    from riskloop.service.api_keys import ApiKeyAdmin
    from riskloop.service.strategies import StrategyLifecycle
    from riskloop.service.strategy_ports import ActiveVersions
    from riskloop.workspace import Workspace

AUTHOR, APPROVING = "demo-analyst", "demo-approver"  # who trains and authors; who approves (never the same)
PRINCIPALS = {
    CHANNEL: "demo-channel",
    REVIEWER: "demo-reviewer",
    ANALYST: AUTHOR,
    APPROVER: APPROVING,
    AUDITOR: "demo-auditor",
    COLLECTOR: "demo-collector",
    COLLECTION_LEAD: "demo-collection-lead",
    POST_LOAN_OFFICER: "demo-officer",
}
KEYS_FILE, APPLICATION_FILE = "demo-keys.json", "demo-application.json"
KEY_CREATOR = "riskloop-demo"  # the audit rows' actor of the demo's key changes
URL = "http://127.0.0.1:8000"


def release_model(ws: Workspace, model_id: str, approver: Principal) -> dict[str, Any]:
    """Approve and activate ``model_id`` (registered by ``AUTHOR``) as ``approver``."""
    lifecycle = ws.model_lifecycle()
    lifecycle.approve(model_id, approver.name)
    return _model(lifecycle.activate(model_id, approver.name))


def release_strategy(
    lifecycle: StrategyLifecycle,
    active: ActiveVersions,
    analyst: Principal,
    approver: Principal,
    shipped: Strategy | None = None,
) -> dict[str, Any]:
    """Make a shipped strategy (the reference one by default) the active version, through its four-eyes lifecycle.

    A re-run finds the same content active and leaves it.
    """
    shipped = shipped or reference_strategy()
    current = active.active(shipped.name)
    if current is None or current.sha256 != shipped.sha256:
        note = f"{shipped.name} as shipped with riskloop, released by riskloop demo"
        version = lifecycle.create(analyst, shipped.name, shipped.content, note=note).version
        lifecycle.submit(analyst, shipped.name, version)
        lifecycle.approve(approver, shipped.name, version)
        change = lifecycle.request_activation(analyst, shipped.name, version, note=note)
        current = lifecycle.approve_activation(approver, change)
    return current.to_dict()


def demo_keys(admin: ApiKeyAdmin, home: Path) -> tuple[Path, dict[str, Principal]]:
    """One key per demo role (the demo's earlier ones revoked), secrets written mode 0600; the principals by role."""
    for key in admin.list():
        if key.revoked_at is None and key.principal in PRINCIPALS.values():
            admin.revoke(key.key_id, actor=KEY_CREATOR)
    created = {role: admin.create(principal, [role], actor=KEY_CREATOR) for role, principal in PRINCIPALS.items()}
    secrets = {
        role: {"principal": made.key.principal, "key_id": made.key.key_id, "roles": list(made.key.roles),
               "secret": made.secret}
        for role, made in created.items()
    }  # fmt: skip
    path = home / KEYS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: tighten it
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(secrets, out, indent=2)
    principals = {
        role: Principal(made.key.principal, frozenset(made.key.roles), made.key.key_id)
        for role, made in created.items()
    }
    return path, principals


def write_example(home: Path, body: Mapping[str, Any]) -> Path:
    """Write the example application body the printed curl posts."""
    path = home / APPLICATION_FILE
    path.write_text(json.dumps(dict(body), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def idempotency_key(application_id: str) -> str:
    """The demo channel's Idempotency-Key of an application: its recorded decision's, and the printed curl's."""
    return f"demo-{application_id}"


def serving(keys: Path, home: Path, example: Mapping[str, Any], report: Path) -> dict[str, Any]:
    """Write the example body; what to post and what to run next (``serve`` and ``next`` of the summary)."""
    application = write_example(home, example)
    key = idempotency_key(str(example["application_id"]))
    return {
        "serve": {
            "url": URL,
            "keys_file": str(keys),
            "principals": PRINCIPALS,
            "application_file": str(application),
            "idempotency_key": key,
            "console": {"url": f"{URL}/console", "principals": PRINCIPALS},
        },
        "next": next_commands(home, keys, application, report, key),
    }


def next_commands(home: Path, keys: Path, application: Path, report: Path, idempotency_key: str) -> dict[str, Any]:
    """The commands to serve the workspace and post the example (paths relative to the working directory)."""
    secret = f"import json; print(json.load(open('{_shown(keys)}'))['{CHANNEL}']['secret'])"
    curl = (
        f'curl -s -X POST {URL}/v1/applications -H "Authorization: Bearer $KEY" '
        f'-H "Idempotency-Key: {idempotency_key}" -H "Content-Type: application/json" -d @{_shown(application)}'
    )
    return {
        # Following the active version of `reference`, so a version released in the console decides at once.
        "serve": f"{_command()} --home {_shown(home)} serve --strategy {reference_strategy().name}",
        "curl": [f'KEY=$(python3 -c "{secret}")', curl],
        "report": _shown(report),
    }


def _command() -> str:
    """``riskloop`` when on PATH, else the script beside this interpreter (``make demo``: ``.venv/bin/riskloop``)."""
    script = Path(sys.executable).with_name("riskloop")
    return "riskloop" if shutil.which("riskloop") or not script.is_file() else _shown(script)


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (as a person would type it)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _model(model: RegisteredModel) -> dict[str, Any]:
    return {
        "model_id": model.model_id,
        "status": model.status,
        "registered_by": model.registered_by,
        "approved_by": model.approved_by,
        "bundle": model.path,
    }
