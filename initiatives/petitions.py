"""An initiative from filing to its answer: filing, moderation, the answer and the hearing, the expiry.

Every step that staff or the clock take is a compare-and-set on the initiative's row (a second decision
finds nothing to change and is a Conflict), audited and announced in the transaction of the change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core import audit
from core.clock import database_now
from core.eligibility import lives_in
from core.regions import region_name, region_path
from core.residents import ResidentRecord
from infra.database import write_transaction
from infra.errors import Conflict, FieldError, NotAllowed, NotFound, RuleBroken
from infra.i18n import Term
from initiatives import rules
from initiatives.announcements import announce
from initiatives.region_settings import resolved
from initiatives.tables import Initiative
from notify.follows import follow_within

LANGUAGES = ("kk", "ru", "en")


def registered(resident: ResidentRecord) -> ResidentRecord:
    """Only a resident who proved residency (an IIN) files or signs: one person, one voice."""
    if resident.iin_hash is None or resident.region is None:
        raise NotAllowed("Prove your residency first (PUT /api/v1/me/residency): initiatives are for registered "
                         "residents.")
    return resident


async def lives_under(resident: ResidentRecord, kato: str, doing: Term) -> str:
    """The region's path, when the resident is registered in it or below it; NotAllowed otherwise."""
    path = await region_path(kato)
    if not lives_in(path, await region_path(registered(resident).region)):
        raise NotAllowed("Only residents registered in region {region} or inside it may {doing}.",
                         region=await region_name(kato), doing=doing)
    return path


async def get_row(initiative_id: int) -> dict:
    row = await Initiative.select().where(Initiative.id == initiative_id).output(load_json=True).first()
    if row is None:
        raise NotFound("There is no initiative {initiative}.", initiative=initiative_id)
    return row


async def file_initiative(author: ResidentRecord, region: str, title: str, text: str,
                          language: str | None = None) -> dict:
    """A new initiative addressed to the akimat of `region`, waiting for moderation; the author follows it."""
    checked = rules.checked_texts(title=(title, rules.TITLE_LIMITS), text=(text, rules.TEXT_LIMITS))
    language = language or author.language
    if language not in LANGUAGES:
        raise RuleBroken("The language is kk, ru or en.", [FieldError("language", "must be kk, ru or en")])
    await lives_under(author, region, Term("address an initiative to its akimat"))
    async with write_transaction():
        row = await Initiative.insert(Initiative(region=region, author=author.id, title=checked["title"],
                                                 text=checked["text"], language=language,
                                                 created_at=await database_now())).returning(Initiative.id)
        await follow_within(author.id, "initiative", str(row[0]["id"]))
    return await get_row(row[0]["id"])


async def moderate(actor: str, initiative_id: int, decision: str, reason: dict[str, str] | None) -> dict:
    """Publish (collection opens with the region's threshold fixed) or reject with a public reason."""
    if decision not in rules.DECISIONS:
        raise RuleBroken("The decision is publish or reject.", [FieldError("decision", "must be publish or reject")])
    # A rejection's reason is public; a publication needs none, and one sent with it is not kept.
    checked_reason = rules.checked_localized("reason", reason or {}, rules.REASON_LIMITS) \
        if decision == "reject" else None
    row = await get_row(initiative_id)
    path = await region_path(row["region"])
    async with write_transaction():
        now = await database_now()
        if decision == "publish":
            settings = await resolved(row["region"])
            values = {Initiative.status: "collecting", Initiative.opens_at: now,
                      Initiative.closes_at: now + timedelta(days=rules.COLLECTION_DAYS),
                      Initiative.threshold: settings.threshold,
                      Initiative.hearing_threshold: settings.set.hearing_threshold,
                      Initiative.ballot_threshold: settings.set.ballot_threshold}
        else:
            values = {Initiative.status: "rejected"}
        values.update({Initiative.moderation_reason: checked_reason, Initiative.moderated_at: now})
        moved = await Initiative.update(values).where(
            (Initiative.id == initiative_id) & (Initiative.status == "moderation")).returning(Initiative.id)
        if not moved:
            raise Conflict("Initiative {initiative} was already moderated: it is {status}.", initiative=initiative_id,
                           status=Term(row["status"]))
        await audit.record(actor, f"initiative.{decision}", f"initiative:{initiative_id}", path,
                           {"status": "moderation"}, {"status": values[Initiative.status], "reason": checked_reason})
        await announce("published" if decision == "publish" else "rejected", row)
    return await get_row(initiative_id)


def _answerable(now: datetime):
    """Awaiting an answer, or still collecting: a collection past its end is expired for everyone, whether or not
    the sweep has said so yet (rules.public_status)."""
    return (Initiative.status == "answer_due") | ((Initiative.status == "collecting") & (Initiative.closes_at > now))


async def answer(actor: str, initiative_id: int, decision: str, text: dict[str, str]) -> dict:
    """The akimat's answer (accepted, partly, declined) with its text; told to the author and every signer."""
    if decision not in rules.ANSWERS:
        raise RuleBroken("The decision is accepted, partly or declined.",
                         [FieldError("decision", "must be accepted, partly or declined")])
    checked = rules.checked_localized("text", text, rules.ANSWER_LIMITS)
    row = await get_row(initiative_id)
    path = await region_path(row["region"])
    async with write_transaction():
        now = await database_now()
        moved = await Initiative.update({Initiative.status: "answered", Initiative.answer_decision: decision,
                                         Initiative.answer_text: checked, Initiative.answered_at: now}).where(
            (Initiative.id == initiative_id) & _answerable(now)).returning(Initiative.id)
        if not moved:
            raise Conflict("Initiative {initiative} cannot be answered: it is {status}.", initiative=initiative_id,
                           status=Term(row["status"]))
        await audit.record(actor, "initiative.answer", f"initiative:{initiative_id}", path,
                           {"status": row["status"]}, {"status": "answered", "decision": decision})
        await announce("answered", row)
    return await get_row(initiative_id)


async def set_hearing(actor: str, initiative_id: int, hearing_at: datetime | None) -> dict:
    """The date of the public hearing the akimat holds (None: not scheduled), once the initiative is public."""
    if hearing_at is not None and hearing_at.tzinfo is None:
        raise RuleBroken("{field}: give the time with a zone.", [FieldError("hearing_at", "needs a zone")],
                         field="hearing_at")
    row = await get_row(initiative_id)
    if row["status"] not in rules.PUBLIC_STATUSES:
        raise Conflict("Initiative {initiative} is not public: it is {status}.", initiative=initiative_id,
                       status=Term(row["status"]))
    async with write_transaction():
        await Initiative.update({Initiative.hearing_at: hearing_at}).where(Initiative.id == initiative_id)
        await audit.record(actor, "initiative.hearing", f"initiative:{initiative_id}",
                           await region_path(row["region"]), {"hearing_at": _moment(row["hearing_at"])},
                           {"hearing_at": _moment(hearing_at)})
    return await get_row(initiative_id)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def expire_due(now: datetime) -> list[int]:
    """Collections that ended below their threshold become expired: once each, whichever process runs it
    and however late after closes_at (a compare-and-set, so a restart catches up)."""
    async with write_transaction():
        expired = await Initiative.update({Initiative.status: "expired"}).where(
            (Initiative.status == "collecting") & (Initiative.closes_at <= now)
        ).returning(Initiative.id, Initiative.region, Initiative.title, Initiative.language)
        for row in expired:
            await audit.record(audit.SCHEDULER, "initiative.expire", f"initiative:{row['id']}",
                               await region_path(row["region"]), {"status": "collecting"}, {"status": "expired"})
            await announce("expired", row)
    return [row["id"] for row in expired]


async def expire_now() -> list[int]:
    """The scheduler's sweep: expiry by the database's clock."""
    return await expire_due(await database_now())


async def put_on_ballot(actor: str, initiative_id: int, project_id: int) -> None:
    """Record, inside the caller's transaction, that the initiative became `project_id` of a round's ballot
    (Democracy Seoul's third step); once only, and only past its ballot threshold."""
    row = await get_row(initiative_id)
    if not rules.reached(row["signatures"], row["ballot_threshold"]):
        raise Conflict("Initiative {initiative} has {signatures} signatures, short of the {threshold} that put an "
                       "initiative on the ballot.", initiative=initiative_id, signatures=row["signatures"],
                       threshold=row["ballot_threshold"] or Term("unset"))
    placed = await Initiative.update({Initiative.project: project_id}).where(
        (Initiative.id == initiative_id) & Initiative.project.is_null()).returning(Initiative.id)
    if not placed:
        raise Conflict("Initiative {initiative} is already on a ballot, as project {project}.",
                       initiative=initiative_id, project=row["project"])
    await audit.record(actor, "initiative.ballot", f"initiative:{initiative_id}", await region_path(row["region"]),
                       None, {"project": project_id})
