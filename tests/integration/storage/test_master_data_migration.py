"""Migration 0012 protects ingested master data stored raw before it: database rows and warehouse files alike.

Ground truth is the raw data itself: after the migration no raw identifier is left anywhere, the vault gives
every written value back, a second run changes nothing, and the graph built from the protected tables is the
graph built from the raw ones (same nodes, tokens, labels and edges).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

from riskloop.domain.tables import table
from riskloop.graph.build import build_graph
from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.io.arrow_schema import arrow_schema
from riskloop.io.warehouse import Warehouse
from riskloop.privacy.envelope import Sealer
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.protected import Protector, vault_value
from riskloop.storage.repository import contract_table
from riskloop.storage.secrets import FileKeyProvider, graph_key, pii_key_path
from riskloop.testing.pii import database_texts, file_texts, hits
from riskloop.testing.tables import credit_code, resident_id, row, write_table

PEOPLE = [resident_id(i) for i in range(4)]
PHONES = [f"1391234{i:04d}" for i in range(4)]
NAMES = ["欧阳春花", "司马秋月", "诸葛冬雪", "上官夏荷"]
FIRMS = [credit_code(i) for i in range(3)]


def _raw_tables() -> dict[str, list[dict[str, object]]]:
    persons = [row("persons", person_id=p, name=n, phone=ph) for p, n, ph in zip(PEOPLE, NAMES, PHONES, strict=True)]
    enterprises = [
        row("enterprises", credit_code=c, legal_rep_id=PEOPLE[i], phone=PHONES[i]) for i, c in enumerate(FIRMS)
    ]
    shareholders = [
        row("shareholders", credit_code=FIRMS[0], holder_kind="person", holder_id=PEOPLE[3]),
        row("shareholders", credit_code=FIRMS[1], holder_kind="enterprise", holder_id=FIRMS[0]),
    ]
    return {"persons": persons, "enterprises": enterprises, "shareholders": shareholders}


def _graph(warehouse: Path, tokenizer: Tokenizer) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    con = Warehouse(warehouse).connect()
    try:
        built = build_graph(con, tokenizer)
    finally:
        con.close()
    return built.nodes.to_pylist(), built.edges.to_pylist()


def test_raw_master_data_is_protected_in_both_stores_and_nothing_is_lost(db_url: str, tmp_path: Path) -> None:
    home, tables = tmp_path / "home", _raw_tables()
    upgrade(db_url, "0011")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for name, rows in tables.items():
            stored = sa.Table(name, sa.MetaData(), autoload_with=conn)  # as at 0011: no enterprises.valid_from
            conn.execute(stored.insert(), [{k: v for k, v in r.items() if k in stored.c} for r in rows])
    for name, rows in tables.items():
        write_table(home / "warehouse", name, rows)
    tokenizer = Tokenizer(graph_key(home, create=True))
    FileKeyProvider.create(pii_key_path(home))  # a workspace at 0011 has its PII keys (made at 0010)
    before = _graph(home / "warehouse", tokenizer)

    upgrade(db_url, home=home)

    raws = [*PEOPLE, *PHONES, *NAMES]
    assert hits(database_texts(engine), raws) == {}
    assert hits(file_texts(home / "warehouse"), raws) == {}
    assert _graph(home / "warehouse", tokenizer) == before  # the graph of tokens is the graph of raw values
    assert upgrade(db_url, home=home) is None  # at head: nothing runs
    sealer = Sealer(FileKeyProvider(pii_key_path(home)))
    with engine.connect() as conn:
        stored = conn.execute(sa.select(contract_table("persons")).order_by("person_id")).mappings().all()
        holders = dict(conn.execute(sa.select(contract_table("shareholders").c["holder_kind", "holder_id"])).all())
        opened = {
            (vault_value(conn, sealer, "person", Keyed.parse(r["person_id"]).token),
             vault_value(conn, sealer, "name", r["name"][5:29]),
             vault_value(conn, sealer, "phone", Keyed.parse(r["phone"]).token))
            for r in stored
        }  # fmt: skip
    assert opened == set(zip(PEOPLE, NAMES, PHONES, strict=True))
    assert {r["person_id"] for r in stored} == {tokenizer.keyed("person", p) for p in PEOPLE}  # a request's token
    assert holders == {"person": tokenizer.keyed("person", PEOPLE[3]), "enterprise": FIRMS[0]}  # a code stays
    engine.dispose()


def test_protecting_is_idempotent_and_deterministic(tmp_path: Path) -> None:
    home = tmp_path / "home"
    protector = Protector(Tokenizer(graph_key(home, create=True)), Sealer(FileKeyProvider.create(pii_key_path(home))))
    spec, data = (
        table("enterprises"),
        pa.Table.from_pylist(_raw_tables()["enterprises"], schema=arrow_schema(table("enterprises"))),
    )
    data = data.set_column(
        data.schema.get_field_index("address"),
        "address",
        pa.array(["北京", "上海市浦东新区张江路1号", "武汉市江汉区解放大道2号"][: data.num_rows]),
    )
    once, vault = protector.protect(spec, data)
    again, more = protector.protect(spec, once)
    assert again.equals(once)  # protected values pass through
    assert more == []
    assert protector.protect(spec, data)[0].equals(once)  # a re-ingest stores the same forms: already present
    address = once["address"].to_pylist()
    assert [a[:5] for a in address] == ["tok0:", "tok1:", "tok1:"]  # a bare city name links nothing
    assert len({(r["kind"], r["token"]) for r in vault}) == len(vault) == 9  # 3 firms x address, phone, legal rep
