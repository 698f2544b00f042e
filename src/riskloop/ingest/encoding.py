"""Detect the text encoding of a CSV export: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""

from __future__ import annotations

import codecs
from pathlib import Path

from riskloop.errors import IngestError

CHUNK_BYTES = 4 * 1024 * 1024
CANDIDATES = ("utf-8", "gb18030")


def _decodes(path: Path, encoding: str, skip: int) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        fh.seek(skip)
        try:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """Return ``"utf-8"``, ``"utf-8-sig"`` (UTF-8 with BOM) or ``"gb18030"`` for the file at ``path``.

    The whole file is decoded (fast, incremental): a file valid as UTF-8 is UTF-8, since GBK text is
    almost never valid UTF-8; otherwise GB18030, which decodes every GBK and GB2312 file.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        if not _decodes(path, "utf-8", len(codecs.BOM_UTF8)):
            raise IngestError(f"{path.name}: starts with a UTF-8 byte-order mark but is not valid UTF-8")
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(f"{path.name}: UTF-16 text is not supported; export as UTF-8 or GB18030/GBK")
    for encoding in CANDIDATES:
        if _decodes(path, encoding, 0):
            return encoding
    raise IngestError(f"{path.name}: text is neither UTF-8 nor GB18030/GBK; re-export as UTF-8")
