"""The screening policy: versioned thresholds a bank tunes (``admission/data/registration-policy-v1.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from riskloop.errors import ConfigError

SHIPPED = "registration-policy-v1.json"
IDENTIFIER_KINDS = ("phone", "device_id", "legal_rep_id", "credit_code")  # personal
SHARED_KINDS = ("ip", "ip_subnet", "phone_block", "device_model", "code_block")  # shared by nature
PARTIES = ("enterprise", "registrant")  # distinct credit codes, or distinct phone + device pairs


@dataclass(frozen=True)
class Limit:
    """Distinct parties on one identifier within a window: from ``step_up`` a second factor, from ``block`` a block."""

    window: str
    seconds: int
    step_up: int
    block: int


@dataclass(frozen=True)
class IdentifierRule:
    """The limits of one personal identifier and what counts as a distinct party on it."""

    kind: str
    party: str
    limits: tuple[Limit, ...]


@dataclass(frozen=True)
class SharedRule:
    """Bursts on attributes shared by nature, judged against each value's own baseline (and the platform's surge)."""

    families: dict[str, tuple[str, ...]]
    windows: tuple[tuple[str, int], ...]
    baseline: int
    min_history: int  # a platform watched for less judges no burst (a new deployment)
    min_parties: int
    ratio: float
    alpha: float  # a burst is a count this unlikely (Poisson tail) at the value's earlier rate
    strong_factor: int
    max_surge: float


@dataclass(frozen=True)
class Policy:
    """One version of the thresholds."""

    version: str
    retention: int
    recent_cap: int
    own_channels: frozenset[str]
    identifiers: tuple[IdentifierRule, ...]
    shared: SharedRule
    points: dict[str, int]
    clean_seconds: int
    relax_points: int


def shipped_policy() -> Policy:
    """The policy shipped with riskloop."""
    text = resources.files("riskloop.admission").joinpath("data", SHIPPED).read_text(encoding="utf-8")
    return parse_policy(json.loads(text), SHIPPED)


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path`` (the shipped one when None); ConfigError naming the problem."""
    if path is None:
        return shipped_policy()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the registration policy ({exc})") from exc
    return parse_policy(data, str(path))


def _int(data: dict[str, Any], key: str, source: str, lo: int = 1) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise ConfigError(f"{source}: {key} must be an integer >= {lo}")
    return value


def _probability(value: object, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value < 1:
        raise ConfigError(f"{where} must be a probability in (0, 1)")
    return float(value)


def _window(windows: dict[str, int], name: object, source: str) -> int:
    if name not in windows:
        raise ConfigError(f"{source}: unknown window {name!r} (known: {', '.join(windows)})")
    return windows[str(name)]


def _identifier(kind: str, data: Any, windows: dict[str, int], source: str) -> IdentifierRule:
    if kind not in IDENTIFIER_KINDS:
        raise ConfigError(f"{source}: unknown identifier {kind!r} (known: {', '.join(IDENTIFIER_KINDS)})")
    if not isinstance(data, dict) or data.get("party") not in PARTIES:
        raise ConfigError(f"{source}: identifiers.{kind}.party must be one of {', '.join(PARTIES)}")
    limits = []
    for raw in data.get("limits") or []:
        where = f"{source}: identifiers.{kind}"
        step, block = _int(raw, "step_up", where, 2), _int(raw, "block", where, 2)
        if block < step:
            raise ConfigError(f"{where}: block must not be below step_up")
        limits.append(Limit(str(raw.get("window")), _window(windows, raw.get("window"), where), step, block))
    return IdentifierRule(kind, data["party"], tuple(limits))


def _shared(data: Any, windows: dict[str, int], source: str) -> SharedRule:
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        raise ConfigError(f"{source}: shared.families must be an object")
    families = {name: tuple(kinds) for name, kinds in data["families"].items()}
    unknown = {k for kinds in families.values() for k in kinds} - set(SHARED_KINDS)
    if unknown:
        raise ConfigError(f"{source}: unknown shared kinds {sorted(unknown)} (known: {', '.join(SHARED_KINDS)})")
    ratio, surge = data.get("ratio"), data.get("max_surge")
    if not isinstance(ratio, int | float) or ratio <= 0 or not isinstance(surge, int | float) or surge < 1:
        raise ConfigError(f"{source}: shared.ratio must be > 0 and shared.max_surge >= 1")
    return SharedRule(
        families=families,
        windows=tuple((w, _window(windows, w, source)) for w in data.get("windows") or []),
        baseline=_window(windows, data.get("baseline"), source),
        min_history=_window(windows, data.get("min_history"), source),
        min_parties=_int(data, "min_parties", f"{source}: shared", 2),
        ratio=float(ratio),
        alpha=_probability(data.get("alpha"), f"{source}: shared.alpha"),
        strong_factor=_int(data, "strong_factor", f"{source}: shared", 1),
        max_surge=float(surge),
    )


def parse_policy(data: object, source: str) -> Policy:
    """A ``Policy`` from its JSON form; ConfigError naming the field and the problem."""
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise ConfigError(f"{source}: not a registration policy (an object with a version)")
    windows = data.get("windows")
    if not isinstance(windows, dict) or not all(isinstance(v, int) and v > 0 for v in windows.values()):
        raise ConfigError(f"{source}: windows must map names to positive seconds")
    identifiers = data.get("identifiers")
    if not isinstance(identifiers, dict):
        raise ConfigError(f"{source}: identifiers must be an object")
    points = data.get("points")
    if not isinstance(points, dict) or not all(isinstance(points.get(k), int) for k in _POINTS):
        raise ConfigError(f"{source}: points must give integers for {', '.join(_POINTS)}")
    relax = data.get("relax") or {}
    retention = _window(windows, data.get("retention"), source)
    if any(limit.seconds > retention for r in identifiers.values() for limit in _limits(r, windows, source)):
        raise ConfigError(f"{source}: a limit's window is longer than the retention")
    return Policy(
        version=data["version"],
        retention=retention,
        recent_cap=_int(data, "recent_cap", source, 8),
        own_channels=frozenset(data.get("own_channels") or ()),
        identifiers=tuple(_identifier(k, v, windows, source) for k, v in identifiers.items()),
        shared=_shared(data.get("shared"), windows, source),
        points={k: int(points[k]) for k in _POINTS},
        clean_seconds=_int(relax, "clean_days", f"{source}: relax", 0) * 86_400,
        relax_points=_int(relax, "points", f"{source}: relax", 0),
    )


_POINTS = ("identifier_step_up", "identifier_block", "shared", "shared_strong", "shared_cap", "step_up", "block")


def _limits(rule: Any, windows: dict[str, int], source: str) -> list[Limit]:
    if not isinstance(rule, dict):
        return []
    return [Limit("", _window(windows, raw.get("window"), source), 0, 0) for raw in rule.get("limits") or []]
