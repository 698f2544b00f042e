"""The relationship graph for the analyst console: search, neighbourhoods, shortest paths, the nearest bad.

Reviewers, analysts, post-loan officers and auditors read it (the use case checks the roles again). Reads go
to the graph the serving process loaded; without one, a 503 names the command that builds it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from riskloop.api.auth import GraphReader
from riskloop.api.deps import Services, ServicesDep
from riskloop.api.graph_schemas import EXAMPLE_CODE, EXAMPLE_OTHER, EnterpriseSearchOut, GraphOut, PathOut
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Line
from riskloop.errors import DataSourceError
from riskloop.service.graph_explorer import GraphExplorer
from riskloop.service.prerequisites import NO_GRAPH

router = APIRouter(prefix="/v1/graph", tags=["graph"])
CODE = r"^[0-9A-Za-z]{18}$"  # the shape; the check character is validated by the use case (422 naming the field)
CreditCode = Annotated[str, Path(pattern=CODE, openapi_examples=shown(EXAMPLE_CODE))]
READS = problem_responses(401, 403, 404, 422, 503)


def _explorer(services: Services) -> GraphExplorer:
    if services.graph is None:
        raise DataSourceError(NO_GRAPH)
    return services.graph


@router.get(
    "/enterprises",
    response_model=EnterpriseSearchOut,
    responses=problem_responses(401, 403, 422),
    summary="Find enterprises by credit code (whole, or a prefix of 6+ characters) or exact name",
)
def search_enterprises(
    services: ServicesDep,
    principal: GraphReader,
    q: Annotated[Line, Query(min_length=1, max_length=200, openapi_examples=shown("914201"))],
    limit: Annotated[int, Query(ge=1, le=50, openapi_examples=shown(20))] = 20,
    offset: Annotated[int, Query(ge=0, le=10**6, openapi_examples=shown(0))] = 0,
) -> dict[str, Any]:
    """Enterprises whose credit code is or starts with ``q``, else whose registered name is ``q``, by code."""
    return _explorer(services).search(principal, q, limit, offset)


@router.get(
    "/enterprises/{credit_code}/neighbourhood",
    response_model=GraphOut,
    responses=READS,
    summary="Nodes and edges within 1-3 hops of an enterprise, flagged (gangs, known bad, shared identifiers)",
)
def neighbourhood(
    credit_code: CreditCode,
    services: ServicesDep,
    principal: GraphReader,
    hops: Annotated[int, Query(ge=1, le=3, openapi_examples=shown(2))] = 2,
    limit: Annotated[int, Query(ge=1, le=5000, description="most nodes returned", openapi_examples=shown(2000))] = 2000,
) -> dict[str, Any]:
    """The enterprise's neighbourhood; ``capped`` says a cap cut it (``limit`` nodes, 200 edges read per node)."""
    return _explorer(services).neighbourhood(principal, credit_code, hops, limit)


@router.get(
    "/enterprises/{credit_code}/nearest-bad",
    response_model=PathOut,
    responses=READS,
    summary="A shortest path to the nearest known-bad enterprise (404 when none within 4 relations)",
)
def nearest_bad(credit_code: CreditCode, services: ServicesDep, principal: GraphReader) -> dict[str, Any]:
    """Known bad now: listed as a dishonest debtor, under enforcement, or defaulted on the bank's loans."""
    return _explorer(services).nearest_bad(principal, credit_code)


@router.get(
    "/paths",
    response_model=PathOut,
    responses=READS,
    summary="A shortest path between two enterprises (404 when none within 6 relations)",
)
def shortest_path(
    services: ServicesDep,
    principal: GraphReader,
    source: Annotated[str, Query(pattern=CODE, openapi_examples=shown(EXAMPLE_CODE))],
    target: Annotated[str, Query(pattern=CODE, openapi_examples=shown(EXAMPLE_OTHER))],
) -> dict[str, Any]:
    """Hubs (an identifier or person with more than 200 edges) end a path but are never passed through."""
    return _explorer(services).path(principal, source, target)
