"""The OpenAPI document: every operation documents its errors as problem+json, and everything has an example."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from riskloop.api import (
    collection_schemas,
    document_schemas,
    graph_schemas,
    lending_schemas,
    openapi,
    schemas,
    verification_schemas,
)
from riskloop.api.app import create_app
from riskloop.api.errors import PROBLEM_JSON
from riskloop.api.routes import (
    alerts,
    consents,
    effect,
    health,
    lists,
    me,
    models,
    prospects,
    registrations,
    reviews,
    strategies,
)
from riskloop.config import Settings

RFC_9457 = {"type", "title", "status", "detail", "instance"}
OURS = {"error", "message", "field"}
MODULES: tuple[ModuleType, ...] = (schemas, collection_schemas, document_schemas, openapi, health, reviews,
                                   strategies, alerts, models, effect, lists, verification_schemas,
                                   consents, registrations, prospects, me,
                                   graph_schemas, lending_schemas)  # fmt: skip


def _models() -> dict[str, type[BaseModel]]:
    return {
        name: obj
        for module in MODULES
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and issubclass(obj, BaseModel) and obj is not BaseModel
    }


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(Settings(home=Path("unused"), database_url="sqlite://"))  # the document needs no lifespan
    return app.openapi()


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    resolved: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema
    return resolved


def _examples(media: dict[str, Any], document: dict[str, Any]) -> list[Any]:
    if "example" in media:
        return [media["example"]]
    if "examples" in media:
        return [e["value"] for e in media["examples"].values()]
    return list(_resolve(media.get("schema", {}), document).get("examples", ()))


def _problems(path: str, code: str, media: dict[str, Any], document: dict[str, Any]) -> list[str]:
    schema = _resolve(media.get("schema", {}), document)
    found = []
    if not set(schema.get("required", ())) >= RFC_9457 | OURS:
        found.append(f"{code}: the schema is not a problem")
    for shown in _examples(media, document) or [None]:
        if shown is None:
            found.append(f"{code}: no example")
        elif not set(schema.get("required", ())) <= set(shown) or shown["status"] != int(code):
            found.append(f"{code}: the example is not a {code} problem: {shown}")
        elif shown["instance"] != path or not shown["type"].startswith("urn:riskloop:problem:"):
            found.append(f"{code}: the example's type or instance is wrong: {shown}")
    return found


def _operation_faults(path: str, operation: dict[str, Any], document: dict[str, Any]) -> list[str]:
    faults = []
    responses = operation["responses"]
    errors = {code: r for code, r in responses.items() if code[0] in "45"}
    if not errors:
        faults.append("no error response")
    for code, response in errors.items():
        content = response.get("content", {})
        if list(content) != [PROBLEM_JSON]:
            faults.append(f"{code}: body is {list(content)}, not {PROBLEM_JSON} only")
        faults += _problems(path, code, content.get(PROBLEM_JSON, {}), document)
    needed = ({"401", "403"} if operation.get("security") else set()) | (
        {"422"} if operation.get("parameters") or operation.get("requestBody") else set()
    )
    faults += [f"{code}: not documented" for code in sorted(needed - set(errors))]
    if "requestBody" in operation and not _examples(operation["requestBody"]["content"]["application/json"], document):
        faults.append("request body: no example")
    for parameter in operation.get("parameters", ()):
        if not ({"example", "examples"} & set(parameter) or "examples" in parameter["schema"]):
            faults.append(f"parameter {parameter['name']}: no example")
    for code, response in responses.items():
        if code.startswith("2") and not any(_examples(m, document) for m in response.get("content", {}).values()):
            faults.append(f"{code}: no example")
    return faults


def test_every_operation_documents_problem_errors_and_examples(document: dict[str, Any]) -> None:
    faults = [
        f"{method.upper()} {path}: {fault}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for fault in _operation_faults(path, operation, document)
    ]
    assert faults == []
    assert len(document["paths"]) >= 14  # the walk saw the whole API


def test_every_example_is_valid_for_its_model(document: dict[str, Any]) -> None:
    models = _models()
    shown = {name: s["examples"] for name, s in document["components"]["schemas"].items() if "examples" in s}
    assert {"ApplicationIn", "DecisionOut", "ReviewOut", "StrategyVersionOut", "ReadyOut"} <= set(shown)
    for name, examples in shown.items():
        for example in examples:
            models[name].model_validate_json(json.dumps(example))  # strict models: JSON types exactly
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                media = response.get("content", {}).get(PROBLEM_JSON)
                if media is not None:
                    model = models[media["schema"]["$ref"].rsplit("/", 1)[-1]]
                    assert model.model_validate(media["example"]), f"{path} {code}"


def test_the_example_application_is_decided(client: TestClient) -> None:
    r = client.post("/v1/applications", json=schemas.EXAMPLE_APPLICATION, headers={"Idempotency-Key": "example"})
    assert r.status_code == 201, r.text
    assert set(r.json()) >= set(schemas.EXAMPLE_DECISION)


def test_a_document_without_its_problem_schema_fails_the_walk(document: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(document))
    operation = broken["paths"]["/v1/applications"]["post"]
    operation["responses"]["409"]["content"] = {"application/json": {"schema": {}}}
    del operation["responses"]["401"]
    faults = _operation_faults("/v1/applications", operation, broken)
    assert "409: body is ['application/json'], not application/problem+json only" in faults
    assert "401: not documented" in faults
