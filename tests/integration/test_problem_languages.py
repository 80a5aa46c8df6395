"""Problem documents over HTTP in the language the client asks for: `detail` from the problems catalogue,
times in Kazakhstan time, regions by name; English, as it always was, when no language is asked. The
resident site and the console show the same words on their pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import open_now, resident, round_with_projects, staff_headers
from tests.integration.admin.console_helpers import console_sign_in
from tests.integration.site.site_helpers import Browser

ALMATY, ALMALY, ALATAU = "750000000", "751110000", "751210000"
# 04:00 UTC is 09:00 in Kazakhstan; the year is far enough ahead that the round is still to open.
OPENS = datetime(datetime.now(UTC).year + 2, 5, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
async def staff(client):
    return await staff_headers(client, "languages@almaty.kz", "Languages-2026", ALMATY)


async def details(client, method: str, path: str, headers: dict[str, str], **kwargs) -> dict[str | None, dict]:
    """The same request asked without a language and in kk, ru and en: {language: problem document}."""
    answers = {}
    for language in (None, "kk", "ru", "en"):
        asked = {**headers, "Accept-Language": language} if language else headers
        answer = await client.request(method, path, headers=asked, **kwargs)
        assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
        answers[language] = answer.json()
    assert answers[None] == answers["en"]
    return answers


async def test_a_409_gives_the_voting_times_in_kazakhstan_time_in_each_language(client, outbox, staff):
    round_id, (project, *_) = await round_with_projects(
        client, staff, [10_000_000], region=ALMALY, voting_opens_at=OPENS.isoformat(),
        voting_closes_at=(OPENS + timedelta(days=20, hours=9, minutes=30)).isoformat())
    voter = await resident(client, outbox, ALMALY)
    answers = await details(client, "PUT", f"/api/v1/rounds/{round_id}/ballot", voter["headers"],
                            json={"choices": [{"project_id": project}]})
    year = OPENS.year
    assert {language: (a["status"], a["title"]) for language, a in answers.items()} == {
        None: (409, "Conflict with the current state"), "en": (409, "Conflict with the current state"),
        "kk": (409, "Қазіргі күйге қайшы"), "ru": (409, "Противоречит текущему состоянию")}
    assert answers[None]["detail"] == (
        f"Voting in round {round_id} has not opened yet; it runs from {year}-05-01 09:00 (Kazakhstan time, UTC+5) "
        f"to {year}-05-21 18:30 (Kazakhstan time, UTC+5).")
    assert answers["kk"]["detail"] == (
        f"№{round_id} раундта дауыс беру әлі басталған жоқ. Дауыс беру уақыты: 01.05.{year} 09:00 (Қазақстан "
        f"уақыты, UTC+5) – 21.05.{year} 18:30 (Қазақстан уақыты, UTC+5).")
    assert answers["ru"]["detail"] == (
        f"Голосование в раунде {round_id} ещё не началось; оно пройдёт с 01.05.{year} 09:00 (время Казахстана, "
        f"UTC+5) по 21.05.{year} 18:30 (время Казахстана, UTC+5).")


async def test_a_403_and_a_422_name_regions_in_each_language(client, outbox, staff):
    round_id, (project,) = await round_with_projects(client, staff, [10_000_000], region=ALMALY)
    await open_now(round_id)
    elsewhere = await resident(client, outbox, ALATAU)
    refused = await details(client, "PUT", f"/api/v1/rounds/{round_id}/ballot", elsewhere["headers"],
                            json={"choices": [{"project_id": project}]})
    assert refused[None]["status"] == 403
    assert refused[None]["detail"] == (
        "This round is for residents of Almaly District when its voting opened; you were registered in Alatau "
        "District then (a move counts for rounds that open after it).")
    assert refused["kk"]["detail"].startswith(
        "Бұл раунд дауыс беру басталған сәтте «Алмалы ауданы» өңірінде тұрған тұрғындарға арналған; ол кезде сіз "
        "«Алатау ауданы» өңірінде тіркелгенсіз")
    assert refused["ru"]["detail"].startswith(
        "Этот раунд — для жителей региона «Алмалинский район» на момент начала голосования; тогда вы были "
        "зарегистрированы в регионе «Алатауский район»")

    draft, _ = await round_with_projects(client, staff, [], region=ALMALY)
    outside = await details(client, "POST", f"/api/v1/admin/rounds/{draft}/projects", staff,
                            json={"title": {"ru": "Сквер", "kk": "Саябақ"}, "cost": 5_000_000, "region": ALATAU})
    assert {a["status"] for a in outside.values()} == {422}
    assert outside[None]["detail"] == "Project region Alatau District is outside the round's region Almaly District."
    assert outside["kk"]["detail"] == "Жобаның өңірі «Алатау ауданы» раунд өңірінен («Алмалы ауданы») тыс жатыр."
    assert outside["ru"]["detail"] == ("Регион проекта «Алатауский район» находится за пределами региона раунда "
                                       "«Алмалинский район».")
    # The field errors stay as the request named them, in every language: clients match on them.
    assert outside["kk"]["errors"] == outside[None]["errors"] == [
        {"field": "region", "message": "must be the round's region or a region inside it"}]


async def test_a_404_in_each_language_and_on_both_faces_pages(client, staff):
    answers = await details(client, "GET", "/api/v1/rounds/999999", {})
    assert {language: a["detail"] for language, a in answers.items()} == {
        None: "There is no round 999999.", "en": "There is no round 999999.", "kk": "№999999 раунд жоқ.",
        "ru": "Раунда 999999 нет."}

    # An address that no route has answers the same way.
    nowhere = await details(client, "GET", "/api/v1/nowhere", {})
    assert (nowhere[None]["detail"], nowhere["kk"]["detail"], nowhere["ru"]["detail"]) == (
        "Nothing is found at this address.", "Бұл мекенжайда ештеңе табылмады.", "По этому адресу ничего нет.")

    page = await Browser(client, "kk").get("/rounds/999999")
    assert page.status_code == 404 and '<html lang="kk"' in page.text and "№999999 раунд жоқ." in page.text
    # The console speaks the staff member's language (ru unless they chose another).
    console = await console_sign_in(client, "languages@almaty.kz", "Languages-2026")
    missing = await console.get("/console/rounds/999999")
    assert missing.status_code == 404 and "Раунда 999999 нет." in missing.text
