"""Residents' initiatives: filing one, signing, reading them (public), and my own."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from budgets.casting import source_hash
from core.clock import database_now
from core.residents import get_resident
from infra import tokens
from infra.errors import NotAuthenticated
from infra.http import MAX_ID, RESIDENT, RESIDENT_SECURITY, Client, PathId, provide_client
from infra.problems import problems
from infra.ratelimit import Limit, RateLimiter
from infra.settings import Settings
from initiatives import petitions, reading, rules, signing
from initiatives.schemas import InitiativeIn, InitiativeOut, InitiativePage, SignaturesOut

Cursor = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, required=False,
                                              description="`next_cursor` of the previous page")]


# Principle 6: per person and per device, what one honest resident never reaches; per address a ceiling only,
# since a carrier's NAT puts many residents behind one.
FILINGS_PER_RESIDENT = Limit("initiative.resident", 10, 24 * 3600)
SIGNATURES_PER_RESIDENT = Limit("signature.resident", 60, 600)
SIGNATURES_PER_DEVICE = Limit("signature.device", 120, 600)
SIGNATURES_PER_ADDRESS = Limit("signature.address", 6000, 60)


async def limit_filing(limiter: RateLimiter, resident_id: int) -> None:
    await limiter.hit((FILINGS_PER_RESIDENT, str(resident_id)))


async def limit_signing(limiter: RateLimiter, resident_id: int, client: Client) -> None:
    await limiter.hit((SIGNATURES_PER_RESIDENT, str(resident_id)), (SIGNATURES_PER_DEVICE, client.device),
                      (SIGNATURES_PER_ADDRESS, client.address))


def signature_source(settings: Settings, client: Client) -> signing.Source:
    """Keyed hashes of the signer's address and device, as ballots keep them (budgets.casting.source_hash)."""
    return signing.Source(origin=source_hash(settings.secret_key, "address", client.address),
                          device=source_hash(settings.secret_key, "device", client.device))


def reader(request: Request) -> reading.Viewer:
    """The public, or the resident whose token comes along (an author sees their own unpublished ones)."""
    if not request.headers.get("authorization"):
        return reading.Viewer()
    try:
        return reading.Viewer(resident=tokens.verify(request.app.state.settings.secret_key, tokens.RESIDENT,
                                                     request.headers.get("authorization")).id)
    except NotAuthenticated:
        return reading.Viewer()


class InitiativeController(Controller):
    path = "/api/v1/initiatives"
    tags = ["initiatives"]

    @post("/", operation_id="createInitiative", dependencies=RESIDENT, security=RESIDENT_SECURITY,
          summary="File an initiative to the akimat of a region I live in",
          description="It waits for moderation (`status: moderation`); once published, residents of the region "
                      "sign it until `closes_at`. Title 3–120 characters, text 10–2,000, stored as written.",
          responses=problems({401: "no or bad resident token",
                              403: "not registered, or the region does not contain my residence",
                              404: "unknown region", 422: "title or text outside its limits",
                              429: "too many initiatives from this resident today"}))
    async def create(self, data: JSONBody[InitiativeIn], resident: NamedDependency[tokens.Principal],
                     language: NamedDependency[str], limiter: NamedDependency[RateLimiter]) -> InitiativeOut:
        await limit_filing(limiter, resident.id)
        row = await petitions.file_initiative(await get_resident(resident.id), data.region, data.title, data.text,
                                              data.language)
        return await reading.shaped_one(row, language)

    @get("/", operation_id="listInitiatives", summary="Published initiatives, newest first, in pages of 20",
         description="`region` gives the initiatives addressed to that region, to those above it and to those "
                     "inside it: what concerns a resident of it.",
         responses=problems({404: "unknown region"}))
    async def initiatives(
        self, language: NamedDependency[str], cursor: Cursor = None,
        status: Annotated[str | None, QueryParameter(enum=list(rules.PUBLIC_STATUSES), required=False)] = None,
        region: Annotated[str | None, QueryParameter(pattern=r"^\d{9}$", required=False)] = None,
    ) -> InitiativePage:
        rows = await reading.page_of(await database_now(), status, region, cursor)
        return InitiativePage(items=await reading.shaped(rows, language, await database_now()),
                              next_cursor=reading.next_cursor(rows))

    @get("/{initiative_id:int}", operation_id="getInitiative", summary="One initiative",
         description="Public once published; one waiting for moderation or rejected only to its author "
                     "(with the author's token) and to staff.",
         responses=problems({404: "no such initiative, or not one I may see"}))
    async def initiative(self, initiative_id: PathId, request: Request,
                         language: NamedDependency[str]) -> InitiativeOut:
        return await reading.shaped_one(await reading.visible(initiative_id, reader(request)), language)

    @put("/{initiative_id:int}/signature", operation_id="signInitiative", dependencies=RESIDENT,
         security=RESIDENT_SECURITY, summary="Sign an initiative (again: nothing changes)",
         description="One signature per person, whatever their phones; it cannot be withdrawn. Signing makes "
                     "me follow the initiative, so I hear of its answer.",
         responses=problems({401: "no or bad resident token",
                             403: "not registered in the initiative's region or inside it",
                             404: "no such initiative", 409: "not collecting signatures",
                             429: "too many signatures from this resident, device or address"}))
    async def sign(self, initiative_id: PathId, request: Request, resident: NamedDependency[tokens.Principal],
                   settings: NamedDependency[Settings], limiter: NamedDependency[RateLimiter]) -> SignaturesOut:
        client = provide_client(request)
        await limit_signing(limiter, resident.id, client)
        await reading.visible(initiative_id, reading.Viewer(resident=resident.id))
        count = await signing.sign(initiative_id, await get_resident(resident.id), signature_source(settings, client))
        return SignaturesOut(signatures=count)


class MyInitiativesController(Controller):
    path = "/api/v1/me/initiatives"
    tags = ["initiatives"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="listMyInitiatives", summary="The initiatives I filed, with status and answer",
         responses=problems({401: "no or bad resident token"}))
    async def mine(self, resident: NamedDependency[tokens.Principal], language: NamedDependency[str],
                   cursor: Cursor = None) -> InitiativePage:
        now = await database_now()
        rows = await reading.page_of(now, after=cursor, statuses=rules.STATUSES, author=resident.id)
        return InitiativePage(items=await reading.shaped(rows, language, now), next_cursor=reading.next_cursor(rows))
