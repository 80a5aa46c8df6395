"""Tables of initiatives: the petitions, their signatures, each region's settings and the surge flags.

The composite key of a signature (one per initiative and person) is an index of the migration, which
Piccolo's columns cannot say.
"""

from piccolo.columns import JSON, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey
from piccolo.table import Table

from core.tables import Resident


class Initiative(Table, tablename="initiative"):
    id = Serial(primary_key=True)
    # The addressee: the akimat of this region answers.
    region = Varchar(length=9, index=True)
    author = ForeignKey(references=Resident, index=True)
    # As the author wrote them, in `language` (the text is never translated by us).
    title = Varchar(length=120)
    text = Text()
    language = Varchar(length=2, default="ru")
    # moderation | rejected | collecting | answer_due | answered | expired (initiatives.rules.STATUSES)
    status = Varchar(length=12, default="moderation", index=True)
    # The public reason of a rejection, {kk, ru, en}.
    moderation_reason = JSON(null=True, default=None)
    moderated_at = Timestamptz(null=True, default=None)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    # Fixed when published: a later change of the region's setting does not move an open collection's goal.
    threshold = Integer(null=True, default=None)
    hearing_threshold = Integer(null=True, default=None)
    ballot_threshold = Integer(null=True, default=None)
    # Counted in the transaction of each signature, whose row lock makes concurrent signatures queue.
    signatures = Integer(default=0)
    answer_due_at = Timestamptz(null=True, default=None)
    # accepted | partly | declined, with a {kk, ru, en} text
    answer_decision = Varchar(length=8, null=True, default=None)
    answer_text = JSON(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    # A public hearing the akimat holds once the signatures pass the hearing threshold.
    hearing_at = Timestamptz(null=True, default=None)
    # The project staff put on a round's ballot once the ballot threshold was reached (budgets.tables.Project;
    # no foreign key, as initiatives and budgets are independent domains).
    project = Integer(null=True, default=None)
    created_at = Timestamptz()


class Signature(Table, tablename="initiative_signature"):
    """One person's signature: `signer` is core.residents.voter_identity (the IIN's keyed hash), so a second
    phone of the same person signs nothing new."""

    id = Serial(primary_key=True)
    initiative = ForeignKey(references=Initiative)
    signer = Varchar(length=64)
    resident = ForeignKey(references=Resident, index=True)
    # Where the signer was registered when signing, for the counts per region.
    region = Varchar(length=9)
    signed_at = Timestamptz()
    # Keyed hashes of the address and device, as on ballots, for the surge scan (never the values).
    origin = Varchar(length=16, null=True, default=None)
    device = Varchar(length=16, null=True, default=None)


class RegionSettings(Table, tablename="initiative_region_settings"):
    """What an akimat set for the initiatives addressed to it; a region without a row has the defaults."""

    region = Varchar(length=9, primary_key=True)
    initiative_threshold = Integer(null=True, default=None)
    answer_days = Integer(default=30)
    hearing_threshold = Integer(null=True, default=None)
    ballot_threshold = Integer(null=True, default=None)
    updated_at = Timestamptz()


class SurgeFlag(Table, tablename="initiative_surge"):
    """Signatures staff should look at: a window far above the initiative's baseline, or one source."""

    id = Serial(primary_key=True)
    initiative = ForeignKey(references=Initiative, index=True)
    # surge | device_cluster | origin_cluster; with the subject and window it names the flag once.
    kind = Varchar(length=16)
    subject = Varchar(length=16, default="initiative")
    window_start = Timestamptz()
    detail = JSON()
    detected_at = Timestamptz()
