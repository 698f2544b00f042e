"""A verification desk and step-ups on the in-memory fakes, at a clock tests move."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain.otp import OtpPolicy
from riskloop.service.step_up import StepUps
from riskloop.service.verifications import VerificationDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_verifications import MemoryVerificationStore
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender

START = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
PERSON, OTHER = "110105199003071239", "11010519491231002X"  # synthetic, valid check characters
PHONE = "13800138000"


@dataclass
class Rig:
    desk: VerificationDesk
    step_ups: StepUps
    store: MemoryVerificationStore
    sms: MemorySmsSender
    face: MemoryFaceVendor
    carrier: MemoryCarrier
    clock: SteppingClock


def make_rig() -> Rig:
    store, sms, face, carrier = MemoryVerificationStore(), MemorySmsSender(), MemoryFaceVendor(), MemoryCarrier()
    clock = SteppingClock(START)
    desk = VerificationDesk(store=store, sms=sms, face=face, carrier=carrier, key=b"k" * 32, clock=clock,
                            otp_policy=OtpPolicy(max_attempts=5, max_per_hour=5))  # fmt: skip
    return Rig(desk, StepUps(desk.codes, face), store, sms, face, carrier, clock)
