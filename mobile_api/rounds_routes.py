"""What residents and the public read and do in a round: projects, ballots, receipts, results."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from budgets import casting, integrity, ledger
from budgets.ballots import Choice
from budgets.closing import results_of
from budgets.rounds import STATUSES, effective_status, get_round, list_rounds, projects_of
from budgets.schemas import ProjectOut, ResultsOut, RoundOut, project_out, results_out, round_out
from budgets.tables import RoundResult
from core.clock import database_now
from core.regions import all_regions
from core.residents import get_resident
from infra.errors import NotFound
from infra.http import RESIDENT, RESIDENT_SECURITY, PathId, localized, provide_client, provide_resident
from infra.problems import problems
from infra.settings import Settings
from infra.tokens import Principal
from mobile_api.intake import Ballot, BallotIntake
from mobile_api.schemas import (
    BallotIn,
    BallotOut,
    CastOut,
    Checkpoint,
    ChoiceOut,
    InvalidationOut,
    LedgerEntry,
    LedgerOut,
    MyBallotOut,
    ReceiptOut,
    RegionOut,
)


async def _published(round_id: int) -> None:
    if (await get_round(round_id)).status != "published":
        raise NotFound(f"Round {round_id} has no published results yet.")


class RegionController(Controller):
    path = "/api/v1/regions"
    tags = ["regions"]

    @get("/", operation_id="listRegions", summary="Kazakhstan's regions (KATO tree)")
    async def regions(self, language: NamedDependency[str]) -> list[RegionOut]:
        return [
            RegionOut(kato=r["kato"], name=localized(r["name"], language), parent=r["parent"],
                      population=r["population"])
            for r in await all_regions()
        ]


class RoundController(Controller):
    path = "/api/v1/rounds"
    tags = ["rounds"]

    @get("/", operation_id="listRounds", summary="Rounds, by status and by region (its own, those above and below it)",
         responses=problems({404: "unknown region"}))
    async def rounds(
        self,
        language: NamedDependency[str],
        status: Annotated[str | None, QueryParameter(enum=list(STATUSES))] = None,
        region: Annotated[str | None, QueryParameter(pattern=r"^\d{9}$")] = None,
    ) -> list[RoundOut]:
        now = await database_now()
        return [round_out(row, language, now) for row in await list_rounds(status, region)]

    @get("/{round_id:int}", operation_id="getRound", summary="One round", responses=problems({404: "no such round"}))
    async def round(self, round_id: PathId, language: NamedDependency[str]) -> RoundOut:
        return round_out(await get_round(round_id), language, await database_now())

    @get("/{round_id:int}/projects", operation_id="listProjects", summary="The projects of a round",
         responses=problems({404: "no such round"}))
    async def projects(self, round_id: PathId, language: NamedDependency[str],
                       settings: NamedDependency[Settings]) -> list[ProjectOut]:
        await get_round(round_id)
        return [project_out(p, language, settings.public_url) for p in await projects_of(round_id)]

    @get("/{round_id:int}/results", operation_id="getResults", summary="Published results",
         responses=problems({404: "no such round, or not published"}))
    async def results(self, round_id: PathId) -> ResultsOut:
        await _published(round_id)
        return results_out(await results_of(round_id))

    @get("/{round_id:int}/results.pb", operation_id="getResultsPabulib", media_type="text/plain",
         summary="The counted ballots, anonymised, as a Pabulib file anyone can recount",
         responses=problems({404: "no such round, or not published"}))
    async def results_pb(self, round_id: PathId) -> Response[str]:
        await _published(round_id)
        row = await RoundResult.select(RoundResult.pabulib).where(RoundResult.round == round_id).first()
        return Response(
            row["pabulib"],
            media_type="text/plain",
            headers={"Content-Disposition": f'inline; filename="dauys-round-{round_id}.pb"'},
        )


    @get("/{round_id:int}/invalidations", operation_id="listInvalidations",
         summary="Ballots removed from the count, with the published reasons",
         responses=problems({404: "no such round"}))
    async def invalidations(self, round_id: PathId) -> list[InvalidationOut]:
        return [InvalidationOut(**item) for item in await integrity.invalidations(round_id)]

    @get("/{round_id:int}/ledger", operation_id="getLedger",
         summary="Every accepted ballot, anonymised, in order, hash-chained, with checkpoints",
         responses=problems({404: "no such round"}))
    async def ledger(self, round_id: PathId) -> LedgerOut:
        await get_round(round_id)
        return LedgerOut(
            round_id=round_id,
            entries=[LedgerEntry(**entry) for entry in await ledger.entries(round_id)],
            checkpoints=[Checkpoint(**item) for item in await ledger.checkpoints(round_id)],
        )


class BallotController(Controller):
    path = "/api/v1/rounds/{round_id:int}/ballot"
    tags = ["ballots"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @put("/", operation_id="castBallot", summary="Cast or replace my ballot while voting is open",
         description="Each new ballot supersedes the resident's earlier one in the round; the last counts. Send "
         "an `Idempotency-Key` (any unique string per ballot the app means to cast): a retry with the same key "
         "returns the ballot stored the first time instead of casting again. The deadline is decided by the "
         "database's clock in the transaction that stores the ballot.",
         responses=problems({401: "no or bad resident token", 403: "not registered or not eligible",
                             404: "no such round", 409: "voting is not open (database clock)",
                             422: "breaks the round's vote rules",
                             429: "too many ballots from this resident, device or address"}))
    async def cast(
        self,
        round_id: PathId,
        data: JSONBody[BallotIn],
        request: Request,
        idempotency_key: Annotated[
            str | None, HeaderParameter(header="Idempotency-Key", max_length=128, required=False,
                                          description="A unique string per intended ballot; a retry with it "
                                          "never casts twice.")
        ] = None,
    ) -> CastOut:
        # The busiest route takes its resident and the app's parts from the request rather than as
        # dependencies: resolving them is Litestar's largest cost on a ballot after the body itself.
        resident = provide_resident(request)
        intake: BallotIntake = request.app.state.intake
        choices = [Choice(c.project_id, c.points) for c in data.choices]
        ballot = await intake.cast(Ballot(round_id, resident.id, choices, idempotency_key, provide_client(request)))
        return CastOut(receipt=ballot.receipt, cast_at=ballot.cast_at, revision=ballot.revision)

    @get("/", operation_id="getMyBallot", summary="My current ballot",
         responses=problems({401: "no or bad resident token", 404: "no ballot yet"}))
    async def current(self, round_id: PathId, resident: NamedDependency[Principal],
                      settings: NamedDependency[Settings]) -> BallotOut:
        method = (await get_round(round_id)).vote.method
        voter = casting.voter_of(settings.secret_key, await get_resident(resident.id), round_id)
        return ballot_out(await casting.current_ballot(round_id, voter.pseudonym), method)


def ballot_out(ballot: casting.CastBallot, method: str) -> BallotOut:
    choices = [ChoiceOut(pid, points if method == "points" else None) for pid, points in ballot.choices]
    return BallotOut(choices=choices, receipt=ballot.receipt, revision=ballot.revision, cast_at=ballot.cast_at)


class MyBallotsController(Controller):
    path = "/api/v1/me/ballots"
    tags = ["ballots"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="listMyBallots", summary="My counted ballot in every round I voted in, newest first",
         description="Each with its receipt, to check in the round's public ledger.",
         responses=problems({401: "no or bad resident token"}))
    async def mine(self, resident: NamedDependency[Principal], settings: NamedDependency[Settings],
                   language: NamedDependency[str]) -> list[MyBallotOut]:
        ballots = await casting.ballots_of(settings.secret_key, await get_resident(resident.id))
        now = await database_now()
        rounds = {round_.id: round_ for round_ in await list_rounds(None, None)}
        return [MyBallotOut(round_id=round_id, round_title=localized(rounds[round_id].title, language),
                            round_status=effective_status(rounds[round_id], now),
                            ballot=ballot_out(ballot, rounds[round_id].vote.method))
                for round_id, ballot in ballots]


class ReceiptController(Controller):
    path = "/api/v1/receipts"
    tags = ["ballots"]

    @get("/{receipt:str}", operation_id="getReceipt",
         summary="Whether the ballot with this receipt counts (no choices, no identity)",
         responses=problems({404: "unknown receipt"}))
    async def receipt(self, receipt: FromPath[str]) -> ReceiptOut:
        return ReceiptOut(**await casting.receipt_status(receipt))
