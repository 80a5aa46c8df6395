"""Ballot and round rules over HTTP: every refusal is a problem document and changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from budgets.tables import Ballot
from tests.helpers import bearer, open_now, resident, round_body, round_with_projects, sign_in, staff_headers

ALMATY, ALMALY, ALATAU, ASTANA = "750000000", "751110000", "751210000", "710000000"


@pytest.fixture
async def staff(client):
    return await staff_headers(client, "rules@almaty.kz", "Rules-pass-2026", ALMATY)


async def audit_log(client, headers) -> list[dict]:
    items, cursor = [], None
    while True:
        page = (await client.get("/api/v1/admin/audit", params={"cursor": cursor} if cursor else {},
                                 headers=headers)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


async def ballots_in(round_id: int) -> int:
    return await Ballot.count().where(Ballot.round == round_id)


async def test_knapsack_and_points_ballots(client, outbox, staff):
    knapsack, (a, b, c) = await round_with_projects(
        client, staff, [30, 40, 50], region=ALMALY, budget=100, vote={"method": "knapsack", "max_cost": 80}
    )
    points, (x, y, _) = await round_with_projects(
        client, staff, [30, 40, 50], region=ALMALY, budget=100,
        vote={"method": "points", "min_choices": 1, "max_choices": 3, "points_total": 10},
    )
    await open_now(knapsack)
    await open_now(points)
    voter = await resident(client, outbox)
    over = await client.put(f"/api/v1/rounds/{knapsack}/ballot",
                            json={"choices": [{"project_id": b}, {"project_id": c}]}, headers=voter["headers"])
    assert over.status_code == 422 and "80" in over.json()["detail"]
    fits = await client.put(f"/api/v1/rounds/{knapsack}/ballot",
                            json={"choices": [{"project_id": a}, {"project_id": b}]}, headers=voter["headers"])
    assert fits.status_code == 200
    short = await client.put(f"/api/v1/rounds/{points}/ballot",
                             json={"choices": [{"project_id": x, "points": 4}, {"project_id": y, "points": 5}]},
                             headers=voter["headers"])
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "choices"
    exact = await client.put(f"/api/v1/rounds/{points}/ballot",
                             json={"choices": [{"project_id": x, "points": 4}, {"project_id": y, "points": 6}]},
                             headers=voter["headers"])
    assert exact.status_code == 200
    mine = await client.get(f"/api/v1/rounds/{points}/ballot", headers=voter["headers"])
    assert mine.json()["choices"] == [{"project_id": x, "points": 4}, {"project_id": y, "points": 6}]


async def test_refused_ballots_change_nothing(client, outbox, staff):
    round_id, (p1, p2, p3, p4) = await round_with_projects(client, staff, [1, 2, 3, 4], region=ALMALY)
    voter = await resident(client, outbox)
    url = f"/api/v1/rounds/{round_id}/ballot"
    before_opening = await client.put(url, json={"choices": [{"project_id": p1}]}, headers=voter["headers"])
    assert before_opening.status_code == 409
    await open_now(round_id)
    cases = [
        ({"choices": []}, 422),
        ({"choices": [{"project_id": p} for p in (p1, p2, p3, p4)]}, 422),
        ({"choices": [{"project_id": 999999}]}, 422),
        ({"choices": [{"project_id": p1}, {"project_id": p1}]}, 422),
        ({"choices": [{"project_id": p1, "points": 1}]}, 422),
        ({"choices": [{"project_id": "one"}]}, 400),
        ({"choices": "all"}, 400),
        ({}, 400),
        ({"choices": [{"project_id": p1, "colour": "red"}]}, 400),
    ]
    for body, status in cases:
        answer = await client.put(url, json=body, headers=voter["headers"])
        assert answer.status_code == status, (body, answer.text)
        problem = answer.json()
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == status and problem["title"] and problem["detail"]
    malformed = await client.put(url, content=b"{not json", headers={**voter["headers"],
                                                                     "content-type": "application/json"})
    assert malformed.status_code == 400
    huge = await client.put(url, content=b'{"choices": [' + b" " * 70_000 + b"]}",
                            headers={**voter["headers"], "content-type": "application/json"})
    assert huge.status_code == 413
    assert await ballots_in(round_id) == 0
    assert (await client.put("/api/v1/rounds/999999/ballot", json={"choices": [{"project_id": p1}]},
                             headers=voter["headers"])).status_code == 404


async def test_idempotency_key_returns_the_first_answer(client, outbox, staff):
    round_id, (p1, p2) = await round_with_projects(client, staff, [1, 2], region=ALMALY)
    await open_now(round_id)
    voter = await resident(client, outbox)
    url = f"/api/v1/rounds/{round_id}/ballot"
    headers = {**voter["headers"], "Idempotency-Key": "retry-123"}
    first = await client.put(url, json={"choices": [{"project_id": p1}]}, headers=headers)
    again = await client.put(url, json={"choices": [{"project_id": p1}]}, headers=headers)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = await client.put(url, json={"choices": [{"project_id": p2}]}, headers=voter["headers"])
    assert other.json()["revision"] == 2
    assert await ballots_in(round_id) == 2


async def test_a_round_freezes_when_voting_opens_and_when_ballots_exist(client, outbox, staff):
    round_id, (p1,) = await round_with_projects(client, staff, [10], region=ALMALY)
    url = f"/api/v1/admin/rounds/{round_id}"
    relaxed = await client.patch(url, json={"vote": {"method": "approval", "min_choices": 1, "max_choices": 1}},
                                 headers=staff)
    assert relaxed.status_code == 200 and relaxed.json()["vote"]["max_choices"] == 1
    await open_now(round_id)
    late_project = await client.post(f"{url}/projects", json={"title": {"ru": "Поздно"}, "cost": 5}, headers=staff)
    assert late_project.status_code == 409
    assert (await client.patch(url, json={"budget": 1}, headers=staff)).status_code == 409
    voter = await resident(client, outbox)
    await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p1}]},
                     headers=voter["headers"])
    frozen = await client.patch(url, json={"vote": {"method": "approval", "max_choices": 2}}, headers=staff)
    assert frozen.status_code == 409
    longer = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    assert (await client.patch(url, json={"voting_closes_at": longer}, headers=staff)).status_code == 200


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"rule": "dictator"}, "rule"),
        ({"budget": 0}, "budget"),
        ({"vote": {"method": "approval", "min_choices": 3, "max_choices": 1}}, "vote.min_choices"),
        ({"voting_closes_at": "2020-01-01T00:00:00Z", "voting_opens_at": "2019-01-01T00:00:00Z"},
         "voting_closes_at"),
        ({"voting_opens_at": "2030-01-02T00:00:00Z", "voting_closes_at": "2030-01-01T00:00:00Z"},
         "voting_closes_at"),
        ({"voting_opens_at": "2030-01-01T00:00:00"}, "voting_opens_at"),
        ({"title": {"en": "English only"}}, "title"),
        ({"title": {"fr": "Budget"}}, "title"),
        ({"min_age": 5}, "min_age"),
    ],
)
async def test_rounds_that_break_rules_are_refused(client, staff, overrides, field):
    answer = await client.post("/api/v1/admin/rounds", json=round_body(region=ALMALY, **overrides), headers=staff)
    assert answer.status_code == 422, answer.text
    assert field in [e["field"] for e in answer.json()["errors"]]


async def test_staff_act_only_in_their_region(client, outbox):
    district = await staff_headers(client, "almaly@test.kz", "Almaly-pass-2026", ALMALY)
    city = await staff_headers(client, "city@test.kz", "City-pass-2026", ALMATY)
    astana = await staff_headers(client, "astana@test.kz", "Astana-pass-2026", ASTANA)
    outside = await client.post("/api/v1/admin/rounds", json=round_body(region=ALMATY), headers=district)
    assert outside.status_code == 403
    round_id, _ = await round_with_projects(client, district, [5], region=ALMALY)
    assert (await client.get(f"/api/v1/admin/rounds/{round_id}", headers=city)).status_code == 200
    for method, path in [("GET", ""), ("POST", "/close"), ("POST", "/publish"), ("GET", "/results")]:
        answer = await client.request(method, f"/api/v1/admin/rounds/{round_id}{path}", headers=astana)
        assert answer.status_code == 403, (path, answer.text)
    project = await client.post(f"/api/v1/admin/rounds/{round_id}/projects",
                                json={"title": {"ru": "Чужой"}, "cost": 1}, headers=astana)
    assert project.status_code == 403
    wrong_region = await client.post(f"/api/v1/admin/rounds/{round_id}/projects",
                                     json={"title": {"ru": "Не там"}, "cost": 1, "region": "751310000"},
                                     headers=district)
    assert wrong_region.status_code == 422
    assert all(item["target"] != f"round:{round_id}" for item in await audit_log(client, astana))
    mine = await audit_log(client, district)
    assert any(item["target"] == f"round:{round_id}" and item["action"] == "round.create" for item in mine)


async def test_close_is_idempotent_and_stops_voting(client, outbox, staff):
    round_id, (p1,) = await round_with_projects(client, staff, [5], region=ALMALY)
    await open_now(round_id)
    first = await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    second = await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    assert first.status_code == second.status_code == 200
    assert first.json()["voting_closes_at"] == second.json()["voting_closes_at"]
    voter = await resident(client, outbox)
    late = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p1}]},
                            headers=voter["headers"])
    assert late.status_code == 409


async def test_public_reads(client, staff):
    round_id, (p1,) = await round_with_projects(client, staff, [5], region=ALMALY)
    regions = (await client.get("/api/v1/regions", headers={"Accept-Language": "kk"})).json()
    almaty = next(r for r in regions if r["kato"] == ALMATY)
    assert almaty["parent"] is None and almaty["population"] > 1_000_000 and almaty["name"] == "Алматы"
    kazakh = (await client.get(f"/api/v1/rounds/{round_id}/projects", headers={"Accept-Language": "kk"})).json()
    english = (await client.get(f"/api/v1/rounds/{round_id}/projects", headers={"Accept-Language": "en"})).json()
    assert kazakh[0]["title"] == "Жоба 1" and english[0]["title"] == "Проект 1"  # en falls back to ru
    svg = await client.get(f"/api/v1/projects/{p1}/qr.svg")
    png = await client.get(f"/api/v1/projects/{p1}/qr.png")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    page = await client.get(f"/projects/{p1}", headers={"Accept-Language": "kk"})
    assert page.status_code == 200 and "Жоба 1" in page.text
    assert (await client.get("/api/v1/projects/999999/qr.svg")).status_code == 404
    assert (await client.get("/api/v1/health")).json() == {"status": "ok"}
    assert (await client.get("/api/v1/ready")).status_code == 200
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/rounds/{round_id}/ballot" in schema["paths"]
    docs = await client.get("/schema")
    assert docs.status_code == 200 and "/static/swagger-ui/" in docs.text and "cdn" not in docs.text.lower()
    asset = await client.get("/static/swagger-ui/javascripts/swagger-ui-bundle.js")
    assert asset.status_code == 200


async def test_concurrent_changes_by_one_voter_leave_exactly_one_counted_ballot(client, outbox, staff):
    import asyncio

    round_id, (p1, p2) = await round_with_projects(client, staff, [1, 2], region=ALMALY)
    await open_now(round_id)
    voter = await resident(client, outbox)
    url = f"/api/v1/rounds/{round_id}/ballot"
    answers = await asyncio.gather(*[
        client.put(url, json={"choices": [{"project_id": (p1, p2)[n % 2]}]}, headers=voter["headers"])
        for n in range(8)
    ])
    assert [a.status_code for a in answers] == [200] * 8
    assert sorted(a.json()["revision"] for a in answers) == list(range(1, 9))
    rows = await Ballot.select(Ballot.status, Ballot.receipt).where(Ballot.round == round_id)
    assert [r["status"] for r in rows].count("counted") == 1
    last = max(answers, key=lambda a: a.json()["revision"]).json()["receipt"]
    assert next(r for r in rows if r["status"] == "counted")["receipt"] == last


async def test_many_voters_at_once_each_get_their_own_ballot(client, outbox, staff):
    """At the peak, casts travel together (one statement on PostgreSQL): each answer is still its own."""
    import asyncio

    round_id, (p1, p2) = await round_with_projects(client, staff, [1, 2], region=ALMALY)
    await open_now(round_id)
    voters = [await resident(client, outbox) for _ in range(12)]
    url = f"/api/v1/rounds/{round_id}/ballot"
    first = await asyncio.gather(*[
        client.put(url, json={"choices": [{"project_id": p1}]}, headers=v["headers"]) for v in voters
    ])
    assert [a.status_code for a in first] == [200] * 12
    assert {a.json()["revision"] for a in first} == {1}
    assert len({a.json()["receipt"] for a in first}) == 12

    # Each voter changes their mind; half of them send the change twice with one Idempotency-Key, at once.
    def change(n: int, voter: dict):
        headers = {**voter["headers"], "Idempotency-Key": f"change-{n}"} if n % 2 else voter["headers"]
        return client.put(url, json={"choices": [{"project_id": p2}]}, headers=headers)

    second = await asyncio.gather(*[change(n, v) for n, v in enumerate(voters)],
                                  *[change(n, v) for n, v in enumerate(voters) if n % 2])
    assert [a.status_code for a in second] == [200] * 18
    changes, repeats = second[:12], second[12:]
    assert {a.json()["revision"] for a in changes} == {2}
    assert [a.json() for a in repeats] == [a.json() for n, a in enumerate(changes) if n % 2]

    rows = await Ballot.select(Ballot.status, Ballot.receipt, Ballot.choices).where(Ballot.round == round_id)
    counted = {r["receipt"] for r in rows if r["status"] == "counted"}
    assert counted == {a.json()["receipt"] for a in changes}
    assert sorted(r["status"] for r in rows) == ["counted"] * 12 + ["superseded"] * 12
    for answer in first:
        receipt = (await client.get(f"/api/v1/receipts/{answer.json()['receipt']}")).json()
        assert receipt["status"] == "superseded"


async def test_refusals_in_a_crowd_belong_to_their_own_ballots(client, outbox, staff):
    """Ballots that arrive together travel together; one that cannot count never holds up the others."""
    import asyncio

    round_id, (p1, p2) = await round_with_projects(client, staff, [1, 2], region=ALMALY)
    await open_now(round_id)
    voters = [await resident(client, outbox) for _ in range(6)]
    unregistered = bearer((await sign_in(client, outbox))["access_token"])
    elsewhere = (await resident(client, outbox, region=ASTANA))["headers"]
    url = f"/api/v1/rounds/{round_id}/ballot"
    good = {"choices": [{"project_id": p1}, {"project_id": p2}]}
    answers = await asyncio.gather(
        *[client.put(url, json=good, headers=v["headers"]) for v in voters[:3]],
        client.put(url, json=good, headers=unregistered),
        client.put(url, json={"choices": [{"project_id": 10**9}]}, headers=voters[3]["headers"]),
        client.put(url, json=good, headers=elsewhere),
        *[client.put(url, json=good, headers=v["headers"]) for v in voters[4:]],
    )
    assert [a.status_code for a in answers] == [200, 200, 200, 403, 422, 403, 200, 200]
    assert "residency" in answers[3].json()["detail"]
    assert "registered in Astana then" in answers[5].json()["detail"]
    counted = await Ballot.count().where((Ballot.round == round_id) & (Ballot.status == "counted"))
    assert counted == 5


def _probes_only(plan: str) -> None:
    """Every read of a table is an index probe; a ballot is found by voter or by id, never by round alone."""
    assert "Seq Scan" not in plan and "Hash" not in plan and "Merge" not in plan, plan
    lines = plan.splitlines()
    for number, line in enumerate(lines):
        if "Index Scan" in line and " on ballot" in line:
            condition = lines[number + 1]
            assert "Index Cond" in condition, plan
            assert "voter" in condition or "id = " in condition, plan


@pytest.mark.postgres
async def test_the_ballot_paths_plans_probe_by_index_from_an_empty_table_to_a_full_one(client):
    """Generic plans made on an empty ballot table, or on a large one, never scan a round or a table."""
    import asyncpg

    from budgets.casting import CAST_STATEMENT
    from core.residents import RESIDENTS_BY_ID
    from infra import database

    assert [row[0] for row in await database.fetch("SELECT current_setting('plan_cache_mode') "
                                                  "UNION ALL SELECT current_setting('enable_seqscan')")] == [
        "force_generic_plan", "off"]
    # Empty copies of the tables, with the same indexes and no statistics, in a schema of their own.
    admin = await asyncpg.connect(database.engine().config["dsn"])
    await admin.execute("DROP SCHEMA IF EXISTS plan_check CASCADE; CREATE SCHEMA plan_check")
    for table in ("round", "ballot", "resident"):
        await admin.execute(f"CREATE TABLE plan_check.{table} (LIKE public.{table} INCLUDING ALL)")
    cast_args = ("ARRAY['v1','v2'], ARRAY['r1','r2'], ARRAY['[]','[]'], ARRAY['k1',NULL], "
                 "ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::text[], 1")

    async def plans() -> list[str]:
        connection = await asyncpg.connect(database.engine().config["dsn"], server_settings={
            **database.BALLOT_PATH_SETTINGS, "search_path": "plan_check"})
        try:
            await connection.execute(f"PREPARE cast_ballots AS {CAST_STATEMENT}")
            await connection.execute(f"PREPARE residents AS {RESIDENTS_BY_ID}")
            async with connection.transaction():
                return ["\n".join(row[0] for row in await connection.fetch(f"EXPLAIN EXECUTE {statement}"))
                        for statement in (f"cast_ballots({cast_args})", "residents(ARRAY[1, 2])")]
        finally:
            await connection.close()

    try:
        for plan in await plans():
            _probes_only(plan)
        await admin.execute(
            "INSERT INTO plan_check.ballot (round, voter, revision, receipt, choices, cast_at, status, channel) "
            "SELECT 1, 'grown-' || n, 1, 'grown-' || n, '[[1, 0]]', now(), 'counted', 'mobile' "
            "FROM generate_series(1, 20000) AS n; ANALYZE plan_check.ballot")
        for plan in await plans():
            _probes_only(plan)
    finally:
        await admin.execute("DROP SCHEMA plan_check CASCADE")
        await admin.close()


async def test_a_deadline_passed_refuses_ballots_while_the_row_still_says_voting(client, outbox, staff):
    """The scheduler has not closed the round yet: the clock, not the status, ends voting, with no grace."""
    from budgets import casting
    from budgets.ballots import Choice
    from budgets.tables import Round
    from infra.errors import Conflict

    round_id, (p1,) = await round_with_projects(client, staff, [5], region=ALMALY)
    await open_now(round_id)
    voter = await resident(client, outbox)
    # Prepared while voting is open, as a ballot waiting in a batch at the deadline is.
    waiting = await casting.prepare(round_id, casting.Voter("deadline-voter", ALMALY, date(1990, 1, 1)),
                                    [Choice(p1)], None)
    # A minute late: well inside any grace period someone might add.
    await Round.update({Round.status: "voting",
                        Round.voting_closes_at: datetime.now(UTC) - timedelta(minutes=1)}).where(Round.id == round_id)

    late = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p1}]},
                            headers=voter["headers"])
    assert late.status_code == 409, late.text
    assert "has closed" in late.json()["detail"]
    # The statement that stores the ballot decides by the database's clock on its own.
    (outcome,) = await casting.store([waiting])
    with pytest.raises(Conflict):
        if isinstance(outcome, BaseException):
            raise outcome
        await casting.settle(outcome)
    assert (await Round.select(Round.status).where(Round.id == round_id).first())["status"] == "voting"
    assert await ballots_in(round_id) == 0


async def test_residents_of_a_sibling_district_cannot_vote(client, outbox, staff):
    round_id, (p1,) = await round_with_projects(client, staff, [5], region=ALMALY)
    await open_now(round_id)
    neighbour = await resident(client, outbox, region=ALATAU)
    refused = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p1}]},
                               headers=neighbour["headers"])
    assert refused.status_code == 403, refused.text
    assert await ballots_in(round_id) == 0


async def test_one_idempotency_key_sent_by_two_voters_casts_two_ballots(client, outbox, staff):
    """Keys are chosen by apps, so two phones may well send the same one: it must not merge their ballots."""
    round_id, (p1, p2) = await round_with_projects(client, staff, [1, 2], region=ALMALY)
    await open_now(round_id)
    url = f"/api/v1/rounds/{round_id}/ballot"
    first_voter, second_voter = await resident(client, outbox), await resident(client, outbox)
    first = await client.put(url, json={"choices": [{"project_id": p1}]},
                             headers={**first_voter["headers"], "Idempotency-Key": "ballot-1"})
    second = await client.put(url, json={"choices": [{"project_id": p2}]},
                              headers={**second_voter["headers"], "Idempotency-Key": "ballot-1"})
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert second.json()["receipt"] != first.json()["receipt"]
    assert await Ballot.count().where((Ballot.round == round_id) & (Ballot.status == "counted")) == 2
    mine = await client.get(url, headers=second_voter["headers"])
    assert [choice["project_id"] for choice in mine.json()["choices"]] == [p2]
    assert mine.json()["receipt"] == second.json()["receipt"]


async def test_vote_rules_freeze_once_ballots_exist_even_before_voting_opens(client, outbox, staff):
    """The 'voting has opened' check answers first while voting runs; this state leaves only the freeze.

    A round whose opening was moved later after ballots came in (say, by an operator in the database) is a
    draft again by the clock, yet its ballots were cast under the old rules.
    """
    from budgets.tables import Round

    round_id, (p1,) = await round_with_projects(client, staff, [5], region=ALMALY)
    await open_now(round_id)
    voter = await resident(client, outbox)
    cast = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p1}]},
                            headers=voter["headers"])
    assert cast.status_code == 200, cast.text
    await Round.update({Round.voting_opens_at: datetime.now(UTC) + timedelta(hours=1)}).where(Round.id == round_id)
    url = f"/api/v1/admin/rounds/{round_id}"
    assert (await client.get(url, headers=staff)).json()["status"] == "draft"

    frozen = await client.patch(url, json={"vote": {"method": "approval", "min_choices": 1, "max_choices": 1}},
                                headers=staff)
    assert frozen.status_code == 409, frozen.text
    assert "Ballots have been cast" in frozen.json()["detail"]
    # Everything else of a draft still changes: only the vote rules are frozen by the ballots.
    assert (await client.patch(url, json={"budget": 60_000_000}, headers=staff)).status_code == 200
    assert (await client.get(url, headers=staff)).json()["vote"]["max_choices"] == 3
