"""What a search for an enterprise shows: its registration as of the latest version (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EnterpriseCard:
    """An enterprise found by credit code or name: its latest registered name, legal form, industry and status."""

    credit_code: str
    name: str | None = None
    kind: str | None = None
    industry_section: str | None = None
    status: str | None = None
