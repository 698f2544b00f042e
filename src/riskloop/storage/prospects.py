"""SQLProspectStore: prospect runs, their ranked prospects and campaigns; SQLCampaignApplications: their decisions.

A run is saved in one transaction: its row, its prospects in chunks of ``CHUNK`` rows (one executemany each) and its
audit row. Each name is sealed under one data key per run (a fresh nonce per name; ADR 0016), so opening a page of
names unwraps the key once. The store persists and reads; who may read names is the use case's rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.decision_record import CHAMPION
from riskloop.domain.products import ProductOffer
from riskloop.domain.prospect import Campaign, Prospect, ProspectReason, ProspectRun
from riskloop.errors import ConflictError
from riskloop.storage.audit import record
from riskloop.storage.decision_models import decisions
from riskloop.storage.prospect_models import campaign_members, campaigns, prospect_runs, prospects

if TYPE_CHECKING:
    from riskloop.privacy.envelope import Sealer

NAME_FIELD = "prospects.name"  # the authenticated field name of a sealed name
CHUNK = 5_000  # prospects per executemany: bounded memory, few round trips
_COLUMNS = ("rank", "credit_code", "name", "section", "region", "score")  # the rest is the JSON record
_RECORD = tuple(f.name for f in fields(Prospect) if f.name not in (*_COLUMNS, "reasons", "offer"))
_OFFER = tuple(f.name for f in fields(ProductOffer))
_P, _R = prospects.c, prospect_runs.c


class SQLProspectStore:
    """ProspectStore on SQLite or PostgreSQL, names sealed with the workspace's PII keys."""

    def __init__(self, engine: sa.Engine, sealer: Sealer) -> None:
        self.engine, self.sealer = engine, sealer

    def save_run(self, run: ProspectRun, ranked: Sequence[Prospect], entry: AuditEntry) -> None:
        """Store ``run`` and its prospects in one transaction with ``entry``; ConflictError when the id exists."""
        key = self.sealer.record()  # one data key per run
        try:
            with self.engine.begin() as conn:
                conn.execute(prospect_runs.insert(), _run_row(run))
                for start in range(0, len(ranked), CHUNK):
                    chunk = ranked[start : start + CHUNK]
                    conn.execute(prospects.insert(), [_prospect_row(run.run_id, p, key.seal(NAME_FIELD, p.name))
                                                      for p in chunk])  # fmt: skip
                record(conn, entry)
        except sa.exc.IntegrityError:
            raise ConflictError("run_id", f"{run.run_id} exists, or two prospects share a rank") from None
        if self.engine.dialect.name == "postgresql":  # fresh statistics: pages by rank use the index, not a sort
            with self.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE prospects"))

    def latest_run(self, as_of: dt.date | None = None) -> ProspectRun | None:
        """The newest run (of day ``as_of`` when given)."""
        stmt = sa.select(prospect_runs).order_by(_R.created_at.desc(), _R.run_id.desc()).limit(1)
        if as_of is not None:
            stmt = stmt.where(_R.as_of == as_of)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else _run(row)

    def run(self, run_id: str) -> ProspectRun | None:
        """One run by id."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(prospect_runs).where(_R.run_id == run_id)).first()
        return None if row is None else _run(row)

    def prospects(
        self, run_id: str, *, industry: str | None = None, top: int | None = None, offset: int = 0
    ) -> list[Prospect]:
        """A run's prospects by rank, of one industry section when given, names opened."""
        stmt = _filtered(sa.select(prospects), run_id, industry).order_by(_P.rank).offset(offset)
        if top is not None:
            stmt = stmt.limit(top)
        seen: dict[str, ProspectReason] = {}
        with self.engine.connect() as conn:
            return [prospect_of(json.loads(r.record), r, self.sealer.open(NAME_FIELD, r.name), seen)
                    for r in conn.execute(stmt)]  # fmt: skip

    def count(self, run_id: str, *, industry: str | None = None) -> int:
        """How many prospects a run holds (of one industry section when given)."""
        stmt = _filtered(sa.select(sa.func.count()).select_from(prospects), run_id, industry)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def codes(self, run_id: str, *, industry: str | None = None, top: int | None = None) -> list[str]:
        """A run's credit codes by rank (of one industry section when given): no name is opened."""
        stmt = _filtered(sa.select(_P.credit_code), run_id, industry).order_by(_P.rank)
        if top is not None:
            stmt = stmt.limit(top)
        with self.engine.connect() as conn:
            return [str(c) for c in conn.execute(stmt).scalars()]

    def audit(self, entry: AuditEntry) -> None:
        """Append one audit row on its own."""
        with self.engine.begin() as conn:
            record(conn, entry)

    def add_campaign(self, campaign: Campaign, members: Sequence[str], entry: AuditEntry) -> None:
        """Store ``campaign`` with its members' credit codes and ``entry``; ConflictError when its id exists."""
        try:
            with self.engine.begin() as conn:
                conn.execute(campaigns.insert(), _campaign_row(campaign))
                for chunk in _chunks(sorted(set(members))):
                    conn.execute(campaign_members.insert(),
                                 [{"campaign_id": campaign.campaign_id, "credit_code": c} for c in chunk])  # fmt: skip
                record(conn, entry)
        except sa.exc.IntegrityError:
            raise ConflictError("campaign_id", f"{campaign.campaign_id} exists") from None

    def campaign(self, campaign_id: str) -> Campaign | None:
        """One campaign by id."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(campaigns).where(campaigns.c.campaign_id == campaign_id)).first()
        return None if row is None else _campaign(row)

    def campaign_members(self, campaign_id: str) -> frozenset[str]:
        """The credit codes of a campaign's members."""
        stmt = sa.select(campaign_members.c.credit_code).where(campaign_members.c.campaign_id == campaign_id)
        with self.engine.connect() as conn:
            return frozenset(str(c) for c in conn.execute(stmt).scalars())


class SQLCampaignApplications:
    """CampaignApplications on the ``decisions`` table (its indexed ``campaign_id`` column)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def outcomes(self, campaign_id: str) -> list[tuple[str, str, str | None]]:
        """(credit code, status, final outcome) of each champion decision naming ``campaign_id``, oldest first."""
        d = decisions.c
        # PostgreSQL needs the cast; on SQLite a CAST AS JSON is numeric
        postgres = self.engine.dialect.name == "postgresql"
        inputs = sa.cast(d.inputs, sa.JSON) if postgres else sa.type_coerce(d.inputs, sa.JSON)
        code = inputs[("request", "credit_code")].as_string()
        stmt = (
            sa.select(code, d.status, d.final_outcome)
            .where(d.campaign_id == campaign_id, d.role == CHAMPION)
            .order_by(d.decided_at, d.decision_id)
        )
        with self.engine.connect() as conn:
            return [(str(c), str(s), f) for c, s, f in conn.execute(stmt)]


def _filtered(stmt: Any, run_id: str, industry: str | None) -> Any:
    stmt = stmt.where(_P.run_id == run_id)
    return stmt if industry is None else stmt.where(_P.section == industry)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _run_row(run: ProspectRun) -> dict[str, Any]:
    return {
        "run_id": run.run_id, "as_of": run.as_of, "created_at": run.created_at.astimezone(dt.UTC),
        "created_by": run.created_by, "screened": run.screened, "ranked": run.ranked,
        "excluded": json.dumps(dict(run.excluded), sort_keys=True),
        "versions": json.dumps(dict(run.versions), sort_keys=True),
    }  # fmt: skip


def _run(row: Any) -> ProspectRun:
    return ProspectRun(
        run_id=row.run_id, as_of=row.as_of, created_at=_utc(row.created_at), created_by=row.created_by,
        screened=row.screened, ranked=row.ranked, excluded=json.loads(row.excluded), versions=json.loads(row.versions),
    )  # fmt: skip


def _prospect_row(run_id: str, p: Prospect, sealed_name: str) -> dict[str, Any]:
    # Field by field, not ``to_dict``: dataclasses.asdict deep-copies, three times the cost of the whole insert.
    rest: dict[str, Any] = {name: getattr(p, name) for name in _RECORD}
    rest["reasons"] = [{"code": r.code, "zh": r.zh, "en": r.en} for r in p.reasons]
    rest["offer"] = None if p.offer is None else {name: getattr(p.offer, name) for name in _OFFER}
    return {
        "run_id": run_id, "rank": p.rank, "credit_code": p.credit_code, "section": p.section, "region": p.region,
        "score": p.score, "name": sealed_name, "record": json.dumps(rest, ensure_ascii=False, separators=(",", ":")),
    }  # fmt: skip


def prospect_of(rest: dict[str, Any], row: Any, name: str, reasons_seen: dict[str, ProspectReason]) -> Prospect:
    """The prospect of a ``prospects`` row: its columns, its JSON ``rest`` and its opened ``name``.

    ``reasons_seen`` shares equal reasons across the rows of one read (a run repeats a catalogue's few reasons).
    """
    reasons = tuple(_reason(r, reasons_seen) for r in rest.pop("reasons", ()))
    offer = rest.pop("offer", None)
    return Prospect(
        rank=row.rank, credit_code=row.credit_code, name=name, section=row.section, region=row.region,
        score=row.score, reasons=reasons, offer=None if offer is None else ProductOffer(**offer), **rest,
    )  # fmt: skip


def _reason(data: dict[str, str], seen: dict[str, ProspectReason]) -> ProspectReason:
    key = "\x1f".join((data["code"], data["zh"], data["en"]))
    found = seen.get(key)
    if found is None:
        found = seen[key] = ProspectReason(**data)
    return found


def _campaign_row(c: Campaign) -> dict[str, Any]:
    return {"campaign_id": c.campaign_id, "run_id": c.run_id, "name": c.name, "created_by": c.created_by,
            "created_at": c.created_at.astimezone(dt.UTC), "members": c.members}  # fmt: skip


def _campaign(row: Any) -> Campaign:
    return Campaign(campaign_id=row.campaign_id, run_id=row.run_id, name=row.name, created_by=row.created_by,
                    created_at=_utc(row.created_at), members=row.members)  # fmt: skip
