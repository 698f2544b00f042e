"""Parameters of a synthetic universe and the seeded random streams every chunk draws from."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any

import numpy as np

from riskloop.errors import ValidationError
from riskloop.synth.scenario import NO_SCENARIO, Scenario

# 1.1.0: persons born 1956-2004 (applicants within 18-70); 1.2.0: post-loan data; 1.3.0: enterprises carry
# valid_from, their earlier versions (before post-loan legal-rep and status changes) under history/; 1.4.0: drift
# scenarios (``scenario``; without one every table and truth file is as in 1.3.0); 1.5.0: harder fraud (``fraud``:
# five more ring shapes and decoys, with their truth; with the standard fraud every file is as in 1.4.0); 1.6.0:
# collection (cases, actions with propensities, calls, transcripts, QA reviews; their counterfactual truth), every
# earlier file as in 1.5.0; 1.7.0: compositional phrasing of the transcripts' issues and hard negatives with
# recognition noise (``call_turns``, ``call_reviews`` and the collection truth change; ``call_labels`` gains
# ``family``, new truth ``call_hard_negatives``), every other file as in 1.6.0; 1.8.0: the front door (invoices to
# consumers as extra part files, PBOC report documents and ``credit_report_loans``, risk documents and their
# reviews, the platform's registrations under ``events/``; their truth), every earlier file as in 1.7.0; 1.9.0:
# each enterprise's true future (truth ``future_scale``: 12 months of sales and purchases after as-of;
# ``prospect_outcomes``: growth, default and take-up of credit within 12 months), every earlier file as in 1.8.0
GENERATOR_VERSION = "1.9.0"
STANDARD, HARD = "standard", "hard"
FRAUD_LEVELS = (STANDARD, HARD)
DEFAULT_AS_OF = dt.date(2026, 6, 30)
DEFAULT_CHUNK_SIZE = 20_000


class Stream(IntEnum):
    """One independent random stream per concern, so changing one dimension never shifts another."""

    FINANCE_STATEMENTS = 14
    FIRMS = 1
    RINGS = 2
    REGISTRATION = 3
    FINANCE = 4
    GOVERNMENT = 5
    TAX = 6
    INVOICES = 7
    RISK = 8
    APPLICATIONS = 9
    LOGINS = 10
    LOANS = 11
    TRANSACTIONS = 12
    TEXT = 13
    # post-loan data (generator 1.2.0): new streams, so the tables above keep their draws
    POSTLOAN = 15
    POSTLOAN_EVENTS = 16
    POSTLOAN_TXN = 17
    REPAYMENT_DETAIL = 18
    BUREAU = 19
    GUARANTEES = 20
    POSTLOAN_INVOICES = 21
    # drift scenarios (generator 1.4.0): the extra rings of a fraud wave
    SCENARIO = 22
    # harder fraud (generator 1.5.0): the hard shapes' rings, their identifiers, the decoys
    HARD_RINGS = 23
    HARD_LINKS = 24
    DECOYS = 25
    # collection (generator 1.6.0): the historical policy's choices and timing, the debtors' latent types, the
    # common random numbers of the potential outcomes, the calls' transcripts, the QA team's sample
    COLLECTION = 26
    DEBTORS = 27
    RESPONSES = 28
    TRANSCRIPTS = 29
    CALL_REVIEWS = 30
    # open-ended phrasing of the transcripts (generator 1.7.0): the re-wording of issue and hard-negative turns and
    # the recognition noise
    PHRASING = 31
    # bank exports (issue 17): invoices to consumers, the bureau's report documents
    EXPORTS_CONSUMER_INVOICES = 32
    EXPORTS_BUREAU_DOCUMENTS = 33
    # risk documents (text -> risk tags): the documents' composition and layout noise, the analysts' reviews
    TEXTTAGS_DOCUMENTS = 34
    TEXTTAGS_REVIEWS = 35
    # registrations on the lending platform (issue 17): honest sign-ups, the universe's campaign days, planted attacks
    REG_SIGNUPS = 36
    REG_CAMPAIGNS = 37
    REG_ATTACKS = 38
    # prospect screening (issue 18): each enterprise's future business path, its 12-month outcomes (truth only)
    PROSPECT_FUTURE = 39
    PROSPECT_OUTCOMES = 40


@dataclass(frozen=True)
class UniverseParams:
    """What a universe is a function of: the output depends on these fields and nothing else.

    Parameters
    ----------
    enterprises : int
        Number of enterprises (companies and individual businesses).
    seed : int
        Root seed; every random stream is derived from it.
    as_of : datetime.date
        The universe's "today": no record is dated after it.
    chunk_size : int
        Enterprises per chunk (one Parquet part per table per chunk). The worker count is not a parameter.
    scenario : Scenario
        A regime shift at a date (``synth/scenario.py``); the default, ``none``, changes nothing.
    fraud : str
        ``standard`` (the four base ring shapes) or ``hard``: five more shapes (mixed chains, slow rings,
        address-only rings, rep farms, recycled identifiers) and decoys (``synth/hard_links.py``,
        ``synth/decoys.py``), with their truth.

    """

    enterprises: int
    seed: int
    as_of: dt.date = DEFAULT_AS_OF
    chunk_size: int = DEFAULT_CHUNK_SIZE
    scenario: Scenario = NO_SCENARIO
    fraud: str = STANDARD

    def __post_init__(self) -> None:
        if self.enterprises < 1:
            raise ValidationError("enterprises", "must be at least 1")
        if self.enterprises > 99_999_999:
            raise ValidationError("enterprises", "must be below 100,000,000 (identifier space)")
        if self.seed < 0:
            raise ValidationError("seed", "must be a non-negative integer")
        if self.chunk_size < 1:
            raise ValidationError("chunk_size", "must be at least 1")
        if not dt.date(2000, 1, 1) <= self.as_of <= dt.date(2099, 12, 31):
            raise ValidationError("as_of", "must lie between 2000-01-01 and 2099-12-31")
        self.scenario.check(self.as_of)
        if self.fraud not in FRAUD_LEVELS:
            raise ValidationError("fraud", f"{self.fraud!r} is not one of {', '.join(FRAUD_LEVELS)}")

    @property
    def hard(self) -> bool:
        """Whether the hard fraud shapes and the decoys are planted."""
        return self.fraud == HARD

    @property
    def chunks(self) -> int:
        """Number of chunks."""
        return -(-self.enterprises // self.chunk_size)

    def chunk_bounds(self, chunk: int) -> tuple[int, int]:
        """Global enterprise index range ``[start, stop)`` of ``chunk``."""
        start = chunk * self.chunk_size
        return start, min(start + self.chunk_size, self.enterprises)

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form for the manifest (without a scenario or hard fraud, exactly as before either existed)."""
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        del out["scenario"]
        if self.scenario.active:
            out["scenario"] = self.scenario.describe(self.as_of)
        if not self.hard:
            del out["fraud"]
        return out

    @property
    def as_of_day(self) -> np.datetime64:
        """``as_of`` as a numpy day."""
        return np.datetime64(self.as_of, "D")


def rng(params: UniverseParams, chunk: int, stream: Stream) -> np.random.Generator:
    """Return the generator of ``stream`` in ``chunk``: a pure function of the seed, chunk and stream."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([params.seed, chunk, int(stream)])))
