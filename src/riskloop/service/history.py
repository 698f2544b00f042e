"""Recording decisions made earlier (a replayed history, a benchmark's book) as the decision service stores them.

Each decision is stored as ``POST /v1/applications`` would have stored it when it was made (``champion_entry``,
shared with ``Intake``): its inputs (``DecisionInputs.to_dict``, sealed at rest), role champion, the strategy
that decided it, owned by the channel principal given under an Idempotency-Key derived from the application id,
with the response the API renders; a referral is queued for review. Every row is dated by the decision's own
``decided_at`` (its application's time), not by when it was recorded; the audit rows say ``recorded: history``.
The application is not logged for the graph checks (the graph built since holds it) and its customer is not
notified again (``DecisionEntry.history``).

Idempotent: an application the owner has a claim of is not stored again. The same key and body is a replay
(nothing written); another key or body (the channel decided it otherwise) is kept as it is. Batches of
``BATCH`` decisions are written in one transaction each, so an interrupted run is resumed by running it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import asdict, dataclass
from itertools import islice
from typing import NamedTuple, Protocol

from riskloop.domain.decision import Decision
from riskloop.domain.decision_record import Claim, DecisionEntry, Recorded
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import ConflictError, ValidationError
from riskloop.service.decide import DecisionInputs
from riskloop.service.intake import Render, champion_entry, new_decision_id
from riskloop.service.ports import Progress, no_progress

BATCH = 500  # decisions per transaction: one commit each, and a serving process waits at most one batch to write
KEY_PREFIX = "history-"


class PastDecision(NamedTuple):
    """A decision already made: the inputs it was made from, the decision, the strategy key that decided it."""

    inputs: DecisionInputs
    decision: Decision
    strategy: str


class HistoryStore(Protocol):
    """Where history is recorded: claims read in bulk, batches of entries, one entry when a batch meets a claim."""

    def claims(self, owner: str, application_ids: Sequence[str]) -> dict[str, Claim]:
        """``owner``'s claims of ``application_ids``, by application id."""
        ...

    def record_many(self, entries: Sequence[DecisionEntry]) -> bool:
        """Store every entry in one transaction; False, storing nothing, when one of them is claimed already."""
        ...

    def record(self, entry: DecisionEntry) -> Recorded:
        """Store ``entry``, or answer its owner's claim (ConflictError when it claims another key or body)."""
        ...


@dataclass(frozen=True)
class HistoryCounts:
    """What ``record_history`` did with the decisions it was given."""

    decided: int = 0  # given
    stored: int = 0  # written now
    queued: int = 0  # of those, referrals queued for review
    replayed: int = 0  # stored already under the same key and body: nothing written
    kept: int = 0  # the owner had the application decided under another key or body: left as it was

    def to_dict(self) -> dict[str, int]:
        """JSON-ready counts."""
        return asdict(self)


def history_key(application_id: str, prefix: str = KEY_PREFIX) -> str:
    """The Idempotency-Key a recorded decision of ``application_id`` is claimed under."""
    return prefix + application_id


def record_history(
    store: HistoryStore,
    decided: Iterable[PastDecision],
    *,
    owner: str,
    render: Render,
    digest: Callable[[DecisionRequest], str],
    key: Callable[[str], str] = history_key,
    new_id: Callable[[], str] = new_decision_id,
    progress: Progress = no_progress,
    batch: int = BATCH,
) -> HistoryCounts:
    """Store each decision of ``decided`` as ``owner``'s (a channel principal), once; counts of what was done.

    ``render`` is the response body the API returns for a decision, ``digest`` the digest the API keeps of an
    application's body (a later POST of the same body under the same key then replays the recorded response),
    ``key`` the Idempotency-Key of an application id. Raises ValidationError naming ``owner`` when it is empty,
    ``application_id`` when a decision is not of its inputs' application or an application comes twice.
    """
    if not owner.strip():
        raise ValidationError("owner", "the channel principal that owns the decisions is required")
    if batch < 1:
        raise ValidationError("batch", f"at least 1, got {batch}")
    total = len(decided) if isinstance(decided, Sized) else 0
    tally: Counter[str] = Counter()
    seen: set[str] = set()
    via = _Channel(owner, render, digest, key, new_id)
    for chunk in _chunks(decided, batch):
        for past in chunk:
            _check(past, seen)
        _record_chunk(store, chunk, tally, via)
        tally["decided"] += len(chunk)
        progress("record", tally["decided"], max(total, tally["decided"]))
    return HistoryCounts(**{name: tally[name] for name in HistoryCounts.__dataclass_fields__})


@dataclass(frozen=True)
class _Channel:
    owner: str
    render: Render
    digest: Callable[[DecisionRequest], str]
    key: Callable[[str], str]
    new_id: Callable[[], str]


def _check(past: PastDecision, seen: set[str]) -> None:
    application_id = past.inputs.request.application_id
    if past.decision.application_id != application_id:
        raise ValidationError(
            "application_id", f"decision of {past.decision.application_id} given with the inputs of {application_id}"
        )
    if application_id in seen:
        raise ValidationError("application_id", f"{application_id} is decided twice in the history")
    seen.add(application_id)


def _record_chunk(store: HistoryStore, chunk: Sequence[PastDecision], tally: Counter[str], via: _Channel) -> None:
    """Store the decisions of ``chunk`` no claim holds, in one batch; count the others as replays or kept."""
    claims = store.claims(via.owner, [p.inputs.request.application_id for p in chunk])
    fresh: list[DecisionEntry] = []
    for past in chunk:
        application_id = past.inputs.request.application_id
        key, sha = via.key(application_id), via.digest(past.inputs.request)
        claimed = claims.get(application_id)
        if claimed is not None:
            tally["replayed" if _replays(claimed, key, sha) else "kept"] += 1
            continue
        entry = champion_entry(
            key=key,
            digest=sha,
            decision_id=via.new_id(),
            decision=past.decision,
            inputs=past.inputs.to_dict(),
            strategy=past.strategy,
            owner=via.owner,
            render=via.render,
            history=True,
        )
        fresh.append(entry)
    if store.record_many(fresh):
        tally["stored"] += len(fresh)
        tally["queued"] += sum(e.queue_review for e in fresh)
        return
    for entry in fresh:  # a claim appeared since they were read (another run): one by one, each answered
        try:
            created = store.record(entry).created
        except ConflictError:
            tally["kept"] += 1
            continue
        tally["stored" if created else "replayed"] += 1
        tally["queued"] += int(created and entry.queue_review)


def _replays(claim: Claim, key: str, sha: str) -> bool:
    """Whether ``claim`` is this very decision's (same key and body): else the channel decided it otherwise."""
    try:
        claim.answer(key, sha)
    except ConflictError:
        return False
    return True


def _chunks(items: Iterable[PastDecision], size: int) -> Iterator[list[PastDecision]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
