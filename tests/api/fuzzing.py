"""Schemathesis over every operation of the OpenAPI document, with a key of every role: no server error.

The roles are fuzzed in three modules (``test_schemathesis*``) so that the test workers share them.

Every operation is fuzzed in-process (ASGI) with valid and invalid requests (schemathesis' positive and
negative modes), ``MAX_EXAMPLES`` each per role where the role is accepted (``FORBIDDEN_EXAMPLES`` where its
``require(...)`` refuses the role: every such request stops at the same key check), derandomised (the same
cases every run) and without shrinking, so the run is bounded. Each response must not be a 5xx (a shed 503
has ``Retry-After`` and is allowed; in-process nothing is shed) and must conform to the document: status,
content type, headers and body schema. Every failure is collected and listed at the end with the operation,
role and request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from riskloop.api.app import create_app
from riskloop.api.auth import route_roles
from riskloop.api.routes.prospects import EXAMPLE_RUN_ID
from riskloop.config import Settings
from riskloop.testing.api_keys import authenticate, bearer
from riskloop.testing.collections import PhraseChecker
from riskloop.testing.decider import make_decider
from riskloop.testing.fake_core import FakeCore
from riskloop.testing.graph_explorer import example_source
from riskloop.testing.prospects import run_entry, sample_prospects, sample_run

MAX_EXAMPLES = 8  # per operation, role and mode
FORBIDDEN_EXAMPLES = 2  # per operation and mode the role may not call: the 403 and its document are checked
ROLES = {"channel": ("channel",), "rita": ("reviewer",), "andy": ("analyst",), "alma": ("approver",),
         "otto": ("auditor",), "paul": ("post_loan_officer",), "carl": ("collector",),
         "lena": ("collection_lead",), "lisa": ("list_keeper",)}  # fmt: skip
CHECKER = PhraseChecker({"不还钱": "threat", "老赖": "insult"})
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def started(tmp_path: Path, db_url: str) -> Iterator[tuple[Any, dict[str, str]]]:
    """The app on SQLite and on PostgreSQL (which refuses NUL in text: a 500 before the bounds)."""
    settings = Settings(home=tmp_path / "home", database_url=db_url, core_secret="fuzzing-core-secret")
    app = create_app(  # transcripts get checked, the graph holds the examples' enterprises, a fake core pays
        settings,
        decider=make_decider(),
        transcript_checker=lambda: CHECKER,
        graph_source=example_source(),
        core=FakeCore(),
    )
    with TestClient(app, raise_server_exceptions=False) as client:  # the lifespan runs for the whole test
        callers = authenticate(client, ROLES)
        seed_prospects(client.app.state.services.prospects().store)  # type: ignore[attr-defined]
        yield app, {name: caller.secret for name, caller in callers.items()}


def seed_prospects(store: Any) -> None:
    """A run under the id and day of the prospects' examples: their 200s are fuzzed too."""
    run = sample_run(EXAMPLE_RUN_ID, 3)
    store.save_run(run, sample_prospects(3), run_entry(run))


def fuzz(app: Any, secret: str, roles: frozenset[str], mode: GenerationMode) -> tuple[int, list[str]]:
    """Cases run and the failures found on every operation, as one key's holder (holding ``roles``)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    accepted = route_roles(app)
    failures: list[str] = []
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label
        allowed = label not in accepted or not roles.isdisjoint(accepted[label])

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES if allowed else FORBIDDEN_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal cases
            cases += 1
            try:
                case.call_and_validate(headers=bearer(secret), checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # a schemathesis failure group: keep it, go on
                failures.append(f"{label} [{mode.value}]: {str(exc).strip()[:600]}")  # noqa: B023 - run in this iteration

        try:
            run()
        except Unsatisfiable:  # negative mode on an operation without parameters or body: nothing to break
            continue
    return cases, failures


def fuzz_role(started: tuple[Any, dict[str, str]], role: str) -> None:
    """Fuzz every operation as ``role`` in both modes: many cases, no failure."""
    app, secrets = started
    cases, failures = 0, []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        run, found = fuzz(app, secrets[role], frozenset(ROLES[role]), mode)
        cases, failures = cases + run, failures + found
    print(f"schemathesis as {role}: {cases} cases, {len(failures)} failures")  # the closing figure (pytest -s)
    assert cases > 100
    assert not failures, "\n\n".join(failures)
