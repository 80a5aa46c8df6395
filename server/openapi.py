"""The OpenAPI document as mobile teams use it: clients generated from it must understand every answer.

Litestar documents what each handler declares. What any operation may answer because of what stands in
front of it (503 while a dependency is down, 413 for an oversized body, Retry-After on 429 and 503), the
headers every client is asked to send, the closed sets of values and the image bodies are added here, in
one place, to the generated document, from the same constants the code checks against.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.spec import Components, SecurityScheme

from admin.staff import ROLES
from budgets.ballots import BALLOT_STATUSES, METHODS
from budgets.integrity import REVIEW_ACTIONS
from budgets.rounds import STATUSES
from budgets.rules import RULES
from ideas import rules as ideas
from infra.http import LANGUAGES
from infra.problems import PROBLEM
from initiatives import rules as initiative_rules
from notify.outbox import FOLLOW_KINDS
from notify.templates import KINDS as NOTIFICATION_KINDS

RESIDENT_SCHEME, STAFF_SCHEME = "resident", "staff"
SECURITY_SCHEMES = Components(security_schemes={
    RESIDENT_SCHEME: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT",
                                    description="A resident's access token from POST /api/v1/auth/token."),
    STAFF_SCHEME: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT",
                                 description="A staff member's access token from POST /api/v1/admin/session."),
})

# (schema, property): the values it takes. Inputs stay plain strings to the server, which answers an
# unknown value with a 422 that names the field; the document tells clients the set.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("RoundOut", "status"): STATUSES,
    ("RoundOut", "rule"): RULES,
    ("ResultsOut", "rule"): RULES,
    ("RoundIn", "rule"): RULES,
    ("RoundChanges", "rule"): RULES,
    ("VoteRulesOut", "method"): METHODS,
    ("VoteRulesIn", "method"): METHODS,
    ("ReceiptOut", "status"): BALLOT_STATUSES,
    ("LedgerEntry", "status"): BALLOT_STATUSES,
    ("InvalidationOut", "status"): ("quarantined", "invalidated"),
    ("ReviewIn", "action"): tuple(REVIEW_ACTIONS),
    ("ReviewOut", "status"): BALLOT_STATUSES,
    ("StaffIn", "role"): ROLES,
    ("StaffOut", "role"): (*ROLES, "superuser"),
    ("Me", "language"): LANGUAGES,
    ("PreferencesIn", "language"): LANGUAGES,
    ("PreferencesOut", "language"): LANGUAGES,
    ("NotificationOut", "kind"): NOTIFICATION_KINDS,
    ("FollowOut", "kind"): FOLLOW_KINDS,
    ("IdeaIn", "category"): ideas.CATEGORIES,
    ("IdeaIn", "language"): LANGUAGES,
    ("IdeaOut", "category"): ideas.CATEGORIES,
    ("IdeaOut", "status"): ideas.STATUSES,
    ("IdeaOut", "language"): LANGUAGES,
    ("SimilarIdeaOut", "status"): ideas.STATUSES,
    ("IdeaDecisionIn", "decision"): ideas.DECISIONS,
    ("BulkDecisionIn", "decision"): ideas.BULK_DECISIONS,
    ("InitiativeOut", "status"): initiative_rules.STATUSES,
    ("AnswerOut", "decision"): initiative_rules.ANSWERS,
    ("ModerationIn", "decision"): initiative_rules.DECISIONS,
    ("AnswerIn", "decision"): initiative_rules.ANSWERS,
    ("InitiativeIn", "language"): LANGUAGES,
}

RETRY_AFTER = {"description": "Seconds to wait before trying again.",
               "schema": {"type": "integer", "minimum": 1}}
HEADERS = {
    "AcceptLanguage": {
        "name": "Accept-Language", "in": "header", "required": False,
        "description": "kk, ru or en: the language of texts and of problem documents (fallback ru, kk, en).",
        "schema": {"type": "string", "example": "kk"},
    },
    "DeviceId": {
        "name": "X-Device-Id", "in": "header", "required": False,
        "description": "A random id the app keeps for its installation; rate limits and anomaly checks use it, "
                       "nothing requires it.",
        "schema": {"type": "string", "maxLength": 128},
    },
}
ALWAYS = {
    "503": "a dependency (database or session store) does not answer: retry after Retry-After seconds",
}
WITH_BODY = {"413": "the request body is larger than this endpoint accepts"}
EXAMPLES: dict[str, dict[str, Any]] = {
    "sendSignInCode": {"phone": "+77011234567"},
    "exchangeSignInCode": {"phone": "+77011234567", "code": "123456"},
    "refreshTokens": {"refresh_token": "the refresh_token of the last answer"},
    "proveResidency": {"iin": "900101300106", "region": "751110000"},
    "castBallot": {"choices": [{"project_id": 1}, {"project_id": 5}]},
    "subscribeToPush": {"endpoint": "https://fcm.googleapis.com/fcm/send/dXJ...",
                        "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVl...",
                                 "auth": "tBHItJI5svbpez7KI4CCXg"}},
    "setMyPreferences": {"language": "kk", "channels": {"sms": True, "push": True},
                         "quiet_hours": {"from": "22:00", "to": "08:00"}},
    "createStaffSession": {"email": "almaly@almaty.dauys.kz", "password": "a strong password"},
    "createRound": {"region": "751110000", "title": {"kk": "Қатысу бюджеті 2027", "ru": "Бюджет участия 2027"},
                    "budget": 50_000_000, "rule": "mes-add1", "min_age": 18,
                    "vote": {"method": "approval", "min_choices": 1, "max_choices": 3},
                    "voting_opens_at": "2027-03-01T04:00:00Z", "voting_closes_at": "2027-03-22T18:00:00Z",
                    "auto_publish": True},
    "addProject": {"title": {"kk": "Аула алаңы", "ru": "Дворовая площадка"},
                   "description": {"ru": "Площадка для детей у дома 12"}, "cost": 12_000_000, "region": "751110000"},
    "updateRound": {"budget": 60_000_000, "voting_closes_at": "2027-03-29T18:00:00Z"},
    "createStaff": {"email": "moderator@almaly.almaty.kz", "password": "a strong password 2027",
                    "region": "751110000", "role": "moderator"},
    "reviewBallot": {"action": "quarantine", "reason": "Many ballots from one device within one minute."},
    "proposeIdea": {"title": "Освещение во дворе дома 12", "text": "Во дворе нет фонарей, вечером темно и опасно "
                    "детям.", "category": "lighting", "region": "751110000",
                    "location": {"lat": 43.2389, "lon": 76.8897}, "estimated_cost": 4_500_000},
    "reviewIdea": {"decision": "accept", "cost": 5_200_000,
                   "reason": {"kk": "Техникалық сараптамадан өтті", "ru": "Прошла техническую экспертизу"}},
    "reviewIdeasTogether": {"ideas": [14, 15, 17], "decision": "reject",
                            "reason": {"kk": "Әкімдіктің құзыретіне жатпайды",
                                       "ru": "Не относится к полномочиям акимата"}},
    "createInitiative": {"region": "751110000", "title": "Освещение в сквере на улице Толе би",
                         "text": "Вечером в сквере темно: просим поставить фонари вдоль аллеи."},
    "moderateInitiative": {"decision": "reject",
                           "reason": {"kk": "Бұл мәселе қала әкімдігінің құзыретінде",
                                      "ru": "Вопрос относится к ведению акимата города"}},
    "answerInitiative": {"decision": "partly",
                         "text": {"kk": "Шамдар 2027 жылы орнатылады", "ru": "Фонари установят в 2027 году"}},
    "putInitiativeOnBallot": {"round_id": 12, "cost": 25_000_000,
                              "title": {"kk": "Төле би көшесіндегі саябақты жарықтандыру",
                                        "ru": "Освещение сквера на улице Толе би"}},
    "scheduleInitiativeHearing": {"hearing_at": "2027-04-10T05:00:00Z"},
    "setRegionSettings": {"initiative_threshold": 2500, "answer_days": 30, "hearing_threshold": 5000,
                          "ballot_threshold": 10000},
    "releaseIdentity": {"iin": "900101300106",
                        "reason": {"kk": "ЖСН басқа адамның телефонына қате тіркелген",
                                   "ru": "ИИН ошибочно зарегистрирован на телефон другого человека"}},
}
# Liveness answers without any dependency.
NO_DEPENDENCY = {"getHealth"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}}


def _is_resident_operation(operation: dict[str, Any]) -> bool:
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    return RESIDENT_SCHEME in schemes or "resident sign-in" in operation.get("tags", [])


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the answers, headers, enums and media types described above to a generated document."""
    components = schema.setdefault("components", {})
    components.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
    components.setdefault("parameters", {}).update(HEADERS)
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if operation.get("operationId") not in NO_DEPENDENCY:
                for status, description in ALWAYS.items():
                    responses.setdefault(status, _problem(description))
            if "requestBody" in operation:
                for status, description in WITH_BODY.items():
                    responses.setdefault(status, _problem(description))
            for status in ("429", "503"):
                if status in responses:
                    headers = responses[status].setdefault("headers", {})
                    headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
            # No requirement at all, rather than an inherited one: generators then ask no token for it.
            operation.setdefault("security", [])
            example = EXAMPLES.get(operation.get("operationId", ""))
            if example and "requestBody" in operation:
                operation["requestBody"]["content"]["application/json"]["example"] = example
            parameters = operation.setdefault("parameters", [])
            parameters.append({"$ref": "#/components/parameters/AcceptLanguage"})
            if _is_resident_operation(operation):
                parameters.append({"$ref": "#/components/parameters/DeviceId"})
            for answer in responses.values():
                for media_type, body in answer.get("content", {}).items():
                    if media_type.startswith("image/"):
                        body["schema"] = {"type": "string", "format": "binary"}
    schemas = components.get("schemas", {})
    for (name, field), values in ENUMS.items():
        prop = schemas.get(name, {}).get("properties", {}).get(field)
        if prop is None:
            raise KeyError(f"the OpenAPI document has no {name}.{field}: update server/openapi.py ENUMS")
        _set_enum(prop, values)
    return schema


def _set_enum(prop: dict[str, Any], values: tuple[str, ...]) -> None:
    """The enum on the string branch of a property (optional fields are a oneOf with null)."""
    for branch in prop.get("oneOf", [prop]):
        if branch.get("type") == "string":
            branch["enum"] = list(values)


def document(app: Litestar) -> None:
    """Complete the app's served document once, in place, before it is first asked for."""
    from litestar._openapi.plugin import OpenAPIPlugin

    complete(app.plugins.get(OpenAPIPlugin).provide_openapi_schema())
