"""Schemas of the graph reads (/v1/graph/...) and of an alert's propagation path: nodes and edges for Cytoscape."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

EXAMPLE_CODE = "91420100000000001Y"
EXAMPLE_OTHER = "914201000000000028"
EXAMPLE_PERSON = "person:3f9a0c1d2e4b5a6978c0d1e2"
_ENTERPRISE = f"enterprise:{EXAMPLE_CODE}"
_OTHER = f"enterprise:{EXAMPLE_OTHER}"
_FLAGS: JsonDict = {"applicant": False, "gang_member": False, "gang_id": None, "known_bad": False, "shared": False}
EXAMPLE_GRAPH: JsonDict = {
    "nodes": [
        {"id": _ENTERPRISE, "kind": "enterprise", "ref": EXAMPLE_CODE, "label": "武汉示例科技有限公司",
         "flags": {**_FLAGS, "applicant": True}},
        {"id": EXAMPLE_PERSON, "kind": "person", "ref": EXAMPLE_PERSON.split(":")[1], "label": "张**",
         "flags": _FLAGS},
        {"id": _OTHER, "kind": "enterprise", "ref": EXAMPLE_OTHER, "label": "武汉示例贸易有限公司",
         "flags": {**_FLAGS, "known_bad": True}},
    ],
    "edges": [
        {"id": f"{_ENTERPRISE}|legal_rep|{EXAMPLE_PERSON}", "source": _ENTERPRISE, "target": EXAMPLE_PERSON,
         "kind": "legal_rep", "group": "control", "since": "2019-04-02", "until": None},
        {"id": f"{_OTHER}|legal_rep|{EXAMPLE_PERSON}", "source": _OTHER, "target": EXAMPLE_PERSON,
         "kind": "legal_rep", "group": "control", "since": "2021-11-15", "until": None},
    ],
    "capped": False,
    "hops": 2,
    "counts": {"nodes": 3, "edges": 2, "by_kind": {"enterprise": 2, "person": 1}, "known_bad": 1, "gang_members": 0,
               "shared": 0},
}  # fmt: skip
EXAMPLE_PATH: JsonDict = {**EXAMPLE_GRAPH, "closeness": 1.0}
EXAMPLE_HIT: JsonDict = {
    "credit_code": EXAMPLE_CODE,
    "name": "武汉示例科技有限公司",
    "kind": "company",
    "industry_section": "C",
    "status": "active",
    "in_graph": True,
}


class FlagsOut(BaseModel):
    """What the console highlights on a node."""

    applicant: bool = Field(description="the enterprise asked about (the path's source)")
    gang_member: bool = Field(description="an enterprise or application of a gang detected at the graph's load")
    gang_id: str | None = Field(description="that gang's id, as riskloop graph gangs names it")
    known_bad: bool = Field(description="an enterprise known bad now: dishonest-debtor listing, enforcement or default")
    shared: bool = Field(
        description="an identifier (phone, address, device, IP, e-mail, account) behind 2+ enterprises"
    )


class NodeOut(BaseModel):
    """A node: stable id (``<kind>:<token>``, the same across calls), kind, reference and label."""

    id: str
    kind: str = Field(description="enterprise, person, phone, address, device, ip, bank_account, email, application")
    ref: str = Field(description="credit code of an enterprise, id of an application, keyed token otherwise")
    label: str = Field(description="name of an enterprise; a person's name masked (whole for auditors); else masked")
    flags: FlagsOut


class EdgeOut(BaseModel):
    """An edge between two nodes' ids."""

    id: str
    source: str
    target: str
    kind: str = Field(description="the relation: shareholding, officer, legal_rep, guarantee, uses_phone ...")
    group: Literal["control", "guarantee", "trade", "litigation", "shared_identifier", "application", "other"]
    since: str | None = Field(description="first day the relation held (YYYY-MM-DD), when known")
    until: str | None = Field(description="last day it held; null while it holds")


class CountsOut(BaseModel):
    """How much is drawn."""

    nodes: int
    edges: int
    by_kind: dict[str, int]
    known_bad: int
    gang_members: int
    shared: int


class GraphOut(BaseModel):
    """Nodes and edges to draw (Cytoscape elements), whether a cap cut them, and counts."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_GRAPH]})

    nodes: list[NodeOut]
    edges: list[EdgeOut]
    capped: bool = Field(description="a cap (limit, or 200 edges read per node) cut the expansion")
    hops: int
    counts: CountsOut


class PathOut(GraphOut):
    """A shortest path: its nodes in order from the source, its edges, and its closeness."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PATH]})

    closeness: float = Field(description="product of the relations' weights: 1.0 the strongest direct tie")


class EnterpriseHitOut(BaseModel):
    """An enterprise found."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_HIT]})

    credit_code: str
    name: str | None
    kind: str | None
    industry_section: str | None
    status: str | None
    in_graph: bool = Field(description="the loaded graph holds it (its neighbourhood can be read)")


class EnterpriseSearchOut(BaseModel):
    """One page of enterprises found, by credit code."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"items": [EXAMPLE_HIT], "match": "credit_code_prefix", "total": 1, "limit": 20, "offset": 0,
                 "next_offset": None}
            ]
        }
    )  # fmt: skip

    items: list[EnterpriseHitOut]
    match: Literal["credit_code", "credit_code_prefix", "name"]
    total: int
    limit: int
    offset: int
    next_offset: int | None
