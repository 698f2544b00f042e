"""What ties the hard shapes' rings together in their applications, and its truth (``truth/ring_identifiers``).

- mixed chain: members in time order, each consecutive pair sharing one identifier of its own, kinds changing
  along the chain (phone, device, settlement account, address, e-mail in a random order): no identifier of the
  ring's is shared by more than two members, none by the whole ring;
- slow ring: one device, one phone, or both, reused over its 30-90 days;
- address-only: one place, each member writing it differently (``synth/address_writing.py``), nothing else of
  the ring's shared (each applies with its own device, phone, e-mail and account);
- rep farm: one legal representative (planted with the ring's firms, ``synth/rings.py``): recorded only;
- recycled: a device and a phone that honest applicants used 60-365 days before the ring (a month before at
  least, else new ones), so the identifiers carry an honest-looking history.

Their networks are drawn as everyone's: a member on mobile data may come through the national carrier pool,
as do hundreds of strangers (a decoy, ``synth/decoys.py``), never through an address of the ring's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.address_writing import BASIC, HARD, Place, distinct_writings, random_place
from riskloop.synth.applications import Applications
from riskloop.synth.arrays import Arr
from riskloop.synth.firms import Firms
from riskloop.synth.rings import ADDRESS_ONLY, MIXED_CHAIN, RECYCLED, REP_FARM, SLOW_RING, Rings

LINK_KINDS = ("phone", "device", "bank_account", "address", "email")
COLUMNS = {"phone": "phone", "device": "device_id", "bank_account": "bank_account", "address": "address",
           "email": "email"}  # fmt: skip
_SLOTS = 16  # fresh identifiers per ring: chain links 0..14, the slow ring's 15
_RECYCLE_DAYS = (60, 365)  # a recycled identifier was last used by an honest applicant this long before the ring
SCHEMA = pa.schema(
    [
        ("ring_id", pa.string()),
        ("application_id", pa.string()),
        ("identifier_kind", pa.string()),  # phone, device, bank_account, address, email or person
        ("value", pa.string()),  # as written in the application (person: the legal representative's resident ID)
        ("variant", pa.string()),  # addresses: how the place is written (``address_writing.VARIANTS``)
        ("canonical", pa.string()),  # addresses: the same place written canonically
        ("hard_variant", pa.bool_()),  # addresses: a writing beyond the basic variants
        ("recycled_from", pa.string()),  # recycled: the honest application that used the identifier before
    ]
)


def fresh(seed: int, kind: str, ring_number: int, slot: int) -> str:
    """A new identifier of ``kind`` for ``slot`` of ring ``ring_number`` (no firm or person of the universe has it).

    Phones come from the top of the firm phone space, accounts and e-mails from above the enterprise and person
    index spaces, devices from a space of their own: collisions need 89 million enterprises.
    """
    index = np.array([ring_number * _SLOTS + slot], dtype=np.int64)
    made = {
        "phone": lambda: ids.mobiles(seed, 90_000_000 - index, firm=True),
        "device": lambda: ids.device_ids(seed, 4, index),
        "bank_account": lambda: ids.bank_accounts(seed, 1_000_000_000 + index),
        "email": lambda: ids.emails(seed, 900_000_000 + index),
    }[kind]()
    return str(made[0].as_py())


@dataclass
class _Writer:
    """The applications' identifier columns as lists, rewritten in place, and the truth rows of what was written."""

    seed: int
    g: np.random.Generator
    apps: Applications
    columns: dict[str, list[str | None]]
    ring_ids: list[str]
    rows: dict[str, list[object]] = field(default_factory=lambda: {name: [] for name in SCHEMA.names})

    def put(self, pos: int, ring: int, kind: str, value: str, **extra: object) -> None:
        """Write ``value`` as the ``kind`` of application ``pos`` of ring position ``ring``, and record it."""
        if kind in COLUMNS:
            self.columns[COLUMNS[kind]][pos] = value
        row = {"ring_id": self.ring_ids[ring], "application_id": self.apps.application_id[pos].as_py(),
               "identifier_kind": kind, "value": value, **extra}  # fmt: skip
        for name in SCHEMA.names:
            self.rows[name].append(row.get(name))


def _chain(w: _Writer, ring: int, number: int, members: Arr, firms: Firms) -> None:
    kinds = [LINK_KINDS[k] for k in w.g.permutation(len(LINK_KINDS)).tolist()]
    for i, (a, b) in enumerate(zip(members[:-1].tolist(), members[1:].tolist(), strict=True)):
        kind = kinds[i % len(kinds)]
        if kind == "address":
            place = random_place(w.g, int(firms.region[w.apps.row[a]]), unit=False)
            for pos in (a, b):
                variant = BASIC[int(w.g.integers(0, len(BASIC)))]
                w.put(pos, ring, kind, place.write(variant, *_floor_room(w.g)), **_address(place, variant))
        else:
            value = fresh(w.seed, kind, number, i)
            w.put(a, ring, kind, value)
            w.put(b, ring, kind, value)


def _floor_room(g: np.random.Generator) -> tuple[int, int]:
    return int(g.integers(2, 30)), int(g.integers(101, 2999))


def _address(place: Place, variant: str) -> dict[str, object]:
    return {"variant": variant, "canonical": place.write("canonical"), "hard_variant": variant in HARD}


def _slow(w: _Writer, ring: int, number: int, members: Arr) -> None:
    which = int(w.g.integers(0, 3))  # 0: a device, 1: a phone, 2: both
    shared = [kind for kind, used in (("device", which != 1), ("phone", which != 0)) if used]
    for kind in shared:
        value = fresh(w.seed, kind, number, _SLOTS - 1)
        for pos in members.tolist():
            w.put(pos, ring, kind, value)


def _address_only(w: _Writer, ring: int, members: Arr, firms: Firms) -> None:
    place = random_place(w.g, int(firms.region[w.apps.row[members[0]]]), unit=True)
    for pos, (variant, text) in zip(members.tolist(), distinct_writings(w.g, place, len(members)), strict=False):
        w.put(pos, ring, "address", text, **_address(place, variant))


def _rep_farm(w: _Writer, ring: int, members: Arr, firms: Firms) -> None:
    rep = ids.resident_ids(w.seed, firms.legal_rep[w.apps.row[members]])
    for pos, value in zip(members.tolist(), rep.to_pylist(), strict=True):
        w.put(pos, ring, "person", str(value))


def _recycled(w: _Writer, ring: int, number: int, members: Arr, *, start: np.datetime64, donors: Arr) -> None:
    at = w.apps.applied_at[donors]
    recent = (at <= start - np.timedelta64(_RECYCLE_DAYS[0], "D")) & (
        at >= start - np.timedelta64(_RECYCLE_DAYS[1], "D")
    )
    pool = donors[recent] if recent.sum() >= 2 else donors[at <= start - np.timedelta64(30, "D")]
    chosen = w.g.choice(pool, size=min(2, len(pool)), replace=False).tolist() if len(pool) else []
    for kind, donor in zip(("device", "phone"), chosen + [None] * (2 - len(chosen)), strict=True):
        value = w.columns[COLUMNS[kind]][donor] if donor is not None else None
        source = w.apps.application_id[donor].as_py() if donor is not None else None
        value = value if value is not None else fresh(w.seed, kind, number, _SLOTS - 1)
        for pos in members.tolist():
            w.put(pos, ring, kind, value, recycled_from=source)


def ring_identifiers(
    seed: int, g: np.random.Generator, firms: Firms, rings: Rings, *, apps: Applications, table: pa.Table, donors: Arr
) -> tuple[pa.Table, pa.Table]:
    """The applications with the hard rings' identifiers written in, and ``ring_identifiers`` truth.

    ``donors``: positions of honest applications whose device and phone a recycled ring may reuse.
    """
    columns = {name: table[name].to_pylist() for name in set(COLUMNS.values())}
    w = _Writer(seed, g, apps, columns, rings.ring_ids())
    order = np.lexsort((apps.applied_at, apps.ring))
    for ring in np.flatnonzero(rings.shape >= MIXED_CHAIN).tolist():
        members = order[apps.ring[order] == ring]  # in time order
        if not len(members):
            continue
        number, shape = int(rings.number[ring]), int(rings.shape[ring])
        if shape == MIXED_CHAIN:
            _chain(w, ring, number, members, firms)
        elif shape == SLOW_RING:
            _slow(w, ring, number, members)
        elif shape == ADDRESS_ONLY:
            _address_only(w, ring, members, firms)
        elif shape == REP_FARM:
            _rep_farm(w, ring, members, firms)
        elif shape == RECYCLED:
            _recycled(w, ring, number, members, start=rings.window_start[ring], donors=donors)
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
    return table, pa.table(w.rows, schema=SCHEMA)


def donor_applications(apps: Applications, table: pa.Table, honest_firm: Arr, family: Arr) -> Arr:
    """Honest applications whose device and phone a recycled ring may take: not at a branch, not of a family."""
    branch = pc.equal(table["channel"], "branch").to_numpy(zero_copy_only=False)
    out: Arr = np.flatnonzero((apps.ring < 0) & honest_firm[apps.row] & ~branch & (family[apps.row] < 0))
    return out
