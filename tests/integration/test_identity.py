"""One person, one counted ballot: the attacks a probe found on identity and residency, as tests.

Each test plays the attack through the API and checks the published outcome, not only the refusal.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from budgets.closing import advance_rounds
from budgets.tables import Round
from tests.helpers import bearer, last_code, make_iin, new_phone, open_now, round_with_projects, sign_in, staff_headers

ALMALY, AUEZOV, MEDEU = "751110000", "751310000", "751710000"
REASON = {"ru": "Ошибка регистрации: ИИН принадлежит другому человеку", "kk": "Тіркеу қатесі: ЖСН басқа адамдікі"}


async def _register(client, outbox, iin: str, region: str = ALMALY) -> dict:
    tokens = await sign_in(client, outbox)
    headers = bearer(tokens["access_token"])
    answer = await client.put("/api/v1/me/residency", json={"iin": iin, "region": region}, headers=headers)
    assert answer.status_code == 200, answer.text
    return {**tokens, "headers": headers, "iin": iin}


async def _open_round(client, staff, region: str) -> tuple[int, list[int]]:
    round_id, projects = await round_with_projects(client, staff, [10_000_000, 20_000_000], region=region)
    await open_now(round_id)
    return round_id, projects


async def _vote(client, who, round_id: int, project: int):
    return await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": project}]},
                            headers=who["headers"])


async def _published_voters(client, staff, round_id: int) -> int:
    assert (await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)).status_code == 200
    await advance_rounds(60)
    results = await client.get(f"/api/v1/rounds/{round_id}/results")
    assert results.status_code == 200, results.text
    return results.json()["voters"]


async def _audited(action: str) -> list[dict]:
    """The audit entries of one action, read from the table: the API's pages fill up as the suite runs."""
    from core.tables import AuditEntry

    return await AuditEntry.select().where(AuditEntry.action == action).output(load_json=True)


@pytest.fixture
async def almaty_staff(client):
    return await staff_headers(client, "identity-almaty@dauys.test", "Identity-Admin-2026", "750000000")


async def test_an_accounts_iin_cannot_be_replaced_so_one_phone_stays_one_voter(client, outbox, almaty_staff):
    round_id, (first, second) = await _open_round(client, almaty_staff, ALMALY)
    attacker = await _register(client, outbox, make_iin(date(1990, 1, 1)))
    honest = [await _register(client, outbox, make_iin(date(1980 + n, 2, 2))) for n in range(2)]
    for who in honest:
        assert (await _vote(client, who, round_id, second)).status_code == 200
    assert (await _vote(client, attacker, round_id, first)).status_code == 200
    for n in range(3):
        other_iin = make_iin(date(1970 + n, 3, 3))
        replaced = await client.put("/api/v1/me/residency", json={"iin": other_iin, "region": ALMALY},
                                    headers=attacker["headers"])
        assert replaced.status_code == 409, replaced.text
        assert replaced.headers["content-type"].startswith("application/problem+json")
        assert "akimat" in replaced.json()["detail"] and replaced.json()["errors"][0]["field"] == "iin"
        assert (await _vote(client, attacker, round_id, first)).status_code == 200
        # The refused IIN was not taken from its owner.
        assert (await _register(client, outbox, other_iin))["headers"]
    results = await _published_voters(client, almaty_staff, round_id)
    assert results == 3
    winners = (await client.get(f"/api/v1/rounds/{round_id}/results")).json()["projects"]
    votes = {p["project_id"]: p["votes"] for p in winners}
    assert votes[first] == 1 and votes[second] == 2


async def test_a_move_during_a_round_gives_no_ballot_in_another_round_open_then(client, outbox, almaty_staff):
    in_almaly, almaly_projects = await _open_round(client, almaty_staff, ALMALY)
    in_auezov, auezov_projects = await _open_round(client, almaty_staff, AUEZOV)
    mover = await _register(client, outbox, make_iin(date(1988, 4, 4)))
    assert (await _vote(client, mover, in_almaly, almaly_projects[0])).status_code == 200
    moved = await client.put("/api/v1/me/residency", json={"iin": mover["iin"], "region": AUEZOV},
                             headers=mover["headers"])
    assert moved.status_code == 200 and moved.json()["region"] == AUEZOV
    refused = await _vote(client, mover, in_auezov, auezov_projects[0])
    assert refused.status_code == 403, refused.text
    # Residency at the opening of Almaly's round was Almaly: the mover may still change that ballot.
    assert (await _vote(client, mover, in_almaly, almaly_projects[1])).status_code == 200
    # A round that opens after the move is the new district's.
    later, later_projects = await round_with_projects(client, almaty_staff, [5_000_000], region=AUEZOV)
    await Round.update({Round.voting_opens_at: datetime.now(UTC)}).where(Round.id == later)
    assert (await _vote(client, mover, later, later_projects[0])).status_code == 200
    assert await _published_voters(client, almaty_staff, in_auezov) == 0
    assert await _published_voters(client, almaty_staff, in_almaly) == 1
    moves = await _audited("resident.move")
    assert any(entry["after"]["region"] == AUEZOV for entry in moves)


async def test_moves_are_limited_and_the_answer_says_when_the_next_is_possible(client, outbox):
    iin = make_iin(date(1991, 5, 5))
    who = await _register(client, outbox, iin)
    first = await client.put("/api/v1/me/residency", json={"iin": iin, "region": AUEZOV}, headers=who["headers"])
    assert first.status_code == 200
    again = await client.put("/api/v1/me/residency", json={"iin": iin, "region": MEDEU}, headers=who["headers"])
    assert again.status_code == 429, again.text
    assert int(again.headers["retry-after"]) > 29 * 24 * 3600
    assert "next move is possible from" in again.json()["detail"]
    assert (await client.get("/api/v1/me", headers=who["headers"])).json()["region"] == AUEZOV
    # Repeating the current residency is no move.
    same = await client.put("/api/v1/me/residency", json={"iin": iin, "region": AUEZOV}, headers=who["headers"])
    assert same.status_code == 200


async def test_several_accounts_registering_one_iin_at_once_get_one_200_and_409s(client, outbox):
    iin = make_iin(date(1979, 6, 6))
    accounts = [await sign_in(client, outbox) for _ in range(6)]
    answers = await asyncio.gather(*[
        client.put("/api/v1/me/residency", json={"iin": iin, "region": ALMALY},
                   headers=bearer(account["access_token"]))
        for account in accounts
    ])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 409, 409, 409, 409, 409], [a.text for a in answers]


async def test_one_account_sending_two_iins_at_once_keeps_one(client, outbox):
    account = await sign_in(client, outbox)
    iins = [make_iin(date(1975, 7, 7)) for _ in range(4)]
    answers = await asyncio.gather(*[
        client.put("/api/v1/me/residency", json={"iin": iin, "region": ALMALY},
                   headers=bearer(account["access_token"]))
        for iin in iins
    ])
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    kept = iins[[a.status_code for a in answers].index(200)]
    # The others are still free for their owners.
    for iin in iins:
        if iin != kept:
            await _register(client, outbox, iin)


@pytest.mark.parametrize("phone", ["+77٠١١٢٣٤٥٦٧", "+77०११२३४५६७", "+７７011234567", "+77011234567\n"])
async def test_phones_with_other_digits_are_refused(client, phone):
    answer = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "phone"
    # A NUL never reaches the phone rule: tests/integration/test_hostile_input.py refuses it as 400.


async def test_spaces_and_dashes_in_a_phone_are_ignored_and_name_one_account(client, outbox):
    plain = new_phone()
    spaced = f"{plain[:2]} {plain[2:5]}-{plain[5:8]}-{plain[8:10]} {plain[10:]}"
    assert (await client.post("/api/v1/auth/otp", json={"phone": spaced})).status_code == 202
    code = last_code(outbox, plain)  # the SMS went to the one normalised number
    first = await client.post("/api/v1/auth/token", json={"phone": spaced, "code": code})
    assert first.status_code == 200, first.text
    second = await sign_in(client, outbox, plain)
    me_first = (await client.get("/api/v1/me", headers=bearer(first.json()["access_token"]))).json()
    me_second = (await client.get("/api/v1/me", headers=bearer(second["access_token"]))).json()
    assert me_first["id"] == me_second["id"]


async def test_a_burst_of_wrong_codes_gets_at_most_five_tries_and_the_lock_holds(client, outbox):
    phone = new_phone()
    assert (await client.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 202
    code = last_code(outbox, phone)
    wrong = "000000" if code != "000000" else "111111"
    answers = await asyncio.gather(*[
        client.post("/api/v1/auth/token", json={"phone": phone, "code": wrong}) for _ in range(24)
    ])
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) <= 5 and set(statuses) <= {401, 429}, statuses
    assert statuses.count(429) >= 19
    locked = await client.post("/api/v1/auth/token", json={"phone": phone, "code": code})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 14 * 60


async def test_the_right_code_sent_twice_at_once_signs_in_once(client, outbox):
    phone = new_phone()
    await client.post("/api/v1/auth/otp", json={"phone": phone})
    code = last_code(outbox, phone)
    answers = await asyncio.gather(*[
        client.post("/api/v1/auth/token", json={"phone": phone, "code": code}) for _ in range(4)
    ])
    assert sorted(answer.status_code for answer in answers) == [200, 401, 401, 401]


async def test_staff_release_an_iin_and_the_holders_ballots_are_set_aside_with_the_reason(client, outbox,
                                                                                       almaty_staff):
    round_id, (first, second) = await _open_round(client, almaty_staff, ALMALY)
    iin = make_iin(date(1986, 8, 8))
    impostor = await _register(client, outbox, iin)
    assert (await _vote(client, impostor, round_id, first)).status_code == 200
    ledger_before = (await client.get(f"/api/v1/rounds/{round_id}/ledger")).json()["entries"]

    owner = await sign_in(client, outbox)
    owner_headers = bearer(owner["access_token"])
    taken = await client.put("/api/v1/me/residency", json={"iin": iin, "region": ALMALY}, headers=owner_headers)
    assert taken.status_code == 409 and "release" in taken.json()["detail"]

    released = await client.post("/api/v1/admin/identity/release", json={"iin": iin, "reason": REASON},
                                 headers=almaty_staff)
    assert released.status_code == 200, released.text
    assert released.json()["ballots_set_aside"] == 1 and released.json()["rounds"] == [round_id]

    # The impostor's account keeps its phone, but has no IIN and no vote any more.
    me = (await client.get("/api/v1/me", headers=impostor["headers"])).json()
    assert me["region"] is None and me["age"] is None
    assert (await _vote(client, impostor, round_id, first)).status_code == 403
    # The ballot is set aside publicly, with the reason; the ledger is unchanged.
    invalidations = (await client.get(f"/api/v1/rounds/{round_id}/invalidations")).json()
    assert len(invalidations) == 1 and REASON["ru"] in invalidations[0]["reason"]
    ledger_after = (await client.get(f"/api/v1/rounds/{round_id}/ledger")).json()["entries"]
    assert [e["chain"] for e in ledger_after] == [e["chain"] for e in ledger_before]
    assert ledger_after[0]["status"] == "invalidated"

    # The real owner registers and votes; the round counts one person.
    assert (await client.put("/api/v1/me/residency", json={"iin": iin, "region": ALMALY},
                             headers=owner_headers)).status_code == 200
    assert (await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": second}]},
                             headers=owner_headers)).status_code == 200
    anomalies = (await client.get(f"/api/v1/admin/rounds/{round_id}/anomalies", headers=almaty_staff)).json()
    assert any(a["kind"] == "identity_release" for a in anomalies)
    target = f"resident:{released.json()['resident_id']}"
    release_entries = [entry for entry in await _audited("identity.release") if entry["target"] == target]
    assert len(release_entries) == 1 and iin not in str(release_entries[0])
    assert await _published_voters(client, almaty_staff, round_id) == 1
    votes = {p["project_id"]: p["votes"] for p in (await client.get(f"/api/v1/rounds/{round_id}/results")).json()[
        "projects"]}
    assert votes[first] == 0 and votes[second] == 1


async def test_only_an_admin_of_the_holders_region_releases_an_iin(client, outbox):
    iin = make_iin(date(1984, 9, 9))
    await _register(client, outbox, iin, region=ALMALY)
    sibling = await staff_headers(client, "identity-auezov@dauys.test", "Identity-Admin-2026", AUEZOV)
    moderator = await staff_headers(client, "identity-mod@dauys.test", "Identity-Admin-2026", ALMALY, "moderator")
    own = await staff_headers(client, "identity-almaly@dauys.test", "Identity-Admin-2026", ALMALY)
    body = {"iin": iin, "reason": REASON}
    assert (await client.post("/api/v1/admin/identity/release", json=body, headers=sibling)).status_code == 403
    assert (await client.post("/api/v1/admin/identity/release", json=body, headers=moderator)).status_code == 403
    short = await client.post("/api/v1/admin/identity/release", json={"iin": iin, "reason": {"ru": "нет"}},
                              headers=own)
    assert short.status_code == 422
    unknown = await client.post("/api/v1/admin/identity/release",
                                json={"iin": make_iin(date(1984, 9, 9)), "reason": REASON}, headers=own)
    assert unknown.status_code == 404
    resident_token = (await sign_in(client, outbox))["access_token"]
    assert (await client.post("/api/v1/admin/identity/release", json=body,
                              headers=bearer(resident_token))).status_code == 401
    assert (await client.post("/api/v1/admin/identity/release", json=body, headers=own)).status_code == 200
    assert (await client.post("/api/v1/admin/identity/release", json=body, headers=own)).status_code == 404


async def test_several_identities_registered_from_one_device_are_flagged_on_the_rounds_there(client, outbox,
                                                                                          almaty_staff):
    from budgets.identities import detect_registration_clusters
    from budgets.integrity import WINDOW, window_of
    from core.residency import DEVICE_IDENTITIES
    from core.tables import Residency

    round_id, _ = await _open_round(client, almaty_staff, MEDEU)
    device = {"X-Device-Id": f"collector-{new_phone()}"}
    registered = []
    for n in range(DEVICE_IDENTITIES):
        tokens = await sign_in(client, outbox)
        answer = await client.put("/api/v1/me/residency", json={"iin": make_iin(date(1960 + n, 1, 1)), "region": MEDEU},
                                  headers={**bearer(tokens["access_token"]), **device})
        assert answer.status_code == 200
        registered.append(answer.json()["id"])
    # As if the scan ran in the next window: the registrations lie in the last complete one.
    previous = window_of(datetime.now(UTC)) - WINDOW + WINDOW / 2
    await Residency.update({Residency.recorded_at: previous}).where(Residency.resident.is_in(registered))
    assert await detect_registration_clusters() >= 1
    assert await detect_registration_clusters() == 0  # recorded once, however often the scan runs
    anomalies = (await client.get(f"/api/v1/admin/rounds/{round_id}/anomalies", headers=almaty_staff)).json()
    found = [a for a in anomalies if a["kind"] == "identity_device_cluster"]
    assert len(found) == 1 and found[0]["detail"]["identities"] == DEVICE_IDENTITIES
    assert found[0]["detail"]["regions"] == [MEDEU]
