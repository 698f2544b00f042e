"""The screening policy: versioned thresholds a bank tunes (``admission/data/registration-policy-v1.json``).

A bank's version is registered in the model registry as a bundle (``policy.json`` and a manifest of its sha256,
kind ``registration-policy``) and released by someone else (``riskloop models approve|activate``); screening
reads the active one. Every problem of a policy is a ValidationError naming its key (``identifiers.phone.party``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from riskloop.domain.registration import POLICY_KIND
from riskloop.errors import ConfigError, DataSourceError, ValidationError

SHIPPED = "registration-policy-v1.json"
POLICY_FILE, MANIFEST = "policy.json", "manifest.json"  # a registered version's bundle
IDENTIFIER_KINDS = ("phone", "device_id", "legal_rep_id", "credit_code")  # personal
SHARED_KINDS = ("ip", "ip_subnet", "phone_block", "device_model", "code_block")  # shared by nature
PARTIES = ("enterprise", "registrant")  # distinct credit codes, or distinct phone + device pairs
HOLD_DAYS = 30  # a policy that names no hold: a block grey-lists its identifiers this long
MAX_HOLD_DAYS = 365


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
    hold_days: int = HOLD_DAYS  # a block grey-lists the registration's identifiers this long (0: never)
    hold_kinds: tuple[str, ...] = IDENTIFIER_KINDS


def shipped_policy() -> Policy:
    """The policy shipped with riskloop."""
    text = resources.files("riskloop.admission").joinpath("data", SHIPPED).read_text(encoding="utf-8")
    return parse_policy(json.loads(text), SHIPPED)


def read_policy_file(path: Path) -> object:
    """The JSON of a policy file; ConfigError when it cannot be read or parsed."""
    try:
        loaded: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the registration policy ({exc})") from exc
    return loaded


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path`` (the shipped one when None); ValidationError naming the key of a bad value."""
    if path is None:
        return shipped_policy()
    return parse_policy(read_policy_file(path), str(path))


def _bad(key: str, problem: str, source: str) -> ValidationError:
    return ValidationError(key, f"{problem} (in {source})")


def _int(data: dict[str, Any], key: str, source: str, lo: int = 1, where: str = "") -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise _bad(f"{where}{key}", f"must be an integer >= {lo}", source)
    return value


def _probability(value: object, key: str, source: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value < 1:
        raise _bad(key, "must be a probability in (0, 1)", source)
    return float(value)


def _window(windows: dict[str, int], name: object, key: str, source: str) -> int:
    if name not in windows:
        raise _bad(key, f"unknown window {name!r} (known: {', '.join(windows)})", source)
    return windows[str(name)]


def _identifier(kind: str, data: Any, windows: dict[str, int], source: str) -> IdentifierRule:
    where = f"identifiers.{kind}"
    if kind not in IDENTIFIER_KINDS:
        raise _bad(where, f"unknown identifier {kind!r} (known: {', '.join(IDENTIFIER_KINDS)})", source)
    if not isinstance(data, dict) or data.get("party") not in PARTIES:
        raise _bad(f"{where}.party", f"must be one of {', '.join(PARTIES)}", source)
    raw_limits = data.get("limits") or []
    if not isinstance(raw_limits, list):
        raise _bad(f"{where}.limits", "must be a list", source)
    limits = []
    for i, raw in enumerate(raw_limits):
        at = f"{where}.limits[{i}]."
        if not isinstance(raw, dict):
            raise _bad(at[:-1], "must be an object with window, step_up and block", source)
        step, block = _int(raw, "step_up", source, 2, at), _int(raw, "block", source, 2, at)
        if block < step:
            raise _bad(f"{at}block", "must not be below step_up", source)
        seconds = _window(windows, raw.get("window"), f"{at}window", source)
        limits.append(Limit(str(raw.get("window")), seconds, step, block))
    return IdentifierRule(kind, data["party"], tuple(limits))


def _shared(data: Any, windows: dict[str, int], source: str) -> SharedRule:
    if not isinstance(data, dict):
        raise _bad("shared", "must be an object", source)
    if not isinstance(data.get("families"), dict):
        raise _bad("shared.families", "must be an object", source)
    families = {name: tuple(kinds) for name, kinds in data["families"].items()}
    unknown = {k for kinds in families.values() for k in kinds} - set(SHARED_KINDS)
    if unknown:
        raise _bad("shared.families", f"unknown kinds {sorted(unknown)} (known: {', '.join(SHARED_KINDS)})", source)
    ratio, surge = data.get("ratio"), data.get("max_surge")
    if not isinstance(ratio, int | float) or isinstance(ratio, bool) or ratio <= 0:
        raise _bad("shared.ratio", "must be a number > 0", source)
    if not isinstance(surge, int | float) or isinstance(surge, bool) or surge < 1:
        raise _bad("shared.max_surge", "must be a number >= 1", source)
    raw_windows = data.get("windows") or []
    return SharedRule(
        families=families,
        windows=tuple((w, _window(windows, w, f"shared.windows[{i}]", source)) for i, w in enumerate(raw_windows)),
        baseline=_window(windows, data.get("baseline"), "shared.baseline", source),
        min_history=_window(windows, data.get("min_history"), "shared.min_history", source),
        min_parties=_int(data, "min_parties", source, 2, "shared."),
        ratio=float(ratio),
        alpha=_probability(data.get("alpha"), "shared.alpha", source),
        strong_factor=_int(data, "strong_factor", source, 1, "shared."),
        max_surge=float(surge),
    )


def _hold(data: object, source: str) -> tuple[int, tuple[str, ...]]:
    """How long a block grey-lists which of the registration's identifiers (``hold``: days, kinds)."""
    if data is None:
        return HOLD_DAYS, IDENTIFIER_KINDS
    if not isinstance(data, dict):
        raise _bad("hold", "must be an object with days and kinds", source)
    days = _int(data, "days", source, 0, "hold.")
    if days > MAX_HOLD_DAYS:
        raise _bad("hold.days", f"must be at most {MAX_HOLD_DAYS}", source)
    kinds = data.get("kinds", list(IDENTIFIER_KINDS))
    if not isinstance(kinds, list) or not set(kinds) <= set(IDENTIFIER_KINDS):
        raise _bad("hold.kinds", f"must list some of {', '.join(IDENTIFIER_KINDS)}", source)
    return days, tuple(dict.fromkeys(kinds))


def parse_policy(data: object, source: str) -> Policy:
    """A ``Policy`` from its JSON form; ValidationError naming the key and the problem (and ``source``)."""
    if not isinstance(data, dict):
        raise _bad("version", "not a registration policy (an object with a version)", source)
    if not isinstance(data.get("version"), str) or not data["version"].strip():
        raise _bad("version", "must be a non-empty text (change it with any value)", source)
    windows = data.get("windows")
    if not isinstance(windows, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in windows.values()
    ):
        raise _bad("windows", "must map names to positive seconds", source)
    identifiers = data.get("identifiers")
    if not isinstance(identifiers, dict):
        raise _bad("identifiers", "must be an object", source)
    points = data.get("points")
    if not isinstance(points, dict):
        raise _bad("points", f"must give integers for {', '.join(_POINTS)}", source)
    for name in _POINTS:
        if not isinstance(points.get(name), int) or isinstance(points.get(name), bool):
            raise _bad(f"points.{name}", "must be an integer", source)
    relax = data.get("relax") or {}
    if not isinstance(relax, dict):
        raise _bad("relax", "must be an object with clean_days and points", source)
    retention = _window(windows, data.get("retention"), "retention", source)
    rules = tuple(_identifier(k, v, windows, source) for k, v in identifiers.items())
    for rule in rules:
        if any(limit.seconds > retention for limit in rule.limits):
            raise _bad(f"identifiers.{rule.kind}.limits", "a window is longer than the retention", source)
    hold_days, hold_kinds = _hold(data.get("hold"), source)
    return Policy(
        version=data["version"],
        retention=retention,
        recent_cap=_int(data, "recent_cap", source, 8),
        own_channels=frozenset(data.get("own_channels") or ()),
        identifiers=rules,
        shared=_shared(data.get("shared"), windows, source),
        points={k: int(points[k]) for k in _POINTS},
        clean_seconds=_int(relax, "clean_days", source, 0, "relax.") * 86_400,
        relax_points=_int(relax, "points", source, 0, "relax."),
        hold_days=hold_days,
        hold_kinds=hold_kinds,
    )


_POINTS = ("identifier_step_up", "identifier_block", "shared", "shared_strong", "shared_cap", "step_up", "block")


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def write_bundle(folder: Path, data: bytes) -> Path:
    """A registered version's bundle: the policy file as given and a manifest of its sha256; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / POLICY_FILE).write_bytes(data)
    manifest = {"kind": POLICY_KIND, "files": {POLICY_FILE: sha256_hex(data)}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def read_bundle(folder: Path, manifest_sha256: str) -> Policy:
    """The policy of a registered bundle after checking the manifest's sha256 and the file's; DataSourceError if not."""
    try:
        raw = (folder / MANIFEST).read_bytes()
        if sha256_hex(raw) != manifest_sha256:
            raise DataSourceError(f"{folder / MANIFEST}: sha256 does not match the registered one; refusing to load")
        data = (folder / POLICY_FILE).read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{folder}: not a registration policy bundle ({exc.strerror}: {exc.filename})") from None
    if json.loads(raw).get("files", {}).get(POLICY_FILE) != sha256_hex(data):
        raise DataSourceError(f"{folder / POLICY_FILE}: sha256 does not match the manifest; refusing to load")
    return parse_policy(json.loads(data), str(folder / POLICY_FILE))
