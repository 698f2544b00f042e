"""/v1/offers, /v1/drawdowns and /v1/core/confirmations: from an approval to money in the account.

Offers and drawdowns are the channel's (role ``channel``); another channel's is a 404. A drawdown is idempotent
per Idempotency-Key (201 when made, 200 when a retry finds it; another body under the key is a 409). Without a
core system configured every drawdown is a 503 naming ``RISKLOOP_CORE_URL``, before anything is reserved. The
core's confirmations are authenticated by their signature (``X-Riskloop-Signature`` under
``RISKLOOP_CORE_SECRET``), not by an API key; an operator (role ``post_loan_officer``) reconciles a drawdown the
core has not settled.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from riskloop.api.auth import AsChannel, AsOfficer, DrawdownReader
from riskloop.api.deps import Lending, ServicesDep
from riskloop.api.lending_schemas import AcceptIn, DrawdownIn, DrawdownOut, DrawdownsOut, OfferIn, OfferOut
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Line
from riskloop.domain.disbursal import CoreAnswer
from riskloop.domain.drawdown import DrawdownStatus
from riskloop.domain.offer import contract_text
from riskloop.domain.outbox import SIGNATURE_HEADER, verify_signature
from riskloop.errors import DataSourceError, UnauthenticatedError, ValidationError
from riskloop.service.drawdowns import MAX_LISTED, DrawdownAsk

router = APIRouter(tags=["drawdowns"])
OfferId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown("ofr_3b9f0c2a1d4e5f6a7b8c9d0e"))]
DrawdownId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown("drw_9a8b7c6d5e4f3a2b1c0d9e8f"))
]
Resend = Annotated[
    bool, Query(description="re-send when the core never received it (same instruction id: paid once)",
                openapi_examples=shown(False))
]  # fmt: skip
StatusFilter = Annotated[
    DrawdownStatus | None, Query(description="only drawdowns in this status (none: any)",
                                 openapi_examples=shown("unconfirmed"))
]  # fmt: skip
OfferFilter = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="only this offer's drawdowns",
                      openapi_examples=shown("ofr_3b9f0c2a1d4e5f6a7b8c9d0e"))
]  # fmt: skip
Limit = Annotated[int, Query(ge=1, le=MAX_LISTED, openapi_examples=shown(100))]
MAX_CONFIRMATION_BYTES = 4096


@router.post(
    "/v1/offers",
    status_code=201,
    response_model=OfferOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Make the offer of an approved application (200: it was made before)",
)
def make_offer(body: OfferIn, response: Response, services: ServicesDep, channel: AsChannel) -> OfferOut:
    """The approval's limit and rate, the term within the product's bounds, an expiry and the contract to read."""
    desk = services.lending.offers()
    offer, made = desk.make(channel.name, body.application_id, body.repayment)
    if not made:
        response.status_code = 200
    return OfferOut.of(offer, contract_text(offer.contract_version, offer))


@router.get(
    "/v1/offers/{offer_id}",
    response_model=OfferOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="An offer with its contract text and what remains of its limit",
)
def get_offer(offer_id: OfferId, services: ServicesDep, channel: AsChannel) -> OfferOut:
    """The channel's own offers only."""
    offer, text = services.lending.offers().get(channel.name, offer_id)
    return OfferOut.of(offer, text)


@router.post(
    "/v1/offers/{offer_id}/acceptance",
    response_model=OfferOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Accept an offer under its contract, with the applicant's second confirmation",
)
def accept_offer(offer_id: OfferId, body: AcceptIn, services: ServicesDep, channel: AsChannel) -> OfferOut:
    """Record the acceptance under the contract's digest, spending the step-up token.

    ``contract_sha256`` must be the digest of the contract text the offer shows (409 otherwise); the token is a
    confirmed ``drawdown`` step-up of the applicant (SMS code and face; 403 naming ``step_up_token`` otherwise).
    """
    desk = services.lending.offers()
    accepted = desk.accept(channel.name, offer_id, body.contract_sha256, body.step_up_token, body.applicant_id)
    return OfferOut.of(accepted)


@router.post(
    "/v1/drawdowns",
    status_code=201,
    response_model=DrawdownOut,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
    summary="Draw on an accepted offer: re-check, reserve, pay out through the core, book (200: a retry)",
)
def post_drawdown(
    body: DrawdownIn,
    response: Response,
    services: ServicesDep,
    channel: AsChannel,
    idempotency_key: Annotated[
        Line,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=128,
            description="unique per drawdown",
            openapi_examples=shown("web-drawdown-0001"),
        ),
    ],
) -> DrawdownOut:
    """The drawdown's state: refused, referred, disbursed, failed or unconfirmed.

    ``refused`` or ``referred`` come with reasons (nothing reserved), ``disbursed`` with the loan and its schedule,
    ``failed`` when the core refused (the amount released), ``unconfirmed`` when the core did not answer in time
    (the amount stays reserved until the core confirms or an operator reconciles; never paid twice).
    """
    lending = services.lending
    ask = DrawdownAsk(body.offer_id, body.amount_cents, body.term_months, body.repayment)
    desk = lending.drawdowns()
    drawn = desk.request(channel.name, idempotency_key, ask)
    if not drawn.created:
        response.status_code = 200
    return DrawdownOut.of(drawn.drawdown, drawn.loan, lending.catalog)


@router.get(
    "/v1/drawdowns",
    response_model=DrawdownsOut,
    responses=problem_responses(401, 403, 422, 503),
    summary="Drawdowns newest first, by status or offer (role post_loan_officer)",
)
def list_drawdowns(
    services: ServicesDep,
    officer: AsOfficer,
    status: StatusFilter = None,
    offer_id: OfferFilter = None,
    limit: Limit = 100,
) -> DrawdownsOut:
    """Every channel's drawdowns, for the operator who reconciles those the core has not settled (``unconfirmed``)."""
    found = services.lending.drawdowns().listing([] if status is None else [status], offer_id, limit)
    catalog = services.lending.catalog
    return DrawdownsOut(drawdowns=[DrawdownOut.of(d, None, catalog) for d in found], limit=limit)


@router.get(
    "/v1/drawdowns/{drawdown_id}",
    response_model=DrawdownOut,
    responses=problem_responses(401, 403, 404, 422, 503),
    summary="A drawdown with its loan and repayment schedule (role channel: its own; post_loan_officer: any)",
)
def get_drawdown(drawdown_id: DrawdownId, services: ServicesDep, principal: DrawdownReader) -> DrawdownOut:
    """A channel reads its own drawdowns (another's is a 404); a post-loan officer reads any."""
    drawdown, loan = services.lending.drawdowns().read(principal, drawdown_id)
    return DrawdownOut.of(drawdown, loan, services.lending.catalog)


@router.post(
    "/v1/drawdowns/{drawdown_id}/reconcile",
    response_model=DrawdownOut,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
    summary="Ask the core about an unconfirmed drawdown and settle it (role post_loan_officer)",
)
def reconcile_drawdown(
    drawdown_id: DrawdownId, services: ServicesDep, officer: AsOfficer, resend: Resend = False
) -> DrawdownOut:
    """``resend=true`` re-sends the same instruction when the core never received it (paid once per id)."""
    desk = services.lending.drawdowns()
    settled = desk.reconcile(drawdown_id, officer.name, resend=resend)
    _, loan = desk.get(None, settled.drawdown_id)
    return DrawdownOut.of(settled, loan, services.lending.catalog)


@router.post(
    "/v1/core/confirmations",
    response_model=DrawdownOut,
    responses=problem_responses(401, 404, 409, 413, 422, 503),
    summary="The core system's answer about an instruction (signed; a late or repeated one is safe)",
)
async def core_confirmation(request: Request, services: ServicesDep) -> DrawdownOut:
    """Settle the drawdown the answer names; a second confirmation changes nothing (a loan is booked once)."""
    lending = services.lending
    if lending.core_secret is None:
        raise DataSourceError("core confirmations: no core system configured (RISKLOOP_CORE_SECRET is not set)")
    raw = await request.body()
    if len(raw) > MAX_CONFIRMATION_BYTES:
        raise ValidationError("body", f"larger than {MAX_CONFIRMATION_BYTES} bytes")
    if not verify_signature(lending.core_secret, request.headers.get(SIGNATURE_HEADER, ""), raw):
        refused = UnauthenticatedError(f"{SIGNATURE_HEADER}: not the core's signature of this body")
        refused.field = SIGNATURE_HEADER
        raise refused
    try:
        data = json.loads(raw)
    except ValueError:
        raise ValidationError("body", "is not JSON") from None
    answer = CoreAnswer.from_dict(data)
    return await run_in_threadpool(_settle, lending, answer)  # database writes: off the event loop


def _settle(lending: Lending, answer: CoreAnswer) -> DrawdownOut:
    desk = lending.drawdowns()
    drawdown = desk.apply(answer, actor="core")
    _, loan = desk.get(None, drawdown.drawdown_id)
    return DrawdownOut.of(drawdown, loan, lending.catalog)
