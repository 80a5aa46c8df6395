"""The resident site without JavaScript, as a cheap phone's browser uses it: plain forms that post and
redirect, through the same services as the API (sign-in codes, residency, the ballot intake, receipts)."""

from __future__ import annotations

import asyncio
from datetime import date

from budgets.closing import advance_rounds
from tests.helpers import new_phone, open_now, photo_bytes, resident, round_with_projects, staff_headers
from tests.integration.site.site_helpers import LANG, Browser, receipt_of, registered, sign_in

REGION = "751110000"  # Almaly district


async def forget_renewal(client, refresh: str) -> None:
    """As if the seconds in which a renewal by `refresh` is shared had passed."""
    from mobile_api.site.deps import _renewal_names

    name, _ = _renewal_names(refresh)
    await client._transport.app.state.store.delete(f"site:renewing:{name}", f"site:renewed:{name}")


async def test_home_signed_out_lists_open_rounds_in_the_visitors_language(client):
    staff = await staff_headers(client, "site-home@almaly.kz", "Site-home-2026", REGION)
    round_id, _ = await round_with_projects(client, staff, [1_000_000], region=REGION)
    await open_now(round_id)
    for language in ("kk", "ru", "en"):
        page = await Browser(client, language).get("/")
        assert page.status_code == 200 and LANG.search(page.text).group(1) == language
        assert f'href="/rounds/{round_id}"' in page.text
    assert "Ашық дауыс беру" in (await Browser(client, "kk").get("/")).text
    browser = Browser(client, "kk")
    switched = await browser.get("/lang/ru?next=/")
    assert switched.status_code == 303 and browser.cookies["dauys_lang"] == "ru"
    assert LANG.search((await browser.get("/")).text).group(1) == "ru"
    # An address elsewhere is never a place to go after switching.
    assert (await browser.get("/lang/en?next=//evil.example")).headers["location"] == "/"


async def test_home_of_a_resident_lists_the_open_rounds_of_their_region(client, outbox):
    staff = await staff_headers(client, "site-region@almaly.kz", "Site-region-2026", REGION)
    almaly, _ = await round_with_projects(client, staff, [1_000_000], region=REGION)
    await open_now(almaly)
    neighbour = await registered(client, outbox, "751210000")  # Alatau district: a sibling of Almaly
    assert f'href="/rounds/{almaly}"' not in (await neighbour.get("/")).text
    # Opened anyway (a shared link), the round says at once that this resident cannot vote in it.
    shown = await neighbour.get(f"/rounds/{almaly}")
    assert shown.status_code == 200 and 'class="vote"' not in shown.text and "disabled" in shown.text
    refused = await neighbour.post(f"/rounds/{almaly}/ballot", {"project": "1"}, f"/rounds/{almaly}")
    assert refused.status_code == 403 and 'class="problem"' in refused.text
    local = await registered(client, outbox, REGION)
    assert f'href="/rounds/{almaly}"' in (await local.get("/")).text


async def test_the_site_stays_out_of_the_api_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert not [p for p in paths if not p.startswith("/api/")]


async def test_the_apis_problem_titles_speak_kazakh_and_russian_when_asked(client):
    titles = {}
    for language in (None, "kk", "ru", "en"):
        headers = {"Accept-Language": language} if language else {}
        answer = await client.get("/api/v1/rounds/999999", headers=headers)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/problem+json")
        titles[language] = answer.json()["title"]
    assert titles == {None: "Not found", "kk": "Табылмады", "ru": "Не найдено", "en": "Not found"}
    malformed = await client.get("/api/v1/rounds/0", headers={"Accept-Language": "kk"})
    assert malformed.status_code == 400 and malformed.json()["title"] == "Сұрау дұрыс құрылмаған"


async def test_vote_change_and_check_a_receipt_then_results_without_javascript(client, outbox):
    staff = await staff_headers(client, "site-flow@almaly.kz", "Site-flow-2026", REGION)
    round_id, projects = await round_with_projects(client, staff, [10_000_000, 20_000_000, 30_000_000],
                                                   region=REGION)
    await open_now(round_id)
    browser = await registered(client, outbox, REGION)

    page = await browser.get(f"/rounds/{round_id}")
    assert page.status_code == 200
    for project in projects:
        assert f'name="project" value="{project}"' in page.text
    assert "10 000 000" in page.text

    voted = await browser.post(f"/rounds/{round_id}/ballot", [("project", str(projects[0])),
                                                              ("project", str(projects[2]))], f"/rounds/{round_id}")
    after = await browser.follow(voted)
    assert after.status_code == 200 and after.headers["cache-control"] == "no-store"
    first = receipt_of(after.text)
    mine = await client.get(f"/api/v1/receipts/{first}")
    assert mine.json()["status"] == "counted" and mine.json()["round_id"] == round_id

    again = await browser.post(f"/rounds/{round_id}/ballot", [("project", str(projects[1]))], f"/rounds/{round_id}")
    second = receipt_of((await browser.follow(again)).text)
    assert second != first
    old = await browser.get(f"/receipts/{first}")
    assert old.status_code == 200 and 'data-status="superseded"' in old.text
    new = await browser.get(f"/receipts/{second}")
    assert 'data-status="counted"' in new.text
    assert (await browser.get(f"/receipts?receipt={second}")).headers["location"] == f"/receipts/{second}"
    assert (await browser.get("/receipts/not-a-receipt")).status_code == 404
    # The round page remembers the ballot: the project chosen last is ticked.
    shown = (await browser.get(f"/rounds/{round_id}")).text
    assert f'value="{projects[1]}" data-cost="20000000"\n               checked' in shown

    not_yet = await browser.get(f"/rounds/{round_id}/results")
    assert not_yet.status_code == 200 and "data-receipt" not in not_yet.text
    assert (await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)).status_code == 200
    await advance_rounds(60)
    results = await browser.get(f"/rounds/{round_id}/results")
    assert results.status_code == 200
    assert f"/api/v1/rounds/{round_id}/results.pb" in results.text and 'class="bar"' in results.text
    late = await browser.post(f"/rounds/{round_id}/ballot", [("project", str(projects[0]))], f"/rounds/{round_id}")
    assert late.status_code in (409, 422) and "problem" in late.text


async def test_knapsack_and_points_ballots_through_the_form(client, outbox):
    staff = await staff_headers(client, "site-methods@almaly.kz", "Site-methods-2026", REGION)
    knapsack, (a, b, c) = await round_with_projects(
        client, staff, [10_000_000, 20_000_000, 30_000_000], region=REGION,
        vote={"method": "knapsack", "max_cost": 35_000_000})
    points, (p, q) = await round_with_projects(client, staff, [5_000_000, 6_000_000], region=REGION,
                                               vote={"method": "points", "points_total": 10})
    await open_now(knapsack)
    await open_now(points)
    browser = await registered(client, outbox, REGION, language="ru")

    too_much = await browser.post(f"/rounds/{knapsack}/ballot", [("project", str(b)), ("project", str(c))],
                                  f"/rounds/{knapsack}")
    assert too_much.status_code == 422 and 'class="problem"' in too_much.text
    fits = await browser.post(f"/rounds/{knapsack}/ballot", [("project", str(a)), ("project", str(b))],
                              f"/rounds/{knapsack}")
    assert fits.status_code == 303
    not_a_project = await browser.post(f"/rounds/{knapsack}/ballot", [("project", "abc")], f"/rounds/{knapsack}")
    assert not_a_project.status_code == 422 and 'class="problem"' in not_a_project.text
    elsewhere = await browser.post(f"/rounds/{knapsack}/ballot", [("project", "2147483647")], f"/rounds/{knapsack}")
    assert elsewhere.status_code == 422
    page = (await browser.get(f"/rounds/{points}")).text
    assert f'data-project="{p}"' in page and f'data-project="{q}"' in page
    short = await browser.post(f"/rounds/{points}/ballot", [("points_for", str(p)), ("project", "3"),
                                                            ("points_for", str(q)), ("project", "")],
                               f"/rounds/{points}")
    assert short.status_code == 422
    assert f'data-project="{p}" min="0"\n               max="10" inputmode="numeric" value="3"' in short.text
    spread = await browser.post(f"/rounds/{points}/ballot", [("points_for", str(p)), ("project", "4"),
                                                             ("points_for", str(q)), ("project", "6")],
                                f"/rounds/{points}")
    mine = await client.get(f"/api/v1/receipts/{receipt_of((await browser.follow(spread)).text)}")
    assert mine.json()["status"] == "counted"


async def test_bad_input_is_a_message_on_the_form_never_a_server_error(client, outbox):
    browser = Browser(client, "kk")
    not_a_phone = await browser.post("/signin", {"phone": "12345"}, "/signin")
    assert not_a_phone.status_code == 422 and 'class="problem"' in not_a_phone.text
    assert LANG.search(not_a_phone.text).group(1) == "kk"

    phone = new_phone()
    sent = await browser.post("/signin", {"phone": phone}, "/signin")
    assert sent.status_code == 200
    from tests.integration.site.site_helpers import csrf_of

    wrong = await browser._send("POST", "/signin", data={"phone": phone, "code": "000000",
                                                         "_csrf_token": csrf_of(sent.text)})
    assert wrong.status_code == 401 and 'aria-invalid="true"' in wrong.text and 'name="code"' in wrong.text
    empty = await browser._send("POST", "/signin", data={"phone": phone, "code": "", "step": "code",
                                                         "_csrf_token": csrf_of(sent.text)})
    assert empty.status_code == 422 and 'id="code-error"' in empty.text

    answer = await sign_in(browser, outbox)
    assert answer.headers["location"].startswith("/signin/residency")
    bad_iin = await browser.post("/signin/residency", {"iin": "123456789012", "region": REGION}, "/signin/residency")
    assert bad_iin.status_code == 422 and 'id="iin-error"' in bad_iin.text
    letters = await browser.post("/signin/residency", {"iin": "abc", "region": REGION}, "/signin/residency")
    assert letters.status_code == 422 and 'id="iin-error"' in letters.text
    from tests.helpers import make_iin

    no_region = await browser.post("/signin/residency", {"iin": make_iin(date(1991, 1, 2)), "region": "000000000"},
                                   "/signin/residency")
    assert no_region.status_code == 422 and 'id="region-error"' in no_region.text

    # A form without its CSRF token is refused with a page, not a 500.
    forged = await browser._send("POST", "/signout", data={})
    assert forged.status_code == 403 and LANG.search(forged.text)
    missing = await browser.get("/rounds/999999")
    assert missing.status_code == 404 and LANG.search(missing.text).group(1) == "kk"
    for address in ("/rounds/0", "/rounds/99999999999", "/projects/0", "/receipts/" + "x" * 500):
        odd = await browser.get(address)
        assert 400 <= odd.status_code < 500 and LANG.search(odd.text), (address, odd.status_code)
    assert (await browser.get("/lang/xx?next=/")).status_code == 303
    # A signed-out visitor is sent to sign in before a ballot is taken.
    stranger = Browser(client)
    ballot = await stranger._send("POST", "/rounds/1/ballot", data={"project": "1"})
    assert ballot.status_code == 403


async def test_sign_out_forgets_the_tokens_and_the_api_is_untouched_by_csrf(client, outbox):
    browser = await registered(client, outbox, REGION)
    assert "dauys_resident" in browser.cookies
    home = await browser.get("/")
    assert 'action="/signout"' in home.text
    # Signing out also ends the sign-in: a copy of the refresh cookie renews nothing afterwards.
    copied = dict(browser.cookies)
    out = await browser.post("/signout", {}, "/")
    assert out.status_code == 303 and "dauys_resident" not in browser.cookies
    assert 'action="/signout"' not in (await browser.get("/")).text
    thief = Browser(client)
    thief.cookies = {**copied, "dauys_resident": "expired"}
    assert 'action="/signout"' not in (await thief.get("/")).text
    # The JSON API takes no cookies and no CSRF field.
    assert (await client.post("/api/v1/auth/otp", json={"phone": new_phone()})).status_code == 202


async def test_project_page_offers_a_vote_while_its_round_is_open(client):
    staff = await staff_headers(client, "site-project@almaly.kz", "Site-project-2026", REGION)
    round_id, (project,) = await round_with_projects(client, staff, [12_500_000], region=REGION)
    before = await Browser(client, "kk").get(f"/projects/{project}")
    assert before.status_code == 200 and "12 500 000" in before.text and f"#project-{project}" not in before.text
    await open_now(round_id)
    during = await Browser(client, "kk").get(f"/projects/{project}")
    assert f'href="/rounds/{round_id}#project-{project}"' in during.text


async def test_manifest_service_worker_and_weight_of_the_home_page(client):
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json()["icons"]
    for icon in manifest.json()["icons"]:
        assert (await client.get(icon["src"])).status_code == 200
    worker = await client.get("/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.headers["content-type"]
    assert 'request.method !== "GET"' in worker.text
    home = await client.get("/")
    weight = len(home.content)
    for asset in ("/site/static/site.css", "/site/static/site.js", "/site/static/icon.svg", "/manifest.webmanifest"):
        weight += len((await client.get(asset)).content)
    assert weight < 200 * 1024


async def test_tokens_live_in_http_only_lax_cookies_and_an_expired_access_token_is_renewed(client, outbox):
    browser = Browser(client, "ru")
    answer = await sign_in(browser, outbox)
    cookies = {header.split("=", 1)[0]: header for header in answer.headers.get_list("set-cookie")}
    for name in ("dauys_resident", "dauys_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=lax" in cookies[name] and "Path=/" in cookies[name]
        # Secure in production only: the tests speak plain HTTP.
        assert "Secure" not in cookies[name]
    refresh = browser.cookies["dauys_refresh"]
    # An access token that no longer verifies (expired, or from another key) is renewed with the refresh token.
    browser.cookies["dauys_resident"] = "not-a-token"
    page = await browser.get("/signin/residency")
    assert page.status_code == 200 and 'name="iin"' in page.text
    assert browser.cookies["dauys_refresh"] != refresh and browser.cookies["dauys_resident"] != "not-a-token"
    # Two pages opened at once with the same expired access token share one renewal: both stay signed in,
    # with the same new tokens, and the sign-in is not taken for a replay.
    renewed = browser.cookies["dauys_refresh"]
    tabs = [Browser(client, "ru"), Browser(client, "ru")]
    for tab in tabs:
        tab.cookies = {"dauys_resident": "expired", "dauys_refresh": renewed}
    pages = await asyncio.gather(*(tab.get("/signin/residency") for tab in tabs))
    assert [page.status_code for page in pages] == [200, 200]
    assert tabs[0].cookies["dauys_refresh"] == tabs[1].cookies["dauys_refresh"] != renewed
    later = Browser(client, "ru")
    later.cookies = {"dauys_resident": "expired", "dauys_refresh": tabs[0].cookies["dauys_refresh"]}
    assert (await later.get("/signin/residency")).status_code == 200
    # A refresh token works once: presented again later, it ends that sign-in, and the visitor is signed out.
    await forget_renewal(client, refresh)
    stolen = Browser(client, "ru")
    stolen.cookies = {"dauys_resident": "x", "dauys_refresh": refresh}
    assert (await stolen.get("/signin/residency")).headers["location"] == "/signin"
    assert "dauys_refresh" not in stolen.cookies


async def test_a_projects_photo_shows_on_the_round_and_the_project_page(client):
    from admin.photos import save_photo
    from infra.storage import make_storage

    staff = await staff_headers(client, "site-photo@almaly.kz", "Site-photo-2026", REGION)
    round_id, (with_photo, without) = await round_with_projects(client, staff, [1_000_000, 2_000_000], region=REGION)
    stored = await save_photo(make_storage(), "test", with_photo, "750000000/751110000/",
                              photo_bytes())
    png = await make_storage().get(stored["key"])
    page = (await Browser(client).get(f"/rounds/{round_id}")).text
    assert f'src="/projects/{with_photo}/photo"' in page and f'src="/projects/{without}/photo"' not in page
    assert f'src="/projects/{with_photo}/photo"' in (await Browser(client).get(f"/projects/{with_photo}")).text
    photo = await client.get(f"/projects/{with_photo}/photo")
    assert photo.status_code == 200 and photo.content == png and photo.headers["content-type"] == "image/png"
    assert (await client.get(f"/projects/{without}/photo")).status_code == 404


async def test_my_ballots_lists_each_round_i_voted_in_with_its_receipt(client, outbox):
    staff = await staff_headers(client, "site-my-ballots@almaly.kz", "Site-ballots-2026", REGION)
    first, (a, _) = await round_with_projects(client, staff, [1_000_000, 2_000_000], region=REGION)
    second, (c,) = await round_with_projects(client, staff, [3_000_000], region=REGION)
    for round_id in (first, second):
        await open_now(round_id)
    assert (await Browser(client).get("/me/ballots")).headers["location"] == "/signin?next=/me/ballots"
    browser = await registered(client, outbox, REGION)
    receipts = {}
    for round_id, project in ((first, a), (second, c)):
        voted = await browser.post(f"/rounds/{round_id}/ballot", [("project", str(project))], f"/rounds/{round_id}")
        receipts[round_id] = receipt_of((await browser.follow(voted)).text)
    other = await registered(client, outbox, REGION)
    await other.post(f"/rounds/{first}/ballot", [("project", str(a))], f"/rounds/{first}")

    page = (await browser.get("/me/ballots")).text
    assert page.index(f'id="round-{second}"') < page.index(f'id="round-{first}"')
    assert page.count("data-receipt=") == 2
    assert f'data-receipt="{receipts[first]}"' in page and f'data-receipt="{receipts[second]}"' in page


async def test_the_api_lists_my_ballots_and_no_one_elses(client, outbox):
    staff = await staff_headers(client, "api-my-ballots@almaly.kz", "Site-ballots-2026", REGION)
    round_id, (a,) = await round_with_projects(client, staff, [1_000_000], region=REGION)
    await open_now(round_id)
    me, other = await resident(client, outbox, REGION), await resident(client, outbox, REGION)
    assert (await client.get("/api/v1/me/ballots", headers=me["headers"])).json() == []
    cast = await client.put(f"/api/v1/rounds/{round_id}/ballot", headers=me["headers"],
                            json={"choices": [{"project_id": a}]})
    await client.put(f"/api/v1/rounds/{round_id}/ballot", headers=other["headers"],
                     json={"choices": [{"project_id": a}]})
    mine = (await client.get("/api/v1/me/ballots", headers=me["headers"])).json()
    assert [(b["round_id"], b["round_status"], b["ballot"]["receipt"]) for b in mine] == [
        (round_id, "voting", cast.json()["receipt"])]
    assert (await client.get("/api/v1/me/ballots")).status_code == 401
