"""Feature groups of the risk source (judicial, dishonest list, penalties) and of the application itself."""

from __future__ import annotations

from riskloop.features.spec import FeatureGroup

RISK = FeatureGroup(
    "risk",
    "risk",
    ("litigations", "enforcements", "dishonest_list", "admin_penalties"),
    (
        ("risk_defendant_cases_24m", "Court cases as defendant filed in the last 24 months"),
        ("risk_open_enforcements", "Enforcement cases open on the as-of date"),
        ("risk_enforced_amount_log", "Log of the amount under open enforcement (CNY)"),
        ("risk_dishonest_listed", "On the dishonest-debtor list on the as-of date"),
        ("risk_penalties_24m", "Administrative penalties in the last 24 months"),
        ("risk_days_since_event", "Days since the latest judicial or penalty event (empty if none)"),
    ),
    """
    WITH lit AS (
        SELECT s.application_id, count(*) FILTER (WHERE x.role = 'defendant'
                   AND x.filed_date >= s.as_of - INTERVAL 24 MONTH) AS cases, max(x.filed_date) AS last
        FROM spine s JOIN litigations x ON x.credit_code = s.credit_code AND x.filed_date < s.as_of
        GROUP BY s.application_id),
    enf AS (
        SELECT s.application_id,
               count(*) FILTER (WHERE x.closed_date IS NULL OR x.closed_date >= s.as_of) AS open,
               sum(x.amount_cents) FILTER (WHERE x.closed_date IS NULL OR x.closed_date >= s.as_of) AS amount,
               max(x.filed_date) AS last
        FROM spine s JOIN enforcements x ON x.credit_code = s.credit_code AND x.filed_date < s.as_of
        GROUP BY s.application_id),
    dis AS (
        SELECT s.application_id,
               count(*) FILTER (WHERE x.removed_date IS NULL OR x.removed_date >= s.as_of) AS listed,
               max(x.listed_date) AS last
        FROM spine s JOIN dishonest_list x ON x.credit_code = s.credit_code AND x.listed_date < s.as_of
        GROUP BY s.application_id),
    pen AS (
        SELECT s.application_id, count(*) FILTER (WHERE x.penalty_date >= s.as_of - INTERVAL 24 MONTH) AS n,
               max(x.penalty_date) AS last
        FROM spine s JOIN admin_penalties x ON x.credit_code = s.credit_code AND x.penalty_date < s.as_of
        GROUP BY s.application_id)
    SELECT s.application_id,
           coalesce(lit.cases, 0) AS risk_defendant_cases_24m,
           coalesce(enf.open, 0) AS risk_open_enforcements,
           ln(1 + coalesce(enf.amount, 0) / 100.0) AS risk_enforced_amount_log,
           CAST(coalesce(dis.listed, 0) > 0 AS INTEGER) AS risk_dishonest_listed,
           coalesce(pen.n, 0) AS risk_penalties_24m,
           date_diff('day', greatest(lit.last, enf.last, dis.last, pen.last), s.as_of) AS risk_days_since_event
    FROM spine s
    LEFT JOIN lit ON lit.application_id = s.application_id
    LEFT JOIN enf ON enf.application_id = s.application_id
    LEFT JOIN dis ON dis.application_id = s.application_id
    LEFT JOIN pen ON pen.application_id = s.application_id
    """,
)

APPLICATION = FeatureGroup(
    "application",
    "bank",
    ("applications", "bureau_scores"),
    (
        ("app_bureau_score", "External bureau score retrieved for the application"),
        ("app_log_requested", "Log of the requested amount (CNY)"),
        ("app_term_months", "Requested term in months"),
        ("app_face_match", "Face-match similarity"),
        ("app_verification_failures", "Failed checks among SMS code, device fingerprint and phone owner"),
    ),
    """
    SELECT s.application_id,
           b.score AS app_bureau_score,
           ln(1 + a.requested_amount_cents / 100.0) AS app_log_requested,
           a.term_months AS app_term_months,
           a.face_match_score AS app_face_match,
           CAST(NOT a.sms_verified AS INTEGER) + CAST(NOT a.device_fingerprint_ok AS INTEGER)
               + CAST(NOT a.phone_owner_match AS INTEGER) AS app_verification_failures
    FROM spine s
    JOIN applications a ON a.application_id = s.application_id
    LEFT JOIN bureau_scores b ON b.application_id = s.application_id AND b.queried_at <= a.applied_at + INTERVAL 1 DAY
    """,
)
