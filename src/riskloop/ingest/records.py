"""Whole records spread over rows (a call's transcript turns): one malformed row quarantines every row of it.

A table with ``whole_by`` (``call_turns``: ``call_id``) holds records of several rows. A record is accepted or
quarantined whole: when any of its rows fails a field check, when its ``sequence`` numbers (``turn_no``) repeat or
do not run 1..n, or when its ``whole_by`` value names no loaded row of the referenced table (a turn of an unknown
call). Every row of a quarantined record goes to the quarantine with a reason naming the record, the offending
row and field; none is dropped. The staged rows of a run are checked together, after every file was read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskloop.domain.tables import Table
from riskloop.ingest.coerce import FieldErrors


@dataclass
class WholeRecords:
    """Collects the records with a bad row while a table is staged, then settles the staged rows."""

    spec: Table
    bad: dict[str, tuple[str, str]] = field(default_factory=dict)  # record -> (field, why)

    @property
    def key(self) -> str:
        """The column whose value names a record."""
        assert self.spec.whole_by is not None
        return self.spec.whole_by

    def note(self, typed: pa.Table, errors: list[FieldErrors]) -> None:
        """Remember the records of a batch's failing rows, with the first failure of each."""
        records = typed.column(self.key).to_pylist()
        numbers = typed.column(self.spec.sequence).to_pylist() if self.spec.sequence else [None] * len(records)
        for err in errors:
            for pos, problem in zip(err.positions.tolist(), err.problems, strict=True):
                record = records[pos]
                if record is not None and record not in self.bad:
                    self.bad[record] = (err.field, f"{self._row(numbers[pos], pos)}: {err.field}: {problem}")

    def _row(self, number: object, pos: int) -> str:
        if self.spec.sequence and number is not None:
            return f"{self.spec.sequence} {number}"
        return f"a row (batch position {pos + 1})"

    def settle(self, staged: Path, parents: list[Path], on_reject: Callable[[pa.Table], None]) -> int:
        """Quarantine every staged row of a bad record (``on_reject``) and rewrite ``staged`` without them.

        Parameters
        ----------
        staged : pathlib.Path
            The table's staged rows (contract columns plus their source file and row).
        parents : list of pathlib.Path
            Warehouse files of the table the record key references (empty: no record is known).
        on_reject : callable
            Receives the quarantined rows with ``_field`` and ``_reason`` columns.

        Returns
        -------
        int
            Rows quarantined here.

        """
        rows = pq.read_table(staged)
        found = dict(self.bad)
        for record, why in self._sequence_faults(rows).items():
            found.setdefault(record, why)
        for record, why in self._unknown(rows, parents).items():
            found.setdefault(record, why)
        if not found or rows.num_rows == 0:
            return 0
        records = rows.column(self.key)
        dropped = pc.fill_null(pc.is_in(records, value_set=pa.array(list(found), pa.string())), False)
        rejects = rows.filter(dropped)
        names = rejects.column(self.key).to_pylist()
        fields = [found[r][0] for r in names]
        reasons = [f"{self.key} {r}: the whole record is quarantined: {found[r][1]}" for r in names]
        rejects = rejects.append_column("_field", pa.array(fields, pa.string()))
        on_reject(rejects.append_column("_reason", pa.array(reasons, pa.string())))
        pq.write_table(rows.filter(pc.invert(dropped)), staged)
        return int(rejects.num_rows)

    def _sequence_faults(self, rows: pa.Table) -> dict[str, tuple[str, str]]:
        """Records whose numbers repeat or do not run 1..n."""
        seq = self.spec.sequence
        if seq is None or rows.num_rows == 0:
            return {}
        stats = rows.group_by(self.key).aggregate([(seq, "min"), (seq, "max"), (seq, "count"), (seq, "count_distinct")])
        low, high = stats[f"{seq}_min"].to_numpy(), stats[f"{seq}_max"].to_numpy()
        count, distinct = stats[f"{seq}_count"].to_numpy(), stats[f"{seq}_count_distinct"].to_numpy()
        out: dict[str, tuple[str, str]] = {}
        for i in np.flatnonzero((count != distinct) | (low != 1) | (high != distinct)).tolist():
            record = stats[self.key][i].as_py()
            numbers = pc.filter(rows[seq], pc.equal(rows[self.key], record)).to_numpy()
            out[record] = (seq, _sequence_problem(seq, numbers))
        return out

    def _unknown(self, rows: pa.Table, parents: list[Path]) -> dict[str, tuple[str, str]]:
        """Records whose key names no loaded row of the referenced table."""
        target = self.spec.references.get(self.key)
        if target is None or rows.num_rows == 0:
            return {}
        table, column = target.split(".")
        known = pa.chunked_array([pq.read_table(p, columns=[column])[column] for p in parents], pa.string())
        keys = pc.unique(rows.column(self.key))
        missing = pc.filter(keys, pc.invert(pc.fill_null(pc.is_in(keys, value_set=known.combine_chunks()), False)))
        why = f"{self.key}: no such {column} loaded in {table}"
        return {r: (self.key, why) for r in missing.to_pylist() if r is not None}


def _sequence_problem(name: str, numbers: np.ndarray[tuple[int], np.dtype[np.int64]]) -> str:
    values, counts = np.unique(numbers, return_counts=True)
    repeated = values[counts > 1]
    if repeated.size:
        return f"{name} {int(repeated[0])}: appears {int(counts[counts > 1][0])} times"
    missing = np.setdiff1d(np.arange(1, int(values.max()) + 1), values)
    if missing.size:
        return f"{name} {int(missing[0])}: missing (the record's {name}s must run 1..n without gaps)"
    return f"{name} {int(values.min())}: the record's {name}s must start at 1"
