"""The error side of the OpenAPI document: the problem+json schema and an example on every error response.

Routes declare their errors with ``problem_responses(401, 403, ...)``; every operation also documents the 500
that any unexpected failure becomes. ``install`` adds the problem schemas to the document's components and
points each example's ``instance`` at its operation's path.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from riskloop.api.errors import INTERNAL, KINDS, PROBLEM_JSON, TYPE_PREFIX
from riskloop.errors import (
    ConflictError,
    DataSourceError,
    ForbiddenError,
    NotFoundError,
    OverloadedError,
    RiskloopError,
    ThrottledError,
    TooLargeError,
    UnauthenticatedError,
    ValidationError,
)

REF = "#/components/schemas/{model}"


class FieldProblem(BaseModel):
    """One offending field of a request."""

    field: str
    message: str
    type: str


class Problem(BaseModel):
    """An error: RFC 9457 problem details (``application/problem+json``) with riskloop's members."""

    type: str = Field(description="the problem type, urn:riskloop:problem:<slug>")
    title: str = Field(description="short summary of the problem type")
    status: int = Field(description="the HTTP status")
    detail: str = Field(description="what went wrong in this occurrence")
    instance: str = Field(description="the request path")
    error: str = Field(description="the kind: an exception of riskloop.errors, InternalError, NotReady, ...")
    message: str = Field(description="same as detail (kept for clients of the first release)")
    field: str | None = Field(description="the offending field or header, when there is one")
    fields: list[FieldProblem] | None = Field(default=None, description="validation errors: every offending field")


# One example per status: (exception of the tree or None for the 500, message, field, extension members).
_EXAMPLES: dict[int, tuple[type[RiskloopError] | None, str, str | None, dict[str, Any]]] = {
    401: (UnauthenticatedError, "Authorization: unknown or revoked API key", "Authorization", {}),
    403: (ForbiddenError, "POST /v1/applications needs the role channel; the key k-3f2a of ann has reviewer",
          "Authorization", {}),
    404: (NotFoundError, "decision 7d0c6a4e-0000-4000-8000-000000000001 does not exist", None, {}),
    409: (ConflictError, "Idempotency-Key: this key was already used with a different request body",
          "Idempotency-Key", {}),
    422: (ValidationError, "amount_cents: Input should be greater than or equal to 1", "amount_cents",
          {"fields": [{"field": "amount_cents", "message": "Input should be greater than or equal to 1",
                       "type": "greater_than_equal"}]}),
    413: (TooLargeError, "body: larger than the limit of 65536 bytes", "body", {"limit_bytes": 65536}),
    429: (ThrottledError, "phone: too many codes sent to this number; retry after 60 s", "phone", {}),
    503: (DataSourceError, "graph checks are not deployed", None, {}),
    500: (None, "internal error", None, {}),
}  # fmt: skip
_REFERENCED: dict[str, type[BaseModel]] = {"Problem": Problem}


def example(status: int, **members: Any) -> dict[str, Any]:
    """The example problem body of ``status`` (members replace the defaults)."""
    error, message, field, extensions = _EXAMPLES[status]
    if error is None:
        kind, _, slug, title = INTERNAL
    else:
        _, _, slug, title = next(k for k in KINDS if issubclass(error, k[0]))
        kind = error.__name__
    body = {"type": TYPE_PREFIX + slug, "title": title, "status": status, "detail": message, "instance": "/",
            "error": kind, "message": message, "field": field, **extensions}  # fmt: skip
    return {**body, **members}


def problem_response(
    status: int, model: type[BaseModel] = Problem, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One OpenAPI response: a problem+json body of ``model`` with ``body`` (default: the status's example)."""
    _REFERENCED[model.__name__] = model
    shown = body or example(status)
    media = {"schema": {"$ref": REF.format(model=model.__name__)}, "example": shown}
    return {"description": shown["title"], "content": {PROBLEM_JSON: media}}


def problem_responses(*codes: int) -> dict[int | str, Any]:
    """OpenAPI ``responses`` for ``codes`` and 500: problem+json bodies with an example each."""
    return {code: problem_response(code) for code in sorted({*codes, 500})}


def shown(value: Any) -> dict[str, Any]:
    """A parameter's ``openapi_examples``: Swagger UI fills the field with it."""
    return {"example": {"summary": "example", "value": value}}


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name, model in _REFERENCED.items():
        schema = model.model_json_schema(ref_template=REF, mode="serialization")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return schemas


def _nullable(schema: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", ()))


def _restore_nulls(value: Any, schema: dict[str, Any], components: dict[str, Any]) -> None:
    """Put back the null members of an example (FastAPI drops every None when it encodes the document)."""
    if value is not None and "anyOf" in schema:  # an optional member: the example follows its non-null option
        schema = next((o for o in schema["anyOf"] if o.get("type") != "null"), schema)
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    if isinstance(value, list):
        for item in value:
            _restore_nulls(item, schema.get("items", {}), components)
    if not isinstance(value, dict):
        return
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value and _nullable(properties.get(name, {})):
            value[name] = None
    for name, member in value.items():
        if name in properties:
            _restore_nulls(member, properties[name], components)


def _examples(document: dict[str, Any]) -> None:
    """Complete every example: the components' and each response's (whose ``instance`` becomes its path)."""
    components = document["components"]["schemas"]
    for schema in components.values():
        for shown in schema.get("examples", ()):
            _restore_nulls(shown, schema, components)
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for media_type, media in response.get("content", {}).items():
                    if "example" in media:
                        _restore_nulls(media["example"], media.get("schema", {}), components)
                        if media_type == PROBLEM_JSON:
                            media["example"]["instance"] = path


RETRY_AFTER = {"description": "seconds to wait before retrying", "schema": {"type": "integer", "minimum": 0}}
UNLIMITED = ("/healthz", "/readyz", "/metrics")  # exempt from the limits (api.limits.EXEMPT)


def _limits(document: dict[str, Any]) -> None:
    """Every limited operation may answer 503 (shed, with Retry-After), and one with a body 413 (api.limits)."""
    detail = str(OverloadedError(8))
    shed = example(503, error=OverloadedError.__name__, type=TYPE_PREFIX + "overloaded",
                   title="The service is overloaded", detail=detail, message=detail)  # fmt: skip
    for path, operations in document.get("paths", {}).items():
        if path in UNLIMITED:
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation and "413" not in responses:
                responses["413"] = problem_response(413)
            if "503" not in responses:
                responses["503"] = problem_response(503, body=dict(shed))  # a copy: its instance is its path
            responses["503"].setdefault("headers", {})["Retry-After"] = RETRY_AFTER


def install(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document carry the problem schemas and complete examples."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = base()  # encoded afresh: no dict in it is shared with the routes or another operation
        _limits(document)
        document.setdefault("components", {}).setdefault("schemas", {}).update(_components())
        _examples(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
