"""The texts of each event kind in kk, ru and en: a feed title and text, and an SMS of one Cyrillic segment,
as gettext messages like the faces' (English here, Kazakh and Russian in notify/locale, domain "notify").

An SMS in Cyrillic is sent as UCS-2, whose single segment holds 70 characters; a longer one is billed as
two or more. Each SMS template is a short phrase and the link to the page on the resident site, and
tests/unit/notify checks every one against the limit with a realistic address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.http import localized
from infra.i18n import N_, P_, catalogues

SMS_SEGMENT = 70
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "notify"
translations = catalogues(DOMAIN, LOCALE_DIR)

# kind → (feed title, feed text, SMS phrase), in English, the catalogue's source language; {title} is the
# subject's title in the reader's language. The Kazakh and Russian texts are the gettext catalogue's
# (notify/locale/{kk,ru}/LC_MESSAGES/notify.po). The SMS phrase has the context "sms": it may need a
# shorter translation than the same English words as a feed title, to leave room for the link.
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "round.ideas_opened": (N_("Ideas are open"), N_("“{title}”: propose a project for your area."),
                           P_("sms", "Ideas are open")),
    "idea.reviewed": (N_("Your idea was reviewed"), N_("“{title}”: see the decision and its reason."),
                      P_("sms", "Your idea was reviewed")),
    "round.voting_opened": (N_("Voting is open"), N_("“{title}”: see the projects and vote."),
                            P_("sms", "Voting is open")),
    "round.results_published": (N_("Results are published"), N_("“{title}”: see which projects won."),
                                P_("sms", "Results are published")),
    "round.closes_tomorrow": (N_("Voting closes tomorrow"), N_("“{title}”: there is still time to vote."),
                              P_("sms", "Voting closes tomorrow")),
    # Initiatives: {title} is the initiative's title as its author wrote it.
    "initiative.published": (N_("Your initiative is public"), N_("“{title}”: signatures are being collected."),
                             P_("sms", "Initiative published")),
    "initiative.rejected": (N_("Initiative not published"), N_("“{title}”: the reason is on the initiative's page."),
                            P_("sms", "Initiative not published")),
    "initiative.threshold_reached": (N_("Signatures reached"), N_("“{title}”: the akimat must now answer."),
                                     P_("sms", "Signatures reached")),
    "initiative.answered": (N_("The akimat answered"), N_("“{title}”: read the answer."),
                            P_("sms", "The akimat answered")),
    "initiative.expired": (N_("Signing has closed"), N_("“{title}”: it did not reach its threshold."),
                           P_("sms", "Signing has closed")),
}
KINDS = tuple(TEMPLATES)


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    url: str


# The resident site's page of each event (its payload fills the ids in); a round's page by default.
PAGES = {
    "round.ideas_opened": "/rounds/{round_id}/ideas",
    "round.results_published": "/rounds/{round_id}/results",
    "idea.reviewed": "/ideas/{idea_id}",
    **{kind: "/initiatives/{initiative_id}" for kind in TEMPLATES if kind.startswith("initiative.")},
}


def page(public_url: str, kind: str, payload: dict[str, Any]) -> str:
    return public_url + PAGES.get(kind, "/rounds/{round_id}").format(**payload)


def render(kind: str, language: str, payload: dict[str, Any], public_url: str) -> Message:
    title, text, _ = TEMPLATES[kind]
    catalogue = translations(language)
    subject_title = localized(payload.get("title"), language)
    return Message(title=catalogue.gettext(title), text=catalogue.gettext(text).format(title=subject_title),
                   url=page(public_url, kind, payload))


def sms_text(kind: str, language: str, payload: dict[str, Any], public_url: str) -> str:
    """One SMS segment: the phrase and the link (the subject's title would not fit)."""
    phrase = translations(language).pgettext("sms", TEMPLATES[kind][2])
    return f"{phrase}: {page(public_url, kind, payload)}"
