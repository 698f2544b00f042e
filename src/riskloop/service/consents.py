"""ConsentDesk: record, list and revoke consents (audited); the subject is tokenised before anything is stored.

The channel that collects the applicant's signed authorisation records it and records its withdrawal; reviewers
and auditors read. The CLI acts as the workspace's operator (``cli:<login>``), the trust root as for API keys.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable

from riskloop.domain.access import AUDITOR, CHANNEL, REVIEWER, Principal, require_role
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.consent import TOKEN_KIND, Consent, check_sources, revoke, subject_value
from riskloop.errors import NotFoundError, ValidationError
from riskloop.service.source_ports import ConsentStore, Tokens

WRITERS = (CHANNEL,)
READERS = (CHANNEL, REVIEWER, AUDITOR)


def new_consent_id() -> str:
    """A random consent id."""
    return "cns_" + secrets.token_urlsafe(12)


class ConsentDesk:
    """Consents of subjects; ``principal`` (API) must hold the role, ``actor`` goes in the audit row."""

    def __init__(
        self, store: ConsentStore, tokens: Tokens, clock: Clock, new_id: Callable[[], str] = new_consent_id
    ) -> None:
        self.store, self.tokens, self.clock, self.new_id = store, tokens, clock, new_id

    def record(
        self,
        *,
        subject: str,
        subject_kind: str,
        sources: Iterable[str],
        purpose: str,
        expires_at: dt.datetime,
        evidence: str,
        actor: str,
        granted_at: dt.datetime | None = None,
        principal: Principal | None = None,
    ) -> Consent:
        """A new consent of ``subject`` (granted now unless ``granted_at``, never in the future)."""
        if principal is not None:
            require_role(principal, WRITERS, "recording a consent")
        now = self.clock.now()
        granted = granted_at or now
        if granted > now:
            raise ValidationError("granted_at", "a consent cannot be recorded before it is granted")
        consent = Consent(
            consent_id=self.new_id(),
            subject_token=self._token(subject),
            subject_kind=subject_kind,
            sources=check_sources(list(sources)),
            purpose=purpose,
            granted_at=granted,
            expires_at=expires_at,
            evidence=evidence,
            recorded_by=actor,
        )
        detail = {"sources": list(consent.sources), "purpose": consent.purpose, "expires_at": consent.expires_at,
                  "subject_kind": consent.subject_kind}  # fmt: skip
        self.store.add(consent, AuditEntry(now, actor, "consent.recorded", "consent", consent.consent_id, detail))
        return consent

    def revoke(self, consent_id: str, *, actor: str, principal: Principal | None = None) -> Consent:
        """Revoke ``consent_id`` from now on; NotFoundError when unknown, ConflictError when already revoked."""
        if principal is not None:
            require_role(principal, WRITERS, "revoking a consent")
        before = self.get(consent_id)
        now = self.clock.now()
        after = revoke(before, now)
        self.store.save(before, after, AuditEntry(now, actor, "consent.revoked", "consent", consent_id))
        return after

    def get(self, consent_id: str, principal: Principal | None = None) -> Consent:
        """One consent."""
        if principal is not None:
            require_role(principal, READERS, "reading consents")
        found = self.store.get(consent_id)
        if found is None:
            raise NotFoundError(f"consent {consent_id} does not exist")
        return found

    def for_subject(self, subject: str, principal: Principal | None = None) -> list[Consent]:
        """Every consent of ``subject`` (the written identifier, tokenised to search)."""
        if principal is not None:
            require_role(principal, READERS, "reading consents")
        return self.store.for_subject(self._token(subject))

    def _token(self, subject: str) -> str:
        return self.tokens.token(TOKEN_KIND, subject_value(subject))
