"""Name → implementation registries for pluggable capabilities (feature engines, graph checks, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from riskloop.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories of one capability by name; an unknown name is a ConfigError that lists the valid ones.

    Examples
    --------
    >>> engines = Registry[str]("feature engine", {"duckdb": lambda root: f"DuckDB over {root}"})
    >>> engines.create("duckdb", "warehouse")
    'DuckDB over warehouse'
    >>> engines.check("sparkle")
    Traceback (most recent call last):
    ...
    riskloop.errors.ConfigError: feature engine: unknown name 'sparkle'; valid: duckdb

    """

    def __init__(self, capability: str, factories: dict[str, Callable[..., T]]) -> None:
        self.capability = capability
        self._factories = dict(factories)

    @property
    def names(self) -> tuple[str, ...]:
        """The valid names, in registration order."""
        return tuple(self._factories)

    def check(self, name: str) -> str:
        """``name`` if it is registered, else a ConfigError naming the valid ones."""
        if name not in self._factories:
            raise ConfigError(f"{self.capability}: unknown name {name!r}; valid: {', '.join(self.names)}")
        return name

    def create(self, name: str, *args: Any, **kwargs: Any) -> T:
        """A new implementation called ``name``, built from ``args`` and ``kwargs``."""
        return self._factories[self.check(name)](*args, **kwargs)
