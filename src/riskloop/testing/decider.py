"""A decider on in-memory ports: one healthy enterprise with published features and a transparent scorer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from riskloop.domain.clock import Clock, FixedClock
from riskloop.domain.decision_request import DecisionRequest, EnterpriseProfile
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.rules.loaders import REFERENCE_KEY, PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.decide import SOURCES, Decider
from riskloop.testing.fake_decision_ports import FixedScorer, MemoryGraphChecks, MemoryProfiles
from riskloop.testing.fake_feature_store import InMemoryFeatureStore

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
CODE = "91420100000000001Y"  # a valid credit code (check character Y)
# A complete identity (domain.applicant's minimum): synthetic, valid check digit, aged 36 on NOW's date.
IDENTITY: dict[str, str] = {
    "applicant_id": "110105199003071239",
    "phone": "13800138000",
    "device_id": "dev-9f2c",
    "ip": "58.19.24.7",
}
HEALTHY: dict[str, Any] = {
    **{f"avail_{s}": 1 for s in SOURCES},
    "reg_firm_age_days": 2000,
    "tax_log_revenue_12m": 15.5,  # about 5.4 million yuan of declared revenue
    "inv_log_sales_12m": 15.0,
    "risk_dishonest_listed": 0,
    "risk_open_enforcements": 0,
}


def request(**changes: Any) -> DecisionRequest:
    """A clean application of the healthy enterprise, with a complete identity, with ``changes``."""
    fields: dict[str, Any] = {
        "application_id": "APP-1",
        "credit_code": CODE,
        **IDENTITY,
        "product_code": "HRT-TAX",
        "amount_cents": 50_000_000,
        "term_months": 12,
        "channel": "mobile",
        "bureau_score": 760,
        "existing_debt_cents": 0,
        "face_match_score": 0.95,
    }
    fields.update(changes)
    return DecisionRequest(**fields)


def make_decider(code: str = CODE, clock: Clock | None = None, **ports: Any) -> Decider:
    """A Decider on in-memory ports (reference strategy, fixed scorer, clean graph); ``ports`` replace any.

    ``code`` is the credit code of the one healthy enterprise.
    """
    clock = clock or FixedClock(NOW)
    store = InMemoryFeatureStore(clock)
    store.publish(ENTERPRISE_FEATURE_SET, NOW.date(), pa.Table.from_pylist([{"credit_code": code, **HEALTHY}]))
    profiles = MemoryProfiles({code: EnterpriseProfile(code, "C", "active", dt.date(2018, 3, 1))})
    defaults: dict[str, Any] = {
        "features": store,
        "profiles": profiles,
        "graph": MemoryGraphChecks(),
        "scorer": FixedScorer(),
        "rules": ZenRuleEngine(PackageStrategyLoader()),
        "strategy": REFERENCE_KEY,
        "clock": clock,
    }
    defaults.update(ports)
    return Decider(**defaults)


def application_body(**changes: Any) -> dict[str, Any]:
    """The JSON body of a clean application of the healthy enterprise (as the API takes it), with ``changes``."""
    data: dict[str, Any] = {
        "application_id": "APP-1",
        "credit_code": CODE,
        **IDENTITY,
        "product_code": "HRT-TAX",
        "amount_cents": 50_000_000,
        "term_months": 12,
        "channel": "mobile",
        "identity": {
            "sms_verified": True,
            "face_match_score": 0.95,
            "device_fingerprint_ok": True,
            "phone_owner_match": True,
        },
        "bureau": {"score": 760, "existing_debt_cents": 0},
    }
    data.update(changes)
    return data
