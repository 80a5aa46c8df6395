"""The texts of each event kind in kk, ru and en: a feed title and text, and an SMS of one Cyrillic segment.

An SMS in Cyrillic is sent as UCS-2, whose single segment holds 70 characters; a longer one is billed as
two or more. Each SMS template is a short phrase and the link to the page on the resident site, and
tests/unit/notify checks every one against the limit with a realistic address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.http import localized

SMS_SEGMENT = 70

# kind → language → (feed title, feed text, SMS phrase); {title} is the subject's title in that language.
TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "round.ideas_opened": {
        "kk": ("Идеялар қабылдануда", "«{title}»: ауданыңызға жоба ұсыныңыз.", "Идеялар қабылдануда"),
        "ru": ("Приём идей открыт", "«{title}»: предложите проект для своего района.", "Приём идей открыт"),
        "en": ("Ideas are open", "“{title}”: propose a project for your area.", "Ideas are open"),
    },
    "idea.reviewed": {
        "kk": ("Идеяңыз қаралды", "«{title}»: шешімді және оның себебін қараңыз.", "Идеяңыз қаралды"),
        "ru": ("Ваша идея рассмотрена", "«{title}»: посмотрите решение и его причину.", "Ваша идея рассмотрена"),
        "en": ("Your idea was reviewed", "“{title}”: see the decision and its reason.", "Your idea was reviewed"),
    },
    "round.voting_opened": {
        "kk": ("Дауыс беру басталды", "«{title}»: жобаларды қарап, дауыс беріңіз.", "Дауыс беру басталды"),
        "ru": ("Голосование открыто", "«{title}»: посмотрите проекты и проголосуйте.", "Голосование открыто"),
        "en": ("Voting is open", "“{title}”: see the projects and vote.", "Voting is open"),
    },
    "round.results_published": {
        "kk": ("Нәтижелер жарияланды", "«{title}»: жеңген жобаларды қараңыз.", "Нәтижелер жарияланды"),
        "ru": ("Итоги опубликованы", "«{title}»: посмотрите, какие проекты победили.", "Итоги опубликованы"),
        "en": ("Results are published", "“{title}”: see which projects won.", "Results are published"),
    },
    "round.closes_tomorrow": {
        "kk": ("Дауыс беру ертең аяқталады", "«{title}»: дауыс беруге үлгеріңіз.", "Дауыс беру ертең бітеді"),
        "ru": ("Голосование завтра закончится", "«{title}»: успейте проголосовать.", "Голосование завтра закончится"),
        "en": ("Voting closes tomorrow", "“{title}”: there is still time to vote.", "Voting closes tomorrow"),
    },
    # Initiatives: {title} is the initiative's title as its author wrote it.
    "initiative.published": {
        "kk": ("Бастама жарияланды", "«{title}»: қол жинау басталды.", "Бастама жарияланды"),
        "ru": ("Инициатива опубликована", "«{title}»: начался сбор подписей.", "Инициатива опубликована"),
        "en": ("Your initiative is public", "“{title}”: signatures are being collected.", "Initiative published"),
    },
    "initiative.rejected": {
        "kk": ("Бастама қабылданбады", "«{title}»: себебін бастама бетінен қараңыз.", "Бастама қабылданбады"),
        "ru": ("Инициатива отклонена", "«{title}»: причина указана на странице инициативы.",
               "Инициатива отклонена"),
        "en": ("Initiative not published", "“{title}”: the reason is on the initiative's page.",
               "Initiative not published"),
    },
    "initiative.threshold_reached": {
        "kk": ("Қолдар жиналды", "«{title}»: әкімдік жауап беруге міндетті.", "Қолдар жиналды"),
        "ru": ("Подписи собраны", "«{title}»: акимат обязан ответить.", "Подписи собраны"),
        "en": ("Signatures reached", "“{title}”: the akimat must now answer.", "Signatures reached"),
    },
    "initiative.answered": {
        "kk": ("Әкімдік жауап берді", "«{title}»: жауапты оқыңыз.", "Әкімдік жауап берді"),
        "ru": ("Акимат ответил", "«{title}»: прочитайте ответ.", "Акимат ответил"),
        "en": ("The akimat answered", "“{title}”: read the answer.", "The akimat answered"),
    },
    "initiative.expired": {
        "kk": ("Қол жинау аяқталды", "«{title}»: қажетті қол саны жиналмады.", "Қол жинау аяқталды"),
        "ru": ("Сбор подписей завершён", "«{title}»: подписей не хватило.", "Сбор подписей завершён"),
        "en": ("Signing has closed", "“{title}”: it did not reach its threshold.", "Signing has closed"),
    },
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
    title, text, _ = TEMPLATES[kind].get(language) or TEMPLATES[kind]["ru"]
    subject_title = localized(payload.get("title"), language)
    return Message(title=title, text=text.format(title=subject_title), url=page(public_url, kind, payload))


def sms_text(kind: str, language: str, payload: dict[str, Any], public_url: str) -> str:
    """One SMS segment: the phrase and the link (the subject's title would not fit)."""
    phrase = (TEMPLATES[kind].get(language) or TEMPLATES[kind]["ru"])[2]
    return f"{phrase}: {page(public_url, kind, payload)}"
