"""Detection quality of gangs against the generator's ground truth (evaluation only; detection never reads truth).

Definitions:

- member level, per shape S: recall = members of S-rings inside any detected gang / members of S-rings;
  precision = members of gangs labelled S that belong to an S-ring / members of gangs labelled S.
- ring level: a ring is *found* when one detected gang holds >= 50 % of the ring's members and >= 50 % of
  that gang's members are the ring's (``rings_found``). Recall = found S-rings / S-rings; precision = gangs
  labelled S that find an S-ring / gangs labelled S.
- false-positive rate: legitimate applications inside any gang / legitimate applications.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from riskloop.graph.gangs import Gang


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(
    gangs: Sequence[Gang], ring_of: dict[str, str], shape_of: dict[str, str], applications: Sequence[str]
) -> dict[str, Any]:
    """Quality figures per shape and overall.

    Parameters
    ----------
    gangs : sequence of Gang
        Detected gangs.
    ring_of : dict
        Application id -> ring id, for ring members only (truth).
    shape_of : dict
        Ring id -> shape (truth).
    applications : sequence of str
        Every application id the detection saw (for the false-positive rate).

    """
    ring_size = Counter(ring_of.values())
    in_gang = {a for g in gangs for a in g.application_ids}
    found: set[str] = set()
    gang_hits: dict[str, bool] = {}
    for g in gangs:
        rings = Counter(ring_of[a] for a in g.application_ids if a in ring_of)
        ring, held = rings.most_common(1)[0] if rings else ("", 0)
        hit = bool(ring) and held >= 0.5 * ring_size[ring] and held >= 0.5 * len(g.application_ids)
        gang_hits[g.gang_id] = hit and shape_of[ring] == g.label
        if hit:
            found.add(ring)
    shapes: dict[str, Any] = {}
    for shape in sorted(set(shape_of.values())):
        members = [a for a, r in ring_of.items() if shape_of[r] == shape]
        labelled = [g for g in gangs if g.label == shape]
        lab_members = [a for g in labelled for a in g.application_ids]
        shape_rings = [r for r, s in shape_of.items() if s == shape and ring_size[r]]
        shapes[shape] = {
            "rings": len(shape_rings),
            "members": len(members),
            "member_recall": _ratio(sum(a in in_gang for a in members), len(members)),
            "member_precision": _ratio(
                sum(a in ring_of and shape_of[ring_of[a]] == shape for a in lab_members), len(lab_members)
            ),
            "rings_found": sum(r in found for r in shape_rings),
            "ring_recall": _ratio(sum(r in found for r in shape_rings), len(shape_rings)),
            "ring_precision": _ratio(sum(gang_hits[g.gang_id] for g in labelled), len(labelled)),
            "gangs_labelled": len(labelled),
        }
    legit = [a for a in applications if a not in ring_of]
    all_members = [a for g in gangs for a in g.application_ids]
    return {
        "shapes": shapes,
        "gangs": len(gangs),
        "member_precision_any_label": _ratio(sum(a in ring_of for a in all_members), len(all_members)),
        "member_recall": _ratio(sum(a in in_gang for a in ring_of), len(ring_of)),
        "ring_recall": _ratio(len(found), len(ring_size)),
        "false_positive_rate": _ratio(sum(a in in_gang for a in legit), len(legit)),
        "legitimate_applications": len(legit),
    }
