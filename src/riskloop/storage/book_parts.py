"""BookParts on the warehouse: booked loans appended to ``loans`` and ``repayment_schedules`` as part files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from riskloop.domain.tables import table
from riskloop.io.arrow_schema import arrow_schema
from riskloop.io.warehouse import Warehouse

TABLES = ("loans", "repayment_schedules")


class WarehouseBookParts:
    """The part files of each publish run, named after it (``part-<run>-00000.parquet``)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def written(self, run: str) -> bool:
        """Whether both tables hold the run's part files."""
        return all(self._has(name, run) for name in TABLES)

    def write(self, run: str, loans: Sequence[dict[str, Any]], schedules: Sequence[dict[str, Any]]) -> None:
        """Append the schedules, then the loans (a reader that sees a loan sees its schedule).

        A table that holds the run's files already is left as it is: a run that stopped half-way is finished, not
        repeated.
        """
        for name, rows in (("repayment_schedules", schedules), ("loans", loans)):
            if self._has(name, run):
                continue
            schema = arrow_schema(table(name))
            with self.warehouse.writer(name, prefix=run) as out:
                out.write(pa.Table.from_pylist(list(rows), schema=schema))

    def _has(self, name: str, run: str) -> bool:
        return any(p.name.startswith(f"part-{run}-") for p in self.warehouse.files(name))
