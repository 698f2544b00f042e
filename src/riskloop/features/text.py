"""Feature group of the risk tags read from documents (``text_tags``, written by ``riskloop text tag``).

Per tag family (``TAG_FAMILIES``): how many documents published in the 24 months before the as-of date carry a
tag of the family, and the days since the latest one (empty when none). Point in time as every group: a
document counts only when published strictly before ``as_of`` (one published on the decision day may not have
reached the bank yet).
"""

from __future__ import annotations

from riskloop.domain.text_tags import TAG_FAMILIES
from riskloop.features.spec import FeatureGroup

_ZH = {"litigation": "诉讼纠纷", "enforcement": "执行", "regulatory": "监管处罚", "control": "实控人变更"}


def _sql_list(tags: tuple[str, ...]) -> str:
    return ", ".join("'" + t.replace("'", "''") + "'" for t in tags)


def _features() -> tuple[tuple[str, str], ...]:
    out = []
    for family in TAG_FAMILIES:
        out.append((f"tag_{family}_docs_24m", f"Documents tagged {family} ({_ZH[family]}) in the last 24 months"))
        out.append((f"tag_{family}_days_since", f"Days since the latest document tagged {family} (empty if none)"))
    return tuple(out)


def _sql() -> str:
    counts = ",\n".join(
        f"count(DISTINCT x.doc_id) FILTER (WHERE x.tag IN ({_sql_list(tags)}) "
        f"AND x.published_date >= s.as_of - INTERVAL 24 MONTH) AS tag_{family}_docs_24m,\n"
        f"max(x.published_date) FILTER (WHERE x.tag IN ({_sql_list(tags)})) AS last_{family}"
        for family, tags in TAG_FAMILIES.items()
    )
    coalesced = ",\n".join(
        f"coalesce(t.tag_{family}_docs_24m, 0) AS tag_{family}_docs_24m, "
        f"date_diff('day', t.last_{family}, s.as_of) AS tag_{family}_days_since"
        for family in TAG_FAMILIES
    )
    return f"""
    WITH t AS (
        SELECT s.application_id,
        {counts}
        FROM spine s JOIN text_tags x ON x.credit_code = s.credit_code AND x.published_date < s.as_of
        GROUP BY s.application_id)
    SELECT s.application_id,
    {coalesced}
    FROM spine s LEFT JOIN t ON t.application_id = s.application_id
    """  # noqa: S608 - tag names are the domain's constants, quoted


TEXT_TAGS = FeatureGroup("text_tags", "risk", ("text_tags",), _features(), _sql())
