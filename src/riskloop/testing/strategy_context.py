"""A complete, clean strategy context (a healthy applicant) to vary in tests of strategies."""

from __future__ import annotations

import copy
from typing import Any

CLEAN_CONTEXT: dict[str, Any] = {
    "application": {"product_code": "HRT-TAX", "amount_cents": 20_000_000, "term_months": 12, "channel": "mobile"},
    "identity": {"sms_verified": True, "face_match": 0.95, "device_fingerprint_ok": True, "phone_owner_match": True},
    "profile": {"status": "active", "firm_age_days": 2_000, "industry_section": "C"},
    "risk": {"blacklisted": False, "dishonest_listed": False, "open_enforcements": 0},
    "graph": {
        "gang_member": False,
        "gang_size": 0,
        "shared_phone_other_company": False,
        "shared_device_applicants": 0,
        "propagated_risk": 0.0,
        "related_party_risk": 0.0,
    },
    "data": {
        "profile": True,
        "features": True,
        "model": True,
        "graph": True,
        "bureau": True,
        "missing_sources": 0,
        "revenue": True,
    },
    "score": {"points": 650.0, "pd": 0.01, "bureau_score": 700},
    "finance": {"verified_revenue_cents": 100_000_000, "existing_debt_cents": 0},
}


def clean_context(**changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``CLEAN_CONTEXT`` with ``section={field: value}`` changes applied."""
    out = copy.deepcopy(CLEAN_CONTEXT)
    for section, values in changes.items():
        out[section].update(values)
    return out
