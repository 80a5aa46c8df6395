"""Every staff endpoint (the admin API and the console), from the app's own route table, with five callers.

A new endpoint under /api/v1/admin or /console fails `test_every_staff_endpoint_is_classified` until it
is put in one of the classes below, and from then on it is called by every caller in the matrix.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from admin.photos import save_photo
from infra.storage import make_storage
from tests.helpers import bearer, make_iin, open_now, photo_bytes, resident, round_body, sign_in, staff_headers
from tests.integration.admin.console_helpers import ConsoleSession, console_sign_in

# A district, its city, a sibling district of the same city and a district of another city.
OWN, PARENT, SIBLING, OTHER = "751110000", "750000000", "751210000", "711110000"
PASSWORD = "endpoint-pass-1"
PNG = photo_bytes()
_numbers = itertools.count(1)

# Open to anyone: signing in and out.
PUBLIC = {("POST", "/api/v1/admin/session"), ("GET", "/console/sign-in"), ("POST", "/console/sign-in"),
          ("POST", "/console/sign-out")}
# About the caller's own account: any signed-in staff member, no region involved.
OWN_ACCOUNT = {("POST", "/api/v1/admin/session/revoke"), ("GET", "/console/account"), ("POST",
                                                                                       "/console/account/language"),
               ("POST", "/console/account/sign-out-everywhere"), ("GET", "/console/account/two-factor"),
               ("POST", "/console/account/two-factor"), ("POST", "/console/account/two-factor/off")}
# Lists scoped to the caller's region: another region's caller gets its own (empty) list.
LISTS = {("GET", "/api/v1/admin/rounds"), ("GET", "/api/v1/admin/audit"), ("GET", "/console"),
         ("GET", "/console/live"), ("GET", "/console/audit"), ("GET", "/console/staff"),
         ("GET", "/console/staff/new"), ("GET", "/console/rounds/new"), ("GET", "/api/v1/admin/initiatives"),
         ("GET", "/console/initiatives")}
# Everything else names a region's round, project or staff account (in the path or the body).
TARGETED = {
    ("POST", "/api/v1/admin/rounds"), ("GET", "/api/v1/admin/rounds/{round_id:int}"),
    ("PATCH", "/api/v1/admin/rounds/{round_id:int}"), ("POST", "/api/v1/admin/rounds/{round_id:int}/projects"),
    ("GET", "/api/v1/admin/rounds/{round_id:int}/results"), ("POST", "/api/v1/admin/rounds/{round_id:int}/publish"),
    ("POST", "/api/v1/admin/rounds/{round_id:int}/close"), ("POST", "/api/v1/admin/staff"),
    ("POST", "/console/rounds/new"), ("GET", "/console/rounds/{round_id:int}"),
    ("GET", "/console/rounds/{round_id:int}/edit"), ("POST", "/console/rounds/{round_id:int}/edit"),
    ("GET", "/console/rounds/{round_id:int}/close"), ("POST", "/console/rounds/{round_id:int}/close"),
    ("GET", "/console/rounds/{round_id:int}/results"), ("GET", "/console/rounds/{round_id:int}/publish"),
    ("POST", "/console/rounds/{round_id:int}/publish"), ("GET", "/console/rounds/{round_id:int}/results.csv"),
    ("GET", "/console/rounds/{round_id:int}/results.json"), ("GET", "/console/rounds/{round_id:int}/results.pb"),
    ("GET", "/console/rounds/{round_id:int}/turnout"), ("GET", "/console/rounds/{round_id:int}/projects/new"),
    ("POST", "/console/rounds/{round_id:int}/projects/new"), ("GET", "/console/projects/{project_id:int}/edit"),
    ("POST", "/console/projects/{project_id:int}/edit"), ("POST", "/console/projects/{project_id:int}/photo"),
    ("GET", "/console/projects/{project_id:int}/photo"), ("GET", "/console/projects/{project_id:int}/poster"),
    ("GET", "/console/staff/new"), ("POST", "/console/staff/new"), ("POST", "/console/staff/{staff_id:int}/active"),
    ("GET", "/api/v1/admin/rounds/{round_id:int}/anomalies"),
    ("GET", "/api/v1/admin/rounds/{round_id:int}/notifications"),
    ("GET", "/console/rounds/{round_id:int}/notifications"),
    ("POST", "/api/v1/admin/rounds/{round_id:int}/ballots/{ballot_id:int}/review"),
    ("GET", "/console/rounds/{round_id:int}/integrity"),
    ("POST", "/console/rounds/{round_id:int}/ballots/{ballot_id:int}/review"),
    # Names a resident (by IIN), whose region is the scope.
    ("POST", "/api/v1/admin/identity/release"),
    # Residents' ideas: the round's region is the scope.
    ("GET", "/api/v1/admin/rounds/{round_id:int}/ideas"), ("POST", "/api/v1/admin/rounds/{round_id:int}/ideas/review"),
    ("GET", "/api/v1/admin/ideas/{idea_id:int}"), ("GET", "/api/v1/admin/ideas/{idea_id:int}/similar"),
    ("POST", "/api/v1/admin/ideas/{idea_id:int}/review"),
    ("GET", "/console/rounds/{round_id:int}/ideas"), ("POST", "/console/rounds/{round_id:int}/ideas/review"),
    ("GET", "/console/ideas/{idea_id:int}"), ("POST", "/console/ideas/{idea_id:int}/review"),
    ("GET", "/console/ideas/{idea_id:int}/photos/{photo_id:int}"),
    # An initiative, whose addressee region is the scope; a region's settings for initiatives.
    ("GET", "/api/v1/admin/initiatives/{initiative_id:int}"),
    ("POST", "/api/v1/admin/initiatives/{initiative_id:int}/moderate"),
    ("POST", "/api/v1/admin/initiatives/{initiative_id:int}/answer"),
    ("POST", "/api/v1/admin/initiatives/{initiative_id:int}/hearing"),
    ("GET", "/api/v1/admin/initiatives/{initiative_id:int}/surges"),
    ("POST", "/api/v1/admin/initiatives/{initiative_id:int}/ballot"),
    ("POST", "/console/initiatives/{initiative_id:int}/ballot"),
    ("GET", "/api/v1/admin/regions/{kato:str}/settings"), ("PUT", "/api/v1/admin/regions/{kato:str}/settings"),
    ("GET", "/console/initiatives/{initiative_id:int}"), ("POST", "/console/initiatives/{initiative_id:int}/moderate"),
    ("POST", "/console/initiatives/{initiative_id:int}/answer"),
    ("POST", "/console/initiatives/{initiative_id:int}/hearing"),
    ("GET", "/console/regions/{kato:str}/initiative-settings"),
    ("POST", "/console/regions/{kato:str}/initiative-settings"),
}
TARGETED -= LISTS

# What an allowed caller gets: the API answers with the resource (201 when it creates one); the console
# answers a form with a redirect to the page showing the change, and a page with 200. Anything else (a 409
# or 422 from a target in the wrong state, say) means the test no longer shows the endpoint letting them act.
API_CREATED = {("POST", "/api/v1/admin/rounds"), ("POST", "/api/v1/admin/rounds/{round_id:int}/projects"),
               ("POST", "/api/v1/admin/staff"), ("POST", "/api/v1/admin/initiatives/{initiative_id:int}/ballot")}


def success_status(method: str, path: str) -> int:
    if path.startswith("/api/"):
        return 201 if (method, path) in API_CREATED else 200
    return 200 if method == "GET" else 303


def staff_routes() -> set[tuple[str, str]]:
    from server.app import create_app

    app = create_app(run_scheduler=False)
    found = set()
    for route in app.routes:
        if not (route.path.startswith(("/api/v1/admin", "/console")) and not route.path.startswith("/console/static")):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                found.add((method, route.path))
    return found


ROUTES = sorted(staff_routes())


def test_every_staff_endpoint_is_classified():
    classes = (PUBLIC, OWN_ACCOUNT, LISTS, TARGETED)
    unclassified = [r for r in ROUTES if sum(r in c for c in classes) != 1]
    assert not unclassified, f"classify these staff endpoints in {__file__}: {unclassified}"
    assert not (set().union(*classes) - set(ROUTES)), "a classified endpoint no longer exists"


@dataclass
class Target:
    round_id: int
    project_id: int
    staff_id: int
    ballot_id: int = 0  # a ballot of the round, for the requests that review one
    region: str = OWN
    iin: str = ""  # of a resident registered in OWN, for the identity release
    idea_id: int = 0  # a resident's idea in the round, for the requests that review one
    photo_id: int = 0  # the idea's photo
    initiative_id: int = 0  # an initiative addressed to OWN, for the initiative routes


def needs_idea(path: str) -> bool:
    return "idea" in path


async def make_target(client, headers, with_staff: bool = True, auto_publish: bool = True,
                      idea_by: dict | None = None) -> Target:
    """A round of OWN with a project (and, with `idea_by`, in its ideas phase with that resident's idea)."""
    now = datetime.now(UTC)
    phase = {"ideas_opens_at": (now - timedelta(minutes=1)).isoformat(),
             "ideas_closes_at": (now + timedelta(minutes=30)).isoformat()} if idea_by else {}
    created = await client.post("/api/v1/admin/rounds", json=round_body(OWN, auto_publish=auto_publish, **phase),
                                headers=headers)
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    project = await client.post(f"/api/v1/admin/rounds/{round_id}/projects",
                                json={"title": {"ru": "Сквер"}, "cost": 1_000_000}, headers=headers)
    assert project.status_code == 201, project.text
    staff_id = 0
    if with_staff:
        staff = await client.post("/api/v1/admin/staff", headers=headers, json={
            "email": f"target{next(_numbers)}@akimat.kz", "password": PASSWORD, "region": OWN, "role": "moderator"})
        assert staff.status_code == 201, staff.text
        staff_id = staff.json()["id"]
    await save_photo(make_storage(), "test", project.json()["id"], "750000000/751110000/", PNG)
    idea_id = photo_id = 0
    if idea_by:
        idea = await client.post(f"/api/v1/rounds/{round_id}/ideas", headers=idea_by, json={
            "title": "Фонари во дворе", "text": "Во дворе темно по вечерам.", "category": "lighting"})
        assert idea.status_code == 201, idea.text
        idea_id = idea.json()["id"]
        photo = await client.post(f"/api/v1/ideas/{idea_id}/photos", headers=idea_by,
                                  files={"file": ("idea.png", PNG, "image/png")})
        assert photo.status_code == 201, photo.text
        photo_id = photo.json()["id"]
    return Target(round_id, project.json()["id"], staff_id, idea_id=idea_id, photo_id=photo_id)


@pytest.fixture(scope="module")
async def shared(client, callers) -> Target:
    """A target for requests that change nothing."""
    target = await make_target(client, callers["own"][0], idea_by=callers["voter"])
    target.iin = await registered_iin(client, callers)
    target.initiative_id = await initiative_of(client, callers, published=True)
    return target


@pytest.fixture(scope="module")
async def counted(client, callers) -> Target:
    """A target for reading results: closed and counted, not yet published."""
    return await counted_target(client, callers)


async def counted_target(client, callers) -> Target:
    from budgets import closing

    target = await make_target(client, callers["own"][0], with_staff=False, auto_publish=False)
    await cast_one(client, callers, target)
    await closing.close_now("test", target.round_id)
    assert await closing.count_and_store(target.round_id)
    return target


def needs_results(path: str) -> bool:
    return "/results" in path or "/publish" in path


async def target_for(client, callers, shared: Target, counted: Target, method: str, path: str) -> Target:
    """A fresh target for requests that change it; a shared one otherwise; counted for results."""
    if method == "GET":
        return counted if needs_results(path) else shared
    if needs_results(path):
        return await counted_target(client, callers)
    target = await make_target(client, callers["own"][0], with_staff="{staff_id" in path,
                               idea_by=callers["voter"] if needs_idea(path) else None)
    if "{ballot_id" in path:
        target.ballot_id = await cast_one(client, callers, target)
    if path.endswith("/identity/release"):
        target.iin = await registered_iin(client, callers)
    if "{initiative_id" in path:
        target.initiative_id = await initiative_of(client, callers, published=not path.endswith("/moderate"))
    if on_ballot(path):
        await past_ballot_threshold(target.initiative_id)
    return target


def on_ballot(path: str) -> bool:
    return path.endswith("/initiatives/{initiative_id:int}/ballot")


async def past_ballot_threshold(initiative_id: int) -> None:
    """As if the initiative's signatures had passed a ballot threshold of its region."""
    from initiatives.tables import Initiative

    await Initiative.update({Initiative.ballot_threshold: 1, Initiative.signatures: 1}).where(
        Initiative.id == initiative_id)


async def initiative_of(client, callers, published: bool) -> int:
    """A new initiative addressed to OWN by a new resident of OWN: waiting for moderation, or collecting."""
    author = await resident(client, callers["outbox"], OWN)
    filed = await client.post("/api/v1/initiatives", headers=author["headers"], json={
        "region": OWN, "title": "Скамейки во дворе", "text": "Во дворе дома 5 нет ни одной скамейки."})
    assert filed.status_code == 201, filed.text
    number = filed.json()["id"]
    if published:
        answer = await client.post(f"/api/v1/admin/initiatives/{number}/moderate", headers=callers["own"][0],
                                   json={"decision": "publish"})
        assert answer.status_code == 200, answer.text
    return number


async def registered_iin(client, callers) -> str:
    """The IIN of a new resident of OWN."""
    iin = make_iin(date(1990, 1, 1))
    tokens = await sign_in(client, callers["outbox"])
    answer = await client.put("/api/v1/me/residency", json={"iin": iin, "region": OWN},
                              headers=bearer(tokens["access_token"]))
    assert answer.status_code == 200, answer.text
    return iin


async def cast_one(client, callers, target: Target) -> int:
    """Open the target's round and cast one ballot in it; the ballot's id."""
    from budgets.tables import Ballot

    await open_now(target.round_id)
    cast = await client.put(f"/api/v1/rounds/{target.round_id}/ballot", headers=callers["voter"],
                            json={"choices": [{"project_id": target.project_id}]})
    assert cast.status_code == 200, cast.text
    row = await Ballot.select(Ballot.id).where(Ballot.receipt == cast.json()["receipt"]).first()
    return row["id"]


def url(path: str, target: Target) -> str:
    return (path.replace("{round_id:int}", str(target.round_id)).replace("{project_id:int}", str(target.project_id))
            .replace("{staff_id:int}", str(target.staff_id)).replace("{ballot_id:int}", str(target.ballot_id))
            .replace("{idea_id:int}", str(target.idea_id)).replace("{photo_id:int}", str(target.photo_id))
            .replace("{initiative_id:int}", str(target.initiative_id)).replace("{kato:str}", target.region))


def api_body(method: str, path: str, target: Target) -> dict | None:
    if path == "/api/v1/admin/rounds" and method == "POST":
        return round_body(target.region)
    if path.endswith("/projects"):
        return {"title": {"ru": "Площадка"}, "cost": 500_000}
    if method == "PATCH":
        return {"budget": 60_000_000}
    if path.endswith("/ideas/review"):
        return {"ideas": [target.idea_id], "decision": "reject", "reason": {"ru": "Не в полномочиях акимата"}}
    if path.endswith("/review") and needs_idea(path):
        return {"decision": "reject", "reason": {"ru": "Не в полномочиях акимата"}}
    if path.endswith("/review"):
        return {"action": "quarantine", "reason": "Checked: many ballots from one device in one minute."}
    if path.endswith("/identity/release"):
        return {"iin": target.iin, "reason": {"ru": "Проверено: ИИН зарегистрирован по ошибке."}}
    if path == "/api/v1/admin/staff":
        return {"email": f"new{next(_numbers)}@akimat.kz", "password": PASSWORD, "region": target.region,
                "role": "moderator"}
    if path.endswith("/moderate"):
        return {"decision": "publish"}
    if path.endswith("/initiatives/{initiative_id:int}/answer"):
        return {"decision": "accepted", "text": {"ru": "Скамейки поставят этим летом."}}
    if path.endswith("/hearing"):
        return {"hearing_at": "2027-04-10T05:00:00Z"}
    if on_ballot(path):
        return {"round_id": target.round_id, "cost": 1_000_000}
    if path.endswith("/settings") and method == "PUT":
        return {"initiative_threshold": 100, "answer_days": 30}
    return None


def console_form(path: str, target: Target) -> tuple[dict, dict | None]:
    if path == "/console/rounds/new":
        body = round_body(target.region)
        return {"region": target.region, "title_ru": "Бюджет", "budget": "50000000", "rule": "greedy",
                "min_age": "18", "method": "approval", "min_choices": "1", "max_choices": "3",
                "voting_opens_at": body["voting_opens_at"][:16], "voting_closes_at": body["voting_closes_at"][:16],
                "auto_publish": "on"}, None
    if path.endswith("/projects/new") or path.endswith("/edit") and "projects" in path:
        return {"title_ru": "Площадка", "cost": "700000", "region": target.region}, None
    if path.endswith("/photo"):
        return {}, {"photo": ("photo.png", PNG, "image/png")}
    if path.endswith("/ideas/review"):
        return {"idea": str(target.idea_id), "decision": "reject", "reason_ru": "Не в полномочиях акимата"}, None
    if path.endswith("/review") and needs_idea(path):
        return {"decision": "reject", "reason_ru": "Не в полномочиях акимата"}, None
    if path.endswith("/review"):
        return {"action": "quarantine", "reason": "Checked: many ballots from one device in one minute."}, None
    if path == "/console/staff/new":
        return {"email": f"form{next(_numbers)}@akimat.kz", "password": PASSWORD, "region": target.region,
                "role": "moderator", "language": "kk"}, None
    if path.endswith("/moderate"):
        return {"decision": "publish"}, None
    if path.endswith("/initiatives/{initiative_id:int}/answer"):
        return {"decision": "accepted", "text_ru": "Скамейки поставят этим летом."}, None
    if path.endswith("/hearing"):
        return {"hearing_at": "2027-04-10T10:00"}, None
    if on_ballot(path):
        return {"round_id": str(target.round_id), "cost": "1000000"}, None
    if path.endswith("/initiative-settings"):
        return {"initiative_threshold": "100", "answer_days": "30"}, None
    return {}, None


def form_values(page: str) -> dict[str, str]:
    """What a browser sends back from a form unchanged: its inputs, and each select's chosen (else first) option."""
    values = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
    for name, options in re.findall(r'<select[^>]* name="([a-z_]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected', options) or re.findall(r'<option value="([^"]*)"',
                                                                                         options)
        values[name] = chosen[0]
    return values


async def call(client, caller, method: str, path: str, target: Target):
    """One request as `caller`: None (anonymous), a dict of headers (a token), or a console session."""
    address = url(path, target)
    if path.startswith("/api/"):
        headers = caller if isinstance(caller, dict) else {}
        return await client.request(method, address, json=api_body(method, path, target), headers=headers)
    session = caller if isinstance(caller, ConsoleSession) else ConsoleSession(client, {})
    headers = caller if isinstance(caller, dict) else {}
    if method == "GET":
        return await session.get(address, headers=headers)
    if path.endswith("/edit") and "rounds" in path and isinstance(caller, ConsoleSession):
        page = await session.get(address)
        if page.status_code == 200:
            return await session.post(address, form_values(page.text), form_page=address, headers=headers)
    data, files = console_form(path, target)
    return await session.post(address, data, files=files, headers=headers)


@pytest.fixture(scope="module")
async def callers(client, outbox):
    own = await staff_headers(client, "own-admin@akimat.kz", PASSWORD, OWN)
    parent = await staff_headers(client, "parent-admin@akimat.kz", PASSWORD, PARENT)
    sibling = await staff_headers(client, "sibling-admin@akimat.kz", PASSWORD, SIBLING)
    other = await staff_headers(client, "other-admin@akimat.kz", PASSWORD, OTHER)
    person = await resident(client, outbox, OWN)
    return {
        "own": (own, await console_sign_in(client, "own-admin@akimat.kz", PASSWORD)),
        "parent": (parent, await console_sign_in(client, "parent-admin@akimat.kz", PASSWORD)),
        "sibling": (sibling, await console_sign_in(client, "sibling-admin@akimat.kz", PASSWORD)),
        "other": (other, await console_sign_in(client, "other-admin@akimat.kz", PASSWORD)),
        "resident": (person["headers"], person["headers"]),
        "voter": (await resident(client, outbox, OWN))["headers"],
        "outbox": outbox,
    }


def as_caller(pair, path: str):
    api, console = pair
    return api if path.startswith("/api/") else console


STAFF_ROUTES = [r for r in ROUTES if r not in PUBLIC]


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES, ids=[f"{m} {p}" for m, p in STAFF_ROUTES])
async def test_anonymous_and_residents_are_turned_away(client, callers, shared, method, path):
    target = shared
    for caller in (None, callers["resident"][0]):
        answer = await call(client, caller, method, path, target)
        if path.startswith("/api/"):
            assert answer.status_code == 401, (caller, answer.text)
        else:
            assert answer.status_code == 303, (caller, answer.text)
            assert answer.headers["location"].startswith("/console/sign-in")


@pytest.mark.parametrize(("method", "path"), sorted(TARGETED), ids=[f"{m} {p}" for m, p in sorted(TARGETED)])
async def test_region_rule(client, callers, shared, counted, method, path):
    from core.tables import AuditEntry

    for name in ("own", "parent"):
        target = await target_for(client, callers, shared, counted, method, path)
        answer = await call(client, as_caller(callers[name], path), method, path, target)
        assert answer.status_code == success_status(method, path), (name, answer.status_code, answer.text[:500])
        if answer.status_code == 303:
            assert not answer.headers["location"].startswith("/console/sign-in"), name

    # A sibling district shares the city's path up to its own code: only the whole path may decide. Refused
    # callers get a target that an allowed caller could act on, so a 404 cannot stand in for the refusal.
    for name in ("sibling", "other"):
        target = await target_for(client, callers, shared, counted, method, path)
        before = await AuditEntry.count().where(AuditEntry.action == "access.denied")
        answer = await call(client, as_caller(callers[name], path), method, path, target)
        assert answer.status_code in (403, 404), (name, answer.status_code, answer.text[:500])
        assert (answer.status_code != 403
                or await AuditEntry.count().where(AuditEntry.action == "access.denied") > before), name


@pytest.mark.parametrize(("method", "path"), sorted(LISTS), ids=[f"{m} {p}" for m, p in sorted(LISTS)])
async def test_lists_show_only_my_region(client, callers, shared, method, path):
    target = shared
    own = await call(client, as_caller(callers["own"], path), method, path, target)
    assert own.status_code == 200, own.text[:500]
    other = await call(client, as_caller(callers["other"], path), method, path, target)
    if path == "/console/staff/new" or path == "/console/rounds/new":
        assert other.status_code == 200 and OWN not in other.text
        return
    assert other.status_code == 200, other.text[:500]
    for needle in (f"round:{target.round_id}\"", f"/console/rounds/{target.round_id}\"",
                   f"\"{target.round_id}\":", f"target{target.staff_id}@"):
        assert needle not in other.text
    if path == "/api/v1/admin/rounds":
        assert target.round_id not in [r["id"] for r in other.json()]
        assert target.round_id in [r["id"] for r in own.json()]


@pytest.mark.parametrize(("method", "path"), sorted(OWN_ACCOUNT), ids=[f"{m} {p}" for m, p in sorted(OWN_ACCOUNT)])
async def test_own_account_pages_need_a_session(client, callers, shared, method, path):
    # An account of its own: signing out everywhere must not end the matrix's callers.
    email = f"account{next(_numbers)}@akimat.kz"
    token = await staff_headers(client, email, PASSWORD, PARENT)
    session = await console_sign_in(client, email, PASSWORD)
    answer = await call(client, as_caller((token, session), path), method, path, shared)
    assert answer.status_code < 500 and answer.status_code not in (401, 403), answer.text[:500]


async def test_bearer_tokens_do_not_open_the_console(client, callers):
    answer = await client.get("/console", headers=callers["own"][0])
    assert answer.status_code == 303


async def test_superuser_only_from_the_command_line(client, callers):
    api = await client.post("/api/v1/admin/staff", headers=callers["parent"][0], json={
        "email": "root@dauys.kz", "password": PASSWORD, "region": PARENT, "role": "superuser"})
    assert api.status_code == 422
    session = await console_sign_in(client, "parent-admin@akimat.kz", PASSWORD)
    form = await session.post("/console/staff/new", {"email": "root2@dauys.kz", "password": PASSWORD,
                                                     "region": PARENT, "role": "superuser", "language": "ru"})
    assert form.status_code == 422 and "root2@dauys.kz" in form.text


def test_bearer_helper_is_the_api_one():
    assert bearer("x") == {"Authorization": "Bearer x"}
