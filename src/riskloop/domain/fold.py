"""One ASCII spelling of identifier text: any Unicode digit script, full-width forms, stray spaces folded.

An applicant types a resident ID or a phone with whatever keyboard or input method they have: full-width
digits (０-９), Arabic-Indic, Devanagari, Thai ... . Every Unicode decimal digit (category ``Nd``) is folded to
its ASCII digit and compatibility forms (full-width letters, the full-width ``Ｘ``) to ASCII by NFKC, so one
person written in two scripts is one identity (ADR 0013). Whitespace and invisible format characters
(zero-width space, joiners, BOM, bidi marks: category ``Cf``) are dropped; control characters (NUL ...) are
refused, never dropped silently.
"""

from __future__ import annotations

import unicodedata

from riskloop.errors import IdentifierError

MAX_RAW_LENGTH = 64  # longer input is refused before folding: no identifier is written that long


def fold_identifier(raw: object, field: str) -> str:
    r"""Return ``raw`` folded to its ASCII spelling (still to be validated); raise IdentifierError naming ``field``.

    >>> fold_identifier("１３８ ٠٠١٣ ८०००", "phone")
    '13800138000'
    >>> fold_identifier("11010519491231002ｘ\u200b", "applicant_id")
    '11010519491231002x'
    """
    if not isinstance(raw, str):
        raise IdentifierError(field, f"must be a string, got {type(raw).__name__}")
    if len(raw) > MAX_RAW_LENGTH:
        raise IdentifierError(field, f"must be at most {MAX_RAW_LENGTH} characters, got {len(raw)}")
    if raw.isascii() and raw.isprintable() and " " not in raw:
        return raw  # the common case: nothing to fold
    out = []
    for ch in unicodedata.normalize("NFKC", raw):
        category = unicodedata.category(ch)
        if ch.isspace() or category == "Cf":
            continue
        if category == "Cc" or category in ("Cs", "Co", "Cn"):
            raise IdentifierError(field, f"contains the control or unassigned character U+{ord(ch):04X}")
        out.append(str(unicodedata.decimal(ch)) if category == "Nd" else ch)
    return "".join(out)


def ascii_digits(text: str) -> bool:
    """True when ``text`` is non-empty and only ASCII digits (``str.isdigit`` also accepts other scripts)."""
    return text.isascii() and text.isdigit()
