"""Checking a published round from its public documents alone (principle 4; `dauys verify`).

The documents are what anyone can download: the round, its results, its Pabulib file, its ballot
ledger with checkpoints, and its invalidations. Everything here is plain computation over their bytes,
so the same checks run in the command, in tests and in the benchmark, and nothing in them trusts the
server: each document may be malformed, inconsistent or forged, and each problem becomes a failed
check with a reason instead of an exception.

    report = verify(PublicDocuments(round=..., results=..., pabulib=..., ledger=..., invalidations=...))
    print(render(report)); sys.exit(0 if report.ok else 1)
"""

from __future__ import annotations

import bisect
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

import msgspec

from budgets import pabulib
from budgets.ledger import GENESIS, link, receipt_hash
from budgets.results import PABULIB_RULES
from budgets.rules import RULES, tally

HEX64 = re.compile(r"[0-9a-f]{64}")
# The ledger's own timestamp format (budgets.ledger._timestamp); link() hashes these strings as they
# are, so anything else would be a different chain even if it named the same moment.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
STATUSES = ("counted", "superseded", "quarantined", "invalidated")
SET_ASIDE = ("quarantined", "invalidated")


# The public shapes, as far as the checks read them (the API may add fields; they are ignored).

class VoteRules(msgspec.Struct):
    method: str


class RoundDoc(msgspec.Struct):
    id: int
    status: str
    rule: str
    budget: int
    voting_opens_at: datetime
    voting_closes_at: datetime
    vote: VoteRules


class ProjectResult(msgspec.Struct):
    project_id: int
    votes: int
    score: int
    selected: bool
    cost: int


class ResultsDoc(msgspec.Struct):
    round_id: int
    rule: str
    budget: int
    spent: int
    voters: int
    projects: list[ProjectResult]


class Entry(msgspec.Struct):
    seq: int
    receipt_hash: str
    cast_at: str
    revision: int
    status: str
    chain: str


class CheckpointDoc(msgspec.Struct):
    upto: str
    entries: int
    hash: str


class LedgerDoc(msgspec.Struct):
    round_id: int
    entries: list[Entry]
    checkpoints: list[CheckpointDoc]


class Invalidation(msgspec.Struct):
    receipt_hash: str
    status: str


class ReceiptDoc(msgspec.Struct):
    round_id: int
    status: str
    receipt_hash: str


@dataclass(frozen=True)
class PublicDocuments:
    """The downloaded bodies, as bytes (or text for the Pabulib file), unparsed."""

    round: bytes
    results: bytes
    pabulib: str
    ledger: bytes
    invalidations: bytes
    # With a receipt to look for: the receipt and GET /receipts/{receipt}'s body (None when it was 404).
    receipt: str | None = None
    receipt_status: bytes | None = None
    # Checkpoints kept from an earlier download of the ledger (its "checkpoints" list, as JSON).
    saved_checkpoints: bytes | None = None


@dataclass
class Check:
    name: str
    # None: not checked, because a document it reads failed an earlier check.
    ok: bool | None
    detail: str
    seconds: float = 0.0


@dataclass
class Report:
    round_id: int
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.ok is False]

    def skipped(self) -> list[Check]:
        return [check for check in self.checks if check.ok is None]


class CheckFailed(Exception):
    """A check's verdict: the detail says what differs."""


class NotChecked(Exception):
    """A check that cannot run because what it reads failed before; the report still fails."""


def _decode(kind: type, body: bytes, what: str):
    try:
        return msgspec.json.decode(body, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise CheckFailed(f"{what} is not the published shape: {error}") from None


def _moment(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CheckFailed(f"{what} is not a timestamp: {text[:40]!r}") from None
    if value.tzinfo is None:
        raise CheckFailed(f"{what} has no time zone: {text[:40]!r}")
    return value


def _short(digest: str) -> str:
    return digest[:12] + "…" if len(digest) > 12 else digest


def _number(value: int | Fraction) -> str:
    return str(value) if isinstance(value, int) else f"{float(value):.2f}"


@dataclass
class _State:
    """What the checks learn on the way, so that later checks can build on earlier ones."""

    round_id: int
    documents: PublicDocuments
    round: RoundDoc | None = None
    results: ResultsDoc | None = None
    ledger: LedgerDoc | None = None
    moments: list[datetime] | None = None
    instance: pabulib.PabulibInstance | None = None
    # (name, count): another implementation of the rules, count(pabulib_text, rule) -> winners' ids.
    second_count: tuple[str, Callable[[str, str], set[str]]] | None = None


def check_round(state: _State) -> str:
    doc = state.round = _decode(RoundDoc, state.documents.round, "the round")
    if doc.id != state.round_id:
        raise CheckFailed(f"asked for round {state.round_id}, the document describes round {doc.id}")
    if doc.status != "published":
        raise CheckFailed(f"status is {doc.status!r}: only a published round has results to check")
    if doc.rule not in RULES:
        raise CheckFailed(f"rule {doc.rule!r} is not one of the published rules ({', '.join(RULES)})")
    return f"round {doc.id} is published; rule {doc.rule}, budget {doc.budget:,} KZT, {doc.vote.method} ballots"


def check_chain(state: _State) -> str:
    """Every link recomputed from the genesis: an entry altered or removed breaks every link after it."""
    doc = state.ledger = _decode(LedgerDoc, state.documents.ledger, "the ledger")
    if doc.round_id != state.round_id:
        raise CheckFailed(f"the ledger is of round {doc.round_id}, not {state.round_id}")
    chain = GENESIS
    moments = []
    previous = None
    seen: set[str] = set()
    for position, entry in enumerate(doc.entries, start=1):
        where = f"entry {position}"
        if entry.seq != position:
            raise CheckFailed(f"{where} carries seq {entry.seq}: entries are numbered 1, 2, … without gaps")
        if not HEX64.fullmatch(entry.receipt_hash):
            raise CheckFailed(f"{where}: receipt_hash is not 64 lower-case hex digits")
        if entry.receipt_hash in seen:
            raise CheckFailed(f"{where}: receipt_hash {_short(entry.receipt_hash)} appears twice")
        seen.add(entry.receipt_hash)
        if not TIMESTAMP.fullmatch(entry.cast_at):
            raise CheckFailed(f"{where}: cast_at {entry.cast_at[:40]!r} is not a UTC timestamp")
        moment = _moment(entry.cast_at, f"{where}'s cast_at")
        if previous is not None and moment < previous:
            raise CheckFailed(f"{where} was cast at {entry.cast_at}, before the entry above it: the ledger is in "
                              "the order ballots were accepted")
        if entry.revision < 1:
            raise CheckFailed(f"{where}: revision {entry.revision} (revisions count from 1)")
        if entry.status not in STATUSES:
            raise CheckFailed(f"{where}: unknown status {entry.status[:20]!r}")
        chain = link(chain, {"seq": entry.seq, "receipt_hash": entry.receipt_hash, "cast_at": entry.cast_at,
                             "revision": entry.revision})
        if entry.chain != chain:
            raise CheckFailed(f"{where} (seq {entry.seq}): published link {_short(entry.chain)} but the entry and "
                              f"the link before it give {_short(chain)}")
        moments.append(moment)
        previous = moment
    state.moments = moments
    return f"{len(doc.entries):,} entries, each link recomputed from the genesis; head {_short(chain)}"


def _head(entries: list[Entry], count: int) -> str:
    return entries[count - 1].chain if count else GENESIS


def _holds(ledger: LedgerDoc, moments: list[datetime], checkpoint: CheckpointDoc, where: str) -> None:
    """A checkpoint names a prefix of the ledger: the ballots accepted before its moment, and their head."""
    entries = ledger.entries
    upto = _moment(checkpoint.upto, f"{where}'s upto")
    if not 0 <= checkpoint.entries <= len(entries):
        raise CheckFailed(f"{where} counts {checkpoint.entries} entries; the ledger has {len(entries)}: "
                          "entries it covered are gone")
    before = bisect.bisect_left(moments, upto)
    if before != checkpoint.entries:
        raise CheckFailed(f"{where} covered {checkpoint.entries} entries; the ledger now has {before} cast "
                          "before that moment")
    if _head(entries, checkpoint.entries) != checkpoint.hash:
        raise CheckFailed(f"{where} fixed the chain at {_short(checkpoint.hash)}; entry {checkpoint.entries} "
                          f"now links to {_short(_head(entries, checkpoint.entries))}")


def check_checkpoints(state: _State) -> str:
    ledger, moments = _need_ledger(state)
    if not ledger.checkpoints:
        raise CheckFailed("the round publishes no checkpoint: nothing fixes the ledger's past")
    for number, checkpoint in enumerate(ledger.checkpoints, start=1):
        _holds(ledger, moments, checkpoint, f"checkpoint {number} (up to {checkpoint.upto})")
    return f"{len(ledger.checkpoints)} checkpoint(s), each equal to the chain at its entry"


def check_saved_checkpoints(state: _State) -> str:
    """Checkpoints the verifier kept from an earlier download: a server that rewrote its past, or was
    restored from a backup older than them, can no longer show a ledger that matches them."""
    ledger, moments = _need_ledger(state)
    saved = _decode(list[CheckpointDoc], state.documents.saved_checkpoints or b"", "the saved checkpoints")
    published = {(c.upto, c.entries, c.hash) for c in ledger.checkpoints}
    for number, checkpoint in enumerate(saved, start=1):
        where = f"saved checkpoint {number} (up to {checkpoint.upto})"
        _holds(ledger, moments, checkpoint, where)
        if (checkpoint.upto, checkpoint.entries, checkpoint.hash) not in published:
            raise CheckFailed(f"{where} matches the ledger but is no longer published")
    return f"{len(saved)} saved checkpoint(s) still published and equal to the chain at their entries"


def check_deadline(state: _State) -> str:
    """The close's checkpoint is the whole ledger: nothing was accepted late or added afterwards."""
    ledger, moments = _need_ledger(state)
    round_doc = _need(state.round, "the round")
    closes = round_doc.voting_closes_at
    final = [c for c in ledger.checkpoints if _moment(c.upto, "a checkpoint's upto") == closes]
    if not final:
        raise CheckFailed(f"no checkpoint at the close ({closes.isoformat()}): the count's ledger was not fixed")
    late = len(ledger.entries) - final[0].entries
    if late < 0:
        raise CheckFailed(f"the close's checkpoint covers {final[0].entries} entries, the ledger has only "
                          f"{len(ledger.entries)}: ballots counted at the close are gone")
    if late and final[0].entries == 0 and all(moment == closes for moment in moments):
        # How `dauys import` records a past election: its file has no times, so nothing here is evidence.
        raise CheckFailed(f"all {late} entries carry the closing moment itself and no checkpoint covers them, as "
                          "ballots imported from a past election's file do: this ledger fixes nothing; compare "
                          "results.pb with the election's original file")
    if late:
        raise CheckFailed(f"the close's checkpoint covers {final[0].entries} entries, the ledger has "
                          f"{len(ledger.entries)}: {late} entries at or after the deadline")
    early = sum(1 for moment in moments if moment < round_doc.voting_opens_at)
    if early:
        raise CheckFailed(f"{early} entries were cast before voting opened ({round_doc.voting_opens_at.isoformat()})")
    return "every entry was cast while voting was open; the close's checkpoint is the head"


def check_invalidations(state: _State) -> str:
    """What was set aside is published with a reason, and the ledger shows exactly those entries so."""
    ledger, _ = _need_ledger(state)
    published = _decode(list[Invalidation], state.documents.invalidations, "the invalidations")
    in_ledger = {e.receipt_hash: e.status for e in ledger.entries if e.status in SET_ASIDE}
    listed: dict[str, str] = {}
    for item in published:
        if item.receipt_hash in listed:
            raise CheckFailed(f"receipt hash {_short(item.receipt_hash)} is listed twice")
        listed[item.receipt_hash] = item.status
    missing = set(in_ledger) - set(listed)
    if missing:
        raise CheckFailed(f"{len(missing)} ledger entries set aside without a published reason, e.g. "
                          f"{_short(min(missing))}")
    for digest, status in listed.items():
        if in_ledger.get(digest) != status:
            raise CheckFailed(f"invalidation of {_short(digest)} says {status!r}; the ledger shows "
                              f"{in_ledger.get(digest, 'no such set-aside entry')!r}")
    return f"{len(listed)} set-aside ballot(s), each published with its reason and so marked in the ledger"


def check_counted(state: _State) -> str:
    """The file holds as many ballots as the ledger counts, and the results say the same number."""
    ledger, _ = _need_ledger(state)
    results = _results(state)
    instance = _need_instance(state)
    counted = sum(1 for e in ledger.entries if e.status == "counted")
    if not counted == results.voters == len(instance.votes):
        raise CheckFailed(f"the ledger counts {counted:,} ballots, the results say {results.voters:,} voters, "
                          f"results.pb holds {len(instance.votes):,} votes")
    statuses = Counter(e.status for e in ledger.entries)
    rest = ", ".join(f"{statuses[s]:,} {s}" for s in STATUSES[1:] if statuses[s])
    return f"{counted:,} counted ballots in the ledger, the results and results.pb" + (f" ({rest} not counted)"
                                                                                         if rest else "")


def check_file(state: _State) -> str:
    """results.pb describes this round: its budget, projects and costs are the published ones."""
    round_doc = _need(state.round, "the round")
    results = _results(state)
    instance = _need_instance(state)
    if results.round_id != round_doc.id or results.rule != round_doc.rule or results.budget != round_doc.budget:
        raise CheckFailed(f"the results are of round {results.round_id} with rule {results.rule!r} and budget "
                          f"{results.budget:,}; the round is {round_doc.id}, {round_doc.rule!r}, {round_doc.budget:,}")
    meta_budget = instance.meta.get("budget", "")
    if meta_budget != str(round_doc.budget):
        raise CheckFailed(f"results.pb has budget {meta_budget[:30]!r}, the round {round_doc.budget}")
    if instance.meta.get("rule") != PABULIB_RULES[round_doc.rule]:
        raise CheckFailed(f"results.pb names rule {instance.meta.get('rule', '')[:40]!r}, the round's rule "
                          f"{round_doc.rule} is {PABULIB_RULES[round_doc.rule]!r} in Pabulib")
    published = {str(p.project_id): p for p in results.projects}
    if len(published) != len(results.projects):
        raise CheckFailed("the results list a project twice")
    if set(published) != set(instance.projects):
        extra, missing = set(instance.projects) - set(published), set(published) - set(instance.projects)
        raise CheckFailed(f"projects differ: only in results.pb {sorted(extra)[:5]}, only in the results "
                          f"{sorted(missing)[:5]}")
    for pid, row in instance.projects.items():
        if row.get("cost") != str(published[pid].cost):
            raise CheckFailed(f"project {pid} costs {row.get('cost', '')[:30]} in results.pb, "
                              f"{published[pid].cost} in the results")
    return f"same round, rule, budget and {len(published)} projects with the same costs"


def check_recount(state: _State) -> str:
    """The round's rule over results.pb gives the published outcome: winners, spending and every count."""
    round_doc = _need(state.round, "the round")
    results = _results(state)
    try:
        election = pabulib.to_election(_need_instance(state))
    except pabulib.PabulibError as error:
        raise CheckFailed(f"results.pb cannot be counted: {error}") from None
    outcome = tally(round_doc.rule, election)
    published = [str(p.project_id) for p in results.projects if p.selected]
    if sorted(outcome.winners) != sorted(published):
        gained = sorted(set(outcome.winners) - set(published))
        lost = sorted(set(published) - set(outcome.winners))
        raise CheckFailed(f"the recount selects {', '.join(gained) or 'no other'} and not "
                          f"{', '.join(lost) or 'no other'}: winners differ")
    if outcome.spent != results.spent:
        raise CheckFailed(f"the recount spends {_number(outcome.spent)}, the results say {results.spent}")
    counts = {p.project_id: (p.votes, p.score) for p in outcome.projects}
    for project in results.projects:
        mine = counts.get(str(project.project_id))
        if mine is None:
            raise CheckFailed(f"project {project.project_id} of the results is not in results.pb")
        if mine != (project.votes, project.score):
            raise CheckFailed(f"project {project.project_id}: the recount gives {mine[0]} votes and score "
                              f"{mine[1]}, the results {project.votes} and {project.score}")
    order = [p.project_id for p in outcome.projects]
    if order != [str(p.project_id) for p in results.projects]:
        raise CheckFailed("the results list the projects in another order than the rule considered them")
    return (f"{round_doc.rule} over {len(election.ballots):,} ballots selects the same {len(published)} projects "
            f"for {_number(outcome.spent)} KZT, with the same votes and scores")


def check_second_count(state: _State) -> str:
    """Another implementation's winners over the same file: a fault in our rules engine would not show
    in our own recount, since it computed the published results too."""
    name, count = _need(state.second_count, "a second implementation")
    round_doc = _need(state.round, "the round")
    results = _results(state)
    _need_instance(state)
    winners = count(state.documents.pabulib, round_doc.rule)
    published = {str(p.project_id) for p in results.projects if p.selected}
    if winners != published:
        raise CheckFailed(f"{name} selects {', '.join(sorted(winners - published)) or 'no other'} and not "
                          f"{', '.join(sorted(published - winners)) or 'no other'}")
    return f"{name}'s {round_doc.rule} over results.pb selects the same {len(winners)} projects"


def check_receipt(state: _State) -> str:
    ledger, _ = _need_ledger(state)
    receipt = state.documents.receipt or ""
    digest = receipt_hash(receipt)
    found = next((e for e in ledger.entries if e.receipt_hash == digest), None)
    if found is None:
        raise CheckFailed(f"no ledger entry has this receipt's hash {_short(digest)}")
    if state.documents.receipt_status is None:
        raise CheckFailed(f"the ledger has it (entry {found.seq}, {found.status}) but the receipt page says "
                          "it is unknown")
    status = _decode(ReceiptDoc, state.documents.receipt_status, "the receipt page")
    if (status.round_id, status.receipt_hash, status.status) != (state.round_id, digest, found.status):
        raise CheckFailed(f"the receipt page says round {status.round_id}, {status.status!r}; the ledger "
                          f"says round {state.round_id}, entry {found.seq}, {found.status!r}")
    return f"entry {found.seq} of the ledger, {found.status}, as the receipt page says"


def _need(value, what: str):
    if value is None:
        raise NotChecked(f"{what} could not be read (see above)")
    return value


def _need_ledger(state: _State) -> tuple[LedgerDoc, list[datetime]]:
    if state.ledger is None or state.moments is None:
        raise NotChecked("the ledger's chain did not verify (see above)")
    return state.ledger, state.moments


def _results(state: _State) -> ResultsDoc:
    if state.results is None:
        state.results = _decode(ResultsDoc, state.documents.results, "the results")
    return state.results


def _need_instance(state: _State) -> pabulib.PabulibInstance:
    if state.instance is None:
        try:
            state.instance = pabulib.loads(state.documents.pabulib)
        except pabulib.PabulibError as error:
            raise CheckFailed(f"results.pb is not a valid Pabulib file: {error}") from None
    return state.instance


CHECKS: list[tuple[str, Callable[[_State], str]]] = [
    ("round is published", check_round),
    ("ledger chain", check_chain),
    ("ledger checkpoints", check_checkpoints),
    ("voting window", check_deadline),
    ("invalidations", check_invalidations),
    ("counted ballots", check_counted),
    ("results.pb is this round's", check_file),
    ("recount", check_recount),
]


def _optional(documents: PublicDocuments) -> list[tuple[str, Callable[[_State], str]]]:
    return ([("saved checkpoints", check_saved_checkpoints)] if documents.saved_checkpoints is not None else []) \
        + ([("receipt", check_receipt)] if documents.receipt is not None else [])


def verify(round_id: int, documents: PublicDocuments,
           second_count: tuple[str, Callable[[str, str], set[str]]] | None = None) -> Report:
    """All checks; with `second_count` (a name and count(pabulib_text, rule) -> winners), also a recount
    by that other implementation."""
    extra = [(f"recount by {second_count[0]}", check_second_count)] if second_count else []
    return _run(_State(round_id, documents, second_count=second_count), CHECKS + extra + _optional(documents))


def verify_ledger(round_id: int, ledger: bytes, saved_checkpoints: bytes | None = None) -> Report:
    """Only the ledger's chain and checkpoints: what can be checked of a round still taking votes."""
    documents = PublicDocuments(round=b"", results=b"", pabulib="", ledger=ledger, invalidations=b"",
                                saved_checkpoints=saved_checkpoints)
    return _run(_State(round_id, documents), [CHECKS[1], CHECKS[2]] + _optional(documents))


def _run(state: _State, checks: list[tuple[str, Callable[[_State], str]]]) -> Report:
    report = Report(state.round_id)
    for name, check in checks:
        started = time.perf_counter()
        try:
            verdict = Check(name, True, check(state))
        except CheckFailed as failure:
            verdict = Check(name, False, str(failure))
        except NotChecked as reason:
            verdict = Check(name, None, f"not checked: {reason}")
        except Exception as error:  # hostile input must end in a verdict, never in a traceback
            verdict = Check(name, False, f"could not be checked: {type(error).__name__}: {error}")
        verdict.seconds = time.perf_counter() - started
        report.checks.append(verdict)
    return report


def render(report: Report) -> str:
    width = max(len(check.name) for check in report.checks)
    mark = {True: "OK  ", False: "FAIL", None: "SKIP"}
    lines = [f"{mark[check.ok]}  {check.name:<{width}}  {check.detail}" for check in report.checks]
    failed, skipped = report.failed(), report.skipped()
    if report.ok:
        lines.append(f"round {report.round_id}: all {len(report.checks)} checks passed")
    else:
        lines.append(f"round {report.round_id}: {len(failed)} of {len(report.checks)} checks FAILED: "
                     + ", ".join(check.name for check in failed)
                     + (f"; {len(skipped)} could not be checked because of them" if skipped else ""))
    return "\n".join(lines)


def summary(report: Report) -> dict[str, Any]:
    return {"round_id": report.round_id, "ok": report.ok,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail, "seconds": round(c.seconds, 4)}
                       for c in report.checks]}
