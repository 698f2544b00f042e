"""SourcePuller: one pull from one source, only under a valid consent, bounded and recorded (issue 17).

Order of a pull: the consent (recorded, the subject's, in scope, for the purpose, unexpired, unrevoked at the
clock's now; else ConsentError and an audit row, and nothing is sent), the rate limit, the circuit breaker, then
attempts with a per-attempt timeout and capped, jittered exponential backoff between them (retries only of
timeouts, refused connections and 5xx, never past ``budget_seconds``). The payload is validated against the
source's declared fields, cut to what the purpose may keep (PIPL minimum necessary), and stored sealed with its
lineage: source, time, request id, consent id and the sha256 of the bytes received.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.consent import TOKEN_KIND, ConsentError, subject_value
from riskloop.domain.source_payload import (
    MalformedPayloadError,
    RawPayload,
    SourceError,
    SourceQuery,
    canonical,
    keep_allowed,
    parse_payload,
)
from riskloop.domain.source_settings import SourceCatalog, SourceSettings
from riskloop.errors import DataSourceError
from riskloop.service.resilience import CircuitBreaker, TokenBucket, backoff_delay
from riskloop.service.source_ports import ConsentStore, DataSource, RawPayloadStore, Sleeper, Tokens

PULL_ACTOR = "service:sources"


@dataclass(frozen=True)
class Pulled:
    """What a pull kept (the purpose's fields), where it is stored and how many attempts it took."""

    source: str
    values: dict[str, Any]
    payload_id: str
    sha256: str
    attempts: int


def new_payload_id() -> str:
    """A random payload id."""
    return "raw_" + secrets.token_urlsafe(12)


class SourcePuller:
    """Pulls from the configured sources through their adapters (``sources``: name → DataSource)."""

    def __init__(
        self,
        *,
        catalog: SourceCatalog,
        sources: Mapping[str, DataSource],
        consents: ConsentStore,
        payloads: RawPayloadStore,
        tokens: Tokens,
        clock: Clock,
        sleep: Sleeper,
        seed: int = 0,
        new_id: Callable[[], str] = new_payload_id,
    ) -> None:
        self.catalog, self.sources = catalog, dict(sources)
        self.consents, self.payloads, self.tokens = consents, payloads, tokens
        self.clock, self.sleep, self.new_id = clock, sleep, new_id
        self.breakers = {name: CircuitBreaker(s.breaker, clock) for name, s in catalog.sources.items()}
        self.buckets = {name: TokenBucket(s.rate_limit, clock) for name, s in catalog.sources.items()}
        self._rng, self._rng_lock = np.random.default_rng(seed), threading.Lock()

    def pull(
        self,
        source: str,
        *,
        subject: str,
        subject_kind: str,
        purpose: str,
        consent_id: str | None,
        request_id: str,
        budget_seconds: float | None = None,
    ) -> Pulled:
        """The purpose's fields of ``source`` about ``subject``; ConsentError, SourceError or MalformedPayloadError."""
        settings = self.catalog.get(source)
        token = self.tokens.token(TOKEN_KIND, subject_value(subject))
        self._check_consent(settings, token, purpose, consent_id, request_id)
        adapter = self.sources.get(source)
        if adapter is None or not settings.configured:
            raise SourceError(source, "not configured (no endpoint in sources.json)", retryable=False,
                              kind="unconfigured")  # fmt: skip
        if not self.buckets[source].take():
            raise SourceError(source, f"rate limited ({settings.rate_limit.per_second:g}/s)", retryable=False,
                              kind="rate_limited")  # fmt: skip
        assert consent_id is not None  # checked with the consent
        query = SourceQuery(source, subject, subject_kind, purpose, request_id, consent_id, settings.allowed(purpose))
        raw, attempts = self._fetch(settings, adapter, query, budget_seconds)
        try:
            data = parse_payload(settings, raw)
        except MalformedPayloadError:
            self.breakers[source].failure()  # a gateway answering garbage is not healthy
            raise
        self.breakers[source].success()
        kept = keep_allowed(settings, purpose, data)
        digest = hashlib.sha256(raw).hexdigest()
        payload = RawPayload(self.new_id(), source, request_id, consent_id, token, purpose, self.clock.now(), digest,
                             canonical(kept), tuple(kept))  # fmt: skip
        self.payloads.put(payload)
        return Pulled(source, kept, payload.payload_id, digest, attempts)

    def _check_consent(
        self, settings: SourceSettings, token: str, purpose: str, consent_id: str | None, request_id: str
    ) -> None:
        now = self.clock.now()
        consent = self.consents.get(consent_id) if consent_id else None
        if not consent_id:
            why = "none given"
        elif consent is None:
            why = f"{consent_id} is not recorded"
        else:
            why = consent.refusal(token, settings.name, purpose, now) or ""
        if not settings.allowed(purpose) and not why:
            why = f"source {settings.name} serves no {purpose}"
        if why:
            detail = {"source": settings.name, "purpose": purpose, "request_id": request_id, "reason": why}
            self.consents.audit(AuditEntry(now, PULL_ACTOR, "source.pull_refused", "consent", consent_id or "none",
                                           detail))  # fmt: skip
            raise ConsentError(why)

    def _fetch(
        self, settings: SourceSettings, adapter: DataSource, query: SourceQuery, budget: float | None
    ) -> tuple[bytes, int]:
        breaker, started = self.breakers[settings.name], self.clock.now()
        attempt = 0
        while True:
            elapsed = (self.clock.now() - started).total_seconds()
            remaining = None if budget is None else budget - elapsed
            if not breaker.allow():
                raise SourceError(settings.name, f"circuit open (retry after {breaker.retry_after():.1f} s)",
                                  retryable=False, kind="circuit_open")  # fmt: skip
            timeout = settings.timeout_seconds if remaining is None else min(settings.timeout_seconds, remaining)
            try:
                return adapter.fetch(query, timeout), attempt + 1
            except SourceError as fault:
                breaker.failure()
                delay = self._delay(settings, attempt)
                spent = (self.clock.now() - started).total_seconds() + delay
                if not fault.retryable or attempt >= settings.retries or (budget is not None and spent >= budget):
                    raise
            self.sleep(delay)
            attempt += 1

    def _delay(self, settings: SourceSettings, attempt: int) -> float:
        with self._rng_lock:
            return backoff_delay(settings.backoff, attempt, self._rng)

    def states(self) -> dict[str, dict[str, Any]]:
        """Each declared source's breaker state, failures and tokens (``riskloop sources check``, ``/readyz``)."""
        out: dict[str, dict[str, Any]] = {}
        for name, settings in sorted(self.catalog.sources.items()):
            breaker = self.breakers[name]
            out[name] = {
                "kind": settings.kind,
                "configured": settings.configured and name in self.sources,
                "breaker": breaker.state(),
                "consecutive_failures": breaker.failures,
                "retry_after_seconds": round(breaker.retry_after(), 3),
                "tokens": round(self.buckets[name].available(), 3),
                "timeout_seconds": settings.timeout_seconds,
                "retries": settings.retries,
            }
        return out


def circuits_probe(puller: SourcePuller) -> Callable[[], str]:
    """Readiness of the configured sources: fails while a circuit is open (``/readyz``)."""

    def probe() -> str:
        configured = {n: s for n, s in puller.states().items() if s["configured"]}
        opened = [f"{n} ({s['retry_after_seconds']:g} s)" for n, s in configured.items() if s["breaker"] == "open"]
        if opened:
            raise DataSourceError(f"circuit open: {', '.join(opened)}; decisions needing it are referred")
        return f"{len(configured)} configured, circuits closed" if configured else "no source configured"

    return probe
