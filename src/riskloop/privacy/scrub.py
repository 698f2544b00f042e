"""The last line of defence for logs: every log record is scrubbed of resident IDs, phones and e-mails.

``install`` wraps the logging record factory, so a record of any logger (ours, SQLAlchemy's, uvicorn's, the
API's structlog lines) has its message, arguments and traceback masked before any handler sees it. Code should
never log an identifier in the first place (the API's request line holds a fixed set of fields); this catches
what slips through: a driver error quoting a row, an exception message with a value in it.
"""

from __future__ import annotations

import logging
import re
import traceback
import unicodedata
from typing import Any

# ``\d`` matches every script's decimal digits: a full-width or Arabic-Indic identifier is masked too. Chinese has
# no spaces, so an identifier may touch a CJK character (``\w``): only a Latin letter or a digit next to it makes
# it part of a longer token ("请拨13800138000联系" is masked, "A13800138000" is not).
_EDGE = r"[\dA-Za-z_]"
_RESIDENT_ID = re.compile(rf"(?<!{_EDGE})\d{{17}}[\dXx](?!{_EDGE})|(?<!{_EDGE})\d{{15}}(?!{_EDGE})")
_PHONE = re.compile(rf"(?<![\dA-Za-z_+])(?:(?:\+|00)?\d\d[\s-]?)?(\d{{3}})[\s-]?(\d{{4}})[\s-]?(\d{{4}})(?!{_EDGE})")
_EMAIL = re.compile(r"(?<![A-Za-z0-9.+_-])([A-Za-z0-9.+_-])[A-Za-z0-9.+_-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_INSTALLED = "_riskloop_pii_scrub"


def _ascii(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def scrub(text: str) -> str:
    """``text`` with resident IDs, mainland mobile phones and e-mail addresses masked.

    A run of 18 (or 15) digits is a resident ID when it holds a plausible birth date where an ID does, so a
    credit code or an order number of that length is left alone.

    Examples
    --------
    >>> scrub("id 11010519491231002X phone +86 138-0013-8000 mail zhang.san@example.com")
    'id 110105**********2X phone 138****8000 mail z***@example.com'

    """
    if not any(c.isdigit() or c == "@" for c in text):  # the common case: nothing to look for
        return text
    text = _RESIDENT_ID.sub(_mask_id, text)
    text = _PHONE.sub(_mask_phone, text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def _mask_id(m: re.Match[str]) -> str:
    found = m.group(0)
    digits = _ascii(found)
    birth = digits[6:14] if len(digits) == 18 else "19" + digits[6:12]
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:8])
    if not (1850 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= 31):
        return found
    return f"{found[:6]}{'*' * (len(found) - 8)}{found[-2:]}"


def _mask_phone(m: re.Match[str]) -> str:
    head = _ascii(m.group(1))
    if head[0] != "1" or head[1] not in "3456789":
        return m.group(0)
    return f"{m.group(1)}****{m.group(3)}"


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` with its message (arguments merged in), traceback and stack masked."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed format string: keep what there is, masked
        message = f"{record.msg} {record.args}"
    record.msg, record.args = scrub(message), None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


def install() -> None:
    """Scrub every log record of this process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _INSTALLED, False):
        return

    def scrubbed(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(factory(*args, **kwargs))

    setattr(scrubbed, _INSTALLED, True)
    logging.setLogRecordFactory(scrubbed)
