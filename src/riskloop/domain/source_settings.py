"""Settings of the data sources, as versioned data: per source its kind, timeout, retries, breaker, rate and fields.

The shipped settings (``riskloop/connectors/data/sources.json``) declare every source; a workspace's own
``sources.json`` overrides keys per source (the gateway's URL, a tighter timeout). Each source declares per purpose
the fields it may return (PIPL minimum necessary): a pull keeps only those. An unknown or bad key is a ConfigError
naming it (``sources.pboc.timeout_seconds: ...``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskloop.domain.consent import PURPOSES, check_sources
from riskloop.errors import ConfigError, ValidationError

KINDS = ("http", "file")
FIELD_TYPES = ("int", "number", "str", "bool")
_KEYS = {
    "kind", "endpoint", "timeout_seconds", "retries", "backoff", "breaker", "rate_limit", "fields", "required",
    "purposes", "description",
}  # fmt: skip


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: ``base * 2**attempt`` capped at ``max``, scaled by a random factor in [1-jitter, 1]."""

    base_seconds: float = 0.1
    max_seconds: float = 2.0
    jitter: float = 0.5


@dataclass(frozen=True)
class Breaker:
    """Opens after ``failures_to_open`` consecutive failures; one trial call after ``reset_after_seconds``."""

    failures_to_open: int = 5
    reset_after_seconds: float = 30.0


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``per_second`` refill, ``burst`` capacity."""

    per_second: float = 50.0
    burst: int = 50


@dataclass(frozen=True)
class SourceSettings:
    """One source: where it is, how long to wait, how to retry, what it may return per purpose."""

    name: str
    kind: str
    endpoint: str | None  # the gateway URL (http) or drop directory (file); None: declared, not configured
    timeout_seconds: float
    retries: int
    backoff: Backoff
    breaker: Breaker
    rate_limit: RateLimit
    fields: Mapping[str, str]  # field -> type of the payload
    required: tuple[str, ...]
    purposes: Mapping[str, tuple[str, ...]]  # purpose -> the fields it may keep

    @property
    def configured(self) -> bool:
        """Whether the source has an endpoint (a pull can be made)."""
        return bool(self.endpoint)

    def allowed(self, purpose: str) -> tuple[str, ...]:
        """The fields ``purpose`` may keep; empty when the source serves no such purpose."""
        return self.purposes.get(purpose, ())


@dataclass(frozen=True)
class SourceCatalog:
    """Every declared source under one settings version."""

    version: str
    sources: Mapping[str, SourceSettings]

    def get(self, name: str) -> SourceSettings:
        """Source ``name``; ConfigError listing the declared ones."""
        try:
            return self.sources[name]
        except KeyError:
            raise ConfigError(f"sources.{name}: unknown source; declared: {', '.join(sorted(self.sources))}") from None

    def configured(self) -> list[SourceSettings]:
        """The sources with an endpoint, by name."""
        return [s for _, s in sorted(self.sources.items()) if s.configured]


def parse_catalog(shipped: Mapping[str, Any], override: Mapping[str, Any] | None = None) -> SourceCatalog:
    """The catalog of ``shipped`` settings with ``override``'s keys laid over each source's."""
    version = _need(shipped, "version", str, "sources")
    declared = _need(shipped, "sources", dict, "sources")
    merged = {name: dict(body) for name, body in declared.items()}
    if override:
        extra = set(override) - {"version", "sources"}
        if extra:
            raise ConfigError(f"sources: unknown key {sorted(extra)[0]!r}; valid: version, sources")
        for name, body in _need(override, "sources", dict, "sources").items():
            if name not in merged:
                raise ConfigError(f"sources.{name}: not a declared source; declared: {', '.join(sorted(merged))}")
            merged[name].update(_need({name: body}, name, dict, "sources"))
        version = f"{version}+{override.get('version', 'local')}"
    return SourceCatalog(version, {name: parse_source(name, body) for name, body in merged.items()})


def parse_source(name: str, body: Mapping[str, Any]) -> SourceSettings:
    """One source's settings; ConfigError naming the first bad key."""
    where = f"sources.{name}"
    try:
        check_sources([name])
    except ValidationError:
        raise ConfigError(f"{where}: a source name is lowercase letters, digits and _") from None
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key; valid: {', '.join(sorted(_KEYS))}")
    kind = _need(body, "kind", str, where)
    if kind not in KINDS:
        raise ConfigError(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    fields = _fields(_need(body, "fields", dict, where), where)
    return SourceSettings(
        name=name,
        kind=kind,
        endpoint=_optional_text(body, "endpoint", where),
        timeout_seconds=_number(body, "timeout_seconds", where, 0.001, 120.0, 2.0),
        retries=int(_number(body, "retries", where, 0, 10, 2, integer=True)),
        backoff=_backoff(body.get("backoff", {}), f"{where}.backoff"),
        breaker=_breaker(body.get("breaker", {}), f"{where}.breaker"),
        rate_limit=_rate(body.get("rate_limit", {}), f"{where}.rate_limit"),
        fields=fields,
        required=_names(body.get("required", []), fields, f"{where}.required"),
        purposes=_purposes(_need(body, "purposes", dict, where), fields, f"{where}.purposes"),
    )


def _fields(raw: Mapping[str, Any], where: str) -> dict[str, str]:
    for field, kind in raw.items():
        if kind not in FIELD_TYPES:
            raise ConfigError(f"{where}.fields.{field}: {kind!r} is not one of {', '.join(FIELD_TYPES)}")
    if not raw:
        raise ConfigError(f"{where}.fields: declare at least one field")
    return {str(k): str(v) for k, v in raw.items()}


def _names(raw: object, fields: Mapping[str, str], where: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: must be a list of field names")
    for name in raw:
        if name not in fields:
            raise ConfigError(f"{where}: {name!r} is not a declared field; declared: {', '.join(fields)}")
    return tuple(str(n) for n in raw)


def _purposes(raw: Mapping[str, Any], fields: Mapping[str, str], where: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for purpose, names in raw.items():
        if purpose not in PURPOSES:
            raise ConfigError(f"{where}.{purpose}: unknown purpose; valid: {', '.join(PURPOSES)}")
        out[str(purpose)] = _names(names, fields, f"{where}.{purpose}")
    return out


def _backoff(raw: object, where: str) -> Backoff:
    body = _section(raw, where, {"base_seconds", "max_seconds", "jitter"})
    base = _number(body, "base_seconds", where, 0.0, 60.0, Backoff.base_seconds)
    top = _number(body, "max_seconds", where, base, 600.0, max(base, Backoff.max_seconds))
    return Backoff(base, top, _number(body, "jitter", where, 0.0, 1.0, Backoff.jitter))


def _breaker(raw: object, where: str) -> Breaker:
    body = _section(raw, where, {"failures_to_open", "reset_after_seconds"})
    failures = int(_number(body, "failures_to_open", where, 1, 1000, Breaker.failures_to_open, integer=True))
    return Breaker(failures, _number(body, "reset_after_seconds", where, 0.001, 3600.0, Breaker.reset_after_seconds))


def _rate(raw: object, where: str) -> RateLimit:
    body = _section(raw, where, {"per_second", "burst"})
    per_second = _number(body, "per_second", where, 0.001, 1e6, RateLimit.per_second)
    return RateLimit(per_second, int(_number(body, "burst", where, 1, 10**6, RateLimit.burst, integer=True)))


def _section(raw: object, where: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be an object with keys {', '.join(sorted(keys))}")
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key; valid: {', '.join(sorted(keys))}")
    return raw


def _need(body: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in body:
        raise ConfigError(f"{where}.{key}: missing")
    value = body[key]
    if not isinstance(value, kind):
        raise ConfigError(f"{where}.{key}: must be a {kind.__name__}, got {type(value).__name__}")
    return value


def _optional_text(body: Mapping[str, Any], key: str, where: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}.{key}: must be text or null")
    return value or None


def _number(  # noqa: PLR0917 - the bounds read best in place
    body: Mapping[str, Any], key: str, where: str, lo: float, hi: float, default: float, *, integer: bool = False
) -> float:
    value = body.get(key, default)
    bad = isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int))
    if bad or not math.isfinite(value) or not lo <= value <= hi:
        what = "an integer" if integer else "a number"
        raise ConfigError(f"{where}.{key}: must be {what} in [{lo:g}, {hi:g}], got {value!r}")
    return float(value)
