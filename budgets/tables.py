"""Tables of the budgeting domain: rounds, projects, ballots, stored results, anomalies and ledger checkpoints."""

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Round(Table, tablename="round"):
    """One participatory-budgeting cycle of one region with one budget."""

    id = Serial(primary_key=True)
    region = Varchar(length=9, index=True)
    title = JSON()
    description = JSON(default={})
    budget = BigInt()
    rule = Varchar(length=32)
    min_age = Integer(default=18)
    vote_method = Varchar(length=16)
    min_choices = Integer(null=True, default=None)
    max_choices = Integer(null=True, default=None)
    max_cost = BigInt(null=True, default=None)
    points_total = Integer(null=True, default=None)
    min_project_score = Integer(null=True, default=None)
    voting_opens_at = Timestamptz()
    voting_closes_at = Timestamptz(index=True)
    auto_publish = Boolean(default=True)
    # The ideas phase (both or neither): residents propose projects, then staff review them until voting opens.
    ideas_opens_at = Timestamptz(null=True, default=None)
    ideas_closes_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, index=True, default="draft")
    closed_at = Timestamptz(null=True, default=None)
    tallied_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    # A lease on tallying, so that a process that died mid-tally is replaced after it runs out.
    tally_claimed_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)
    round = ForeignKey(references=Round, index=True)
    region = Varchar(length=9)
    title = JSON()
    description = JSON(default={})
    cost = BigInt()
    # The project's id in the file it was imported from (Pabulib), so results can be compared with it.
    external_id = Varchar(length=64, null=True, default=None)
    # The resident's idea this project was accepted from (ideas.tables.Idea; no foreign key, since the
    # ideas domain sits above this one).
    idea_id = Integer(null=True, default=None)
    # The residents' initiative that reached its ballot threshold and was put on the ballot as this project.
    initiative_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class Ballot(Table, tablename="ballot"):
    """One revision of one voter's ballot. The voter is a per-round pseudonym, never a resident id.

    A partial unique index (in the migrations) allows one `counted` revision per voter and round.
    """

    id = Serial(primary_key=True)
    # No index of its own: every index below leads with the round, and a lone (round) index tempted the
    # planner into scanning a whole round where it meant to look up one voter.
    round = ForeignKey(references=Round)
    voter = Varchar(length=64)
    revision = Integer()
    receipt = Varchar(length=32, unique=True)
    # [[project_id, points], ...]
    choices = JSON()
    cast_at = Timestamptz()
    # counted | superseded | quarantined | invalidated
    status = Varchar(length=16, default="counted")
    channel = Varchar(length=16, default="mobile")
    idempotency_key = Varchar(length=128, null=True, default=None)
    # Keyed, truncated hashes of the client's address and app installation: enough to see a cluster of
    # ballots from one source, never enough to find the source (they are not published).
    origin = Varchar(length=16, null=True, default=None)
    device = Varchar(length=16, null=True, default=None)
    review_reason = Text(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)


class RoundResult(Table, tablename="round_result"):
    """The outcome computed when a round closed; reading results never recomputes it."""

    id = Serial(primary_key=True)
    round = ForeignKey(references=Round, unique=True)
    rule = Varchar(length=32)
    budget = BigInt()
    spent = BigInt()
    voters = Integer()
    projects = JSON()
    # The counted ballots as a Pabulib file, written from the same snapshot the rule counted.
    pabulib = Text()
    computed_at = Timestamptz()


class Anomaly(Table, tablename="anomaly"):
    """Something in a round's ballots that staff should look at: a surge, a cluster, a recount mismatch."""

    id = Serial(primary_key=True)
    round = ForeignKey(references=Round, index=True)
    kind = Varchar(length=32)
    # What the anomaly is about within its kind (a source hash, a project id, "round"); with the round,
    # kind and window it identifies the anomaly, so that several processes record it once.
    subject = Varchar(length=32, default="round")
    window_start = Timestamptz()
    window_end = Timestamptz()
    # Kind-specific figures (counts, baseline, the source's hash) and the ids of the ballots involved.
    detail = JSON()
    detected_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)


class LedgerCheckpoint(Table, tablename="ledger_checkpoint"):
    """The hash of a round's ballot ledger up to a moment, published so later removals show."""

    id = Serial(primary_key=True)
    round = ForeignKey(references=Round, index=True)
    upto = Timestamptz()
    entries = Integer()
    hash = Varchar(length=64)
    created_at = Timestamptz()
