"""The generic table mapping behind the row converters: columns, attribute paths and codecs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskloop.domain._codecs import Codec
from riskloop.errors import ValidationError

Row = dict[str, object]
ColumnSpec = tuple[str, str, Codec]  # (column, attribute path "a" or "a.b", codec)


@dataclass(frozen=True, slots=True)
class TableMapping:
    """How one table maps to a domain class.

    ``columns`` lists, in contract order, each column with the attribute path it fills and its codec;
    ``nested`` names the class built for a dotted path's first part; ``prepare`` adjusts loaded values
    that depend on other columns before the object is built.
    """

    table: str
    cls: type[Any]
    columns: tuple[ColumnSpec, ...]
    nested: Mapping[str, type[Any]] = field(default_factory=dict)
    prepare: Callable[[dict[str, Any]], None] | None = None

    def load(self, row: Mapping[str, object]) -> Any:
        """Build the domain object from ``row``; every error names the offending column."""
        names = {column for column, _, _ in self.columns}
        for column in sorted(names - row.keys()):
            raise ValidationError(column, f"missing from the {self.table} row")
        for column in sorted(map(str, row.keys() - names)):
            raise ValidationError(column, f"is not a column of {self.table}")
        flat = {path: codec.load(row[column], column) for column, path, codec in self.columns}
        try:
            if self.prepare is not None:
                self.prepare(flat)
            return self.cls(**self._nest(flat))
        except ValidationError as err:
            column = next((col for col, path, _ in self.columns if path.rsplit(".", 1)[-1] == err.field), err.field)
            raise type(err)(column, err.problem) from err

    def _nest(self, flat: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        parts: dict[str, dict[str, Any]] = {}
        for path, value in flat.items():
            head, _, tail = path.partition(".")
            if tail:
                parts.setdefault(head, {})[tail] = value
            else:
                kwargs[path] = value
        for head, values in parts.items():
            kwargs[head] = self.nested[head](**values)
        return kwargs

    def dump(self, obj: Any) -> Row:
        """The contract row of ``obj``, columns in contract order."""
        row: Row = {}
        for column, path, codec in self.columns:
            value = obj
            for part in path.split("."):
                value = getattr(value, part)
            row[column] = codec.dump(value)
        return row
