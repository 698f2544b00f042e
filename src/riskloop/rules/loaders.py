"""Strategy loaders: the versions shipped in the package, a folder of JDM files, and an in-memory map."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from riskloop.errors import NotFoundError
from riskloop.rules.engine import Strategy, StrategyLoader, parse_key, strategy_key

REFERENCE = "reference"
REFERENCE_VERSION = 2  # tuned on the backtest (docs/strategy.md); reference@1 stays loadable
REFERENCE_KEY = strategy_key(REFERENCE, REFERENCE_VERSION)
PACKAGE_DIR = "strategies"


class FolderStrategyLoader:
    """Loads ``<name>-v<version>.json`` files from a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, key: str) -> Strategy:
        """The strategy ``key`` from its file."""
        name, version = parse_key(key)
        path = self.folder / f"{name}-v{version}.json"
        if not path.is_file():
            raise NotFoundError(f"strategy {key}: no file {path}")
        return Strategy.of(name, version, path.read_text("utf-8"))


class PackageStrategyLoader:
    """The strategies shipped with riskloop (``riskloop/rules/strategies/*.json``)."""

    def load(self, key: str) -> Strategy:
        """The packaged strategy ``key``."""
        name, version = parse_key(key)
        found = resources.files("riskloop.rules").joinpath(PACKAGE_DIR, f"{name}-v{version}.json")
        if not found.is_file():
            raise NotFoundError(f"strategy {key}: not shipped with riskloop")
        return Strategy.of(name, version, found.read_text("utf-8"))


class MemoryStrategyLoader:
    """Strategies held in memory (tests, backtests of a candidate that is not stored yet)."""

    def __init__(self, strategies: Iterable[Strategy] = ()) -> None:
        self._by_key = {s.key: s for s in strategies}

    def add(self, strategy: Strategy) -> None:
        """Make ``strategy`` loadable."""
        self._by_key[strategy.key] = strategy

    def load(self, key: str) -> Strategy:
        """The strategy ``key``."""
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFoundError(f"strategy {key}: not loaded") from None


class ChainStrategyLoader:
    """Asks each loader in turn; the first that has the key wins."""

    def __init__(self, *loaders: StrategyLoader) -> None:
        self.loaders = loaders

    def load(self, key: str) -> Strategy:
        """The strategy ``key`` from the first loader that has it."""
        for loader in self.loaders:
            try:
                return loader.load(key)
            except NotFoundError:
                continue
        raise NotFoundError(f"strategy {key}: not found")


def reference_strategy() -> Strategy:
    """The reference strategy shipped with riskloop (documented rule by rule in docs/strategy.md)."""
    return PackageStrategyLoader().load(REFERENCE_KEY)
