"""Tables of residents' ideas: the ideas of a round's ideas phase, their supports and photos."""

from piccolo.columns import JSON, BigInt, DoublePrecision, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from budgets.tables import Round
from core.tables import Resident


class Idea(Table, tablename="idea"):
    """A resident's proposal for a project of a round, stored as written and always shown escaped."""

    id = Serial(primary_key=True)
    round = ForeignKey(references=Round, index=True)
    # The account that wrote it (for "my ideas"); the person behind it keys the limit per round (the IIN's
    # keyed hash, as ballots are keyed), so that a second phone gives no more ideas.
    author = ForeignKey(references=Resident, index=True)
    author_identity = Varchar(length=64)
    # 1..IDEAS_PER_RESIDENT, unique per person and round (in the migrations): the limit holds under races.
    slot = Integer()
    title = Text()
    text = Text()
    language = Varchar(length=2)
    category = Varchar(length=32, index=True)
    region = Varchar(length=9)
    # The region's path ("750000000/751110000/"): a sub-region's ideas are a prefix match.
    region_path = Varchar(length=100, index=True)
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    estimated_cost = BigInt(null=True, default=None)
    # submitted | accepted | rejected | hidden | merged
    status = Varchar(length=16, default="submitted", index=True)
    supports = Integer(default=0)
    # The public answer of the review, {kk, ru, en}.
    answer = JSON(null=True, default=None)
    # What staff found it would cost, and the project it became (accept) or the idea it joined (merge).
    cost = BigInt(null=True, default=None)
    project = Integer(null=True, default=None)
    merged_into = Integer(null=True, default=None)
    reviewed_by = Varchar(length=64, null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class IdeaSupport(Table, tablename="idea_support"):
    """One person's support of one idea (unique per idea and person, in the migrations)."""

    id = Serial(primary_key=True)
    idea = ForeignKey(references=Idea, index=True)
    supporter = Varchar(length=64)
    created_at = Timestamptz()


class IdeaPhoto(Table, tablename="idea_photo"):
    id = Serial(primary_key=True)
    idea = ForeignKey(references=Idea, index=True)
    key = Varchar(length=128)
    content_type = Varchar(length=32)
    size = Integer()
    uploaded_at = Timestamptz()
