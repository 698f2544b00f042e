"""Does the database answer? One read of the migrated schema, for readiness probes."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.errors import StorageError

_VERSION = sa.text("SELECT version_num FROM alembic_version")


def ping(engine: sa.Engine) -> str:
    """The schema's migration revision; StorageError naming the driver's complaint when the database does not answer.

    A fresh connection is not required: a pooled one that still works is an answer. The schema must be there,
    so a database whose tables are gone (a dropped schema, a replaced file) fails too.
    """
    try:
        with engine.connect() as conn:
            revision = conn.execute(_VERSION).scalar_one_or_none()
    except sa.exc.SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
        first = (str(cause).strip().splitlines() or [""])[0]
        raise StorageError(f"does not answer ({type(cause).__name__}: {first})") from None
    if revision is None:
        raise StorageError("answers but its schema has no migration revision")
    return f"answers (migration {revision})"
