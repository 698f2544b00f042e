"""Who may apply: the applicant's age range on the application date, and the minimum identity of a decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain.identifiers import resident_birth_date, validate_resident_id
from riskloop.errors import ConfigError, ValidationError

DEFAULT_MIN_AGE, DEFAULT_MAX_AGE = 18, 70  # the reference products' range (RISKLOOP_APPLICANT_AGE overrides)
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")  # the application date is the applicant's calendar day
# Without these a decision cannot know who applied: the identity checks (SMS to the phone, face against the
# resident-ID photo, phone owner) and the graph checks have nothing to verify or link.
REQUIRED_IDENTITY: tuple[str, ...] = ("applicant_id", "phone")
# Remote channels also name the device and client IP the identity checks and the shared-device rules read.
REMOTE_CHANNELS = frozenset({"web", "mobile", "mini_program"})
REMOTE_IDENTITY: tuple[str, ...] = ("device_id", "ip")


def age_on(birth: dt.date, on: dt.date) -> int:
    """Completed years from ``birth`` to ``on``.

    >>> age_on(dt.date(2008, 7, 2), dt.date(2026, 7, 1)), age_on(dt.date(2008, 7, 1), dt.date(2026, 7, 1))
    (17, 18)
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class AgeRange:
    """The applicant ages a product accepts, inclusive, on the application date.

    Examples
    --------
    >>> AgeRange(18, 65).check("11010519491231002X", dt.date(2026, 7, 1))
    Traceback (most recent call last):
    ...
    riskloop.errors.ValidationError: applicant_id: the applicant is 76 on 2026-07-01; the product accepts ages 18 to 65
    >>> AgeRange().check("110105200807021232", dt.date(2026, 7, 1))
    Traceback (most recent call last):
    ...
    riskloop.errors.ValidationError: applicant_id: the applicant is 17 on 2026-07-01; the product accepts ages 18 to 70

    """

    minimum: int = DEFAULT_MIN_AGE
    maximum: int = DEFAULT_MAX_AGE

    def __post_init__(self) -> None:
        if not 0 <= self.minimum <= self.maximum <= 150:
            raise ConfigError(f"applicant_age: {self.minimum}-{self.maximum} is not a range of ages within 0-150")

    def check_at(self, resident_id: str, at: dt.datetime, field: str = "applicant_id") -> None:
        """:meth:`check` on the date (China time) of the instant ``at``."""
        self.check(resident_id, at.astimezone(CHINA_TIME).date(), field)

    def check(self, resident_id: str, on: dt.date, field: str = "applicant_id") -> None:
        """Raise ValidationError naming ``field`` when the birth date is after ``on`` or the age out of range."""
        birth = resident_birth_date(validate_resident_id(resident_id, field), field)
        if birth > on:
            raise ValidationError(field, f"birth date (digits 7-14) is after the application date {on.isoformat()}")
        age = age_on(birth, on)
        if not self.minimum <= age <= self.maximum:
            raise ValidationError(
                field,
                f"the applicant is {age} on {on.isoformat()}; "
                f"the product accepts ages {self.minimum} to {self.maximum}",
            )


def missing_identity(values: dict[str, object], channel: str) -> tuple[str, ...]:
    """The identifiers of the minimum identity that ``values`` lacks (empty: the identity is complete).

    >>> missing_identity({"applicant_id": None, "phone": "13800138000", "device_id": "d", "ip": None}, "mobile")
    ('applicant_id', 'ip')
    >>> missing_identity({"applicant_id": "x", "phone": "y"}, "branch")
    ()
    """
    needed = REQUIRED_IDENTITY + (REMOTE_IDENTITY if channel in REMOTE_CHANNELS else ())
    return tuple(name for name in needed if values.get(name) in (None, ""))
