"""How the resident site names an initiative's statuses and answers (msgids; the values are the API's)."""

from infra.i18n import N_

STATUSES = {"moderation": N_("waiting for moderation"), "rejected": N_("not published"),
            "collecting": N_("collecting signatures"), "answer_due": N_("waiting for the akimat's answer"),
            "answered": N_("answered"), "expired": N_("signing ended without enough signatures")}
ANSWERS = {"accepted": N_("accepted"), "partly": N_("partly accepted"), "declined": N_("declined")}
