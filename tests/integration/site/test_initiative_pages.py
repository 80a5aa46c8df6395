"""Initiatives on the resident site: starting one, signing it with a form, progress, answer, escaped texts."""

from __future__ import annotations

from initiatives.tables import Initiative
from tests.integration.initiatives.helpers import ALATAU, ALMALY, settle, staff
from tests.integration.site.site_helpers import registered


async def test_start_one_then_residents_sign_it_by_form(client, outbox):
    author = await registered(client, outbox, ALMALY, language="ru")
    form = await author.get("/initiatives/new")
    assert form.status_code == 200 and 'name="title"' in form.text and 'value="751110000"' in form.text

    short = await author.post("/initiatives/new", {"region": ALMALY, "title": "ab",
                                                   "text": "Достаточно длинный текст."}, "/initiatives/new")
    assert short.status_code == 422 and 'id="title-error"' in short.text
    assert "Достаточно длинный текст." in short.text  # what was typed comes back

    filed = await author.post("/initiatives/new", {"region": ALMALY, "title": "<script>alert('x')</script> Фонари",
                                                   "text": "Вечером в сквере темно <b>совсем</b>."}, "/initiatives/new")
    assert filed.status_code == 303 and filed.headers["location"].startswith("/initiatives/")
    number = int(filed.headers["location"].rsplit("/", 1)[1])
    mine = await author.follow(filed)
    assert mine.status_code == 200 and '<html lang="ru">' in mine.text
    assert "<script>alert" not in mine.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in mine.text
    assert "&lt;b&gt;совсем&lt;/b&gt;" in mine.text
    neighbour = await registered(client, outbox, ALMALY)
    assert (await neighbour.get(f"/initiatives/{number}")).status_code == 404

    admin = await staff(client)
    await settle(client, admin, ALMALY, 2)
    published = await client.post(f"/api/v1/admin/initiatives/{number}/moderate", headers=admin,
                                  json={"decision": "publish"})
    assert published.status_code == 200

    signer = await registered(client, outbox, ALMALY)
    page = await signer.get(f"/initiatives/{number}")
    assert f'action="/initiatives/{number}/signature"' in page.text and '<html lang="kk">' in page.text
    assert "қол жиналуда" in page.text and "Бастамаға қол қою" in page.text
    signed = await signer.post(f"/initiatives/{number}/signature", {}, f"/initiatives/{number}")
    after = await signer.follow(signed)
    assert "data-signed" in after.text and f'action="/initiatives/{number}/signature"' not in after.text
    again = await signer.post(f"/initiatives/{number}/signature", {}, f"/initiatives/{number}")
    assert again.status_code == 303
    assert (await Initiative.select(Initiative.signatures).where(Initiative.id == number).first())["signatures"] == 1

    outsider = await registered(client, outbox, ALATAU)
    refused = await outsider.post(f"/initiatives/{number}/signature", {}, f"/initiatives/{number}")
    assert refused.status_code == 403 and 'role="alert"' in refused.text

    await author.post(f"/initiatives/{number}/signature", {}, f"/initiatives/{number}")
    due = await signer.get(f"/initiatives/{number}")
    assert "<progress max=\"100\" value=\"100\"" in due.text and 'data-answer' not in due.text
    answered = await client.post(f"/api/v1/admin/initiatives/{number}/answer", headers=admin, json={
        "decision": "accepted", "text": {"kk": "Шамдар көктемде қойылады.", "ru": "Фонари поставят весной."}})
    assert answered.status_code == 200
    shown = await signer.get(f"/initiatives/{number}")
    assert "data-answer" in shown.text and "Шамдар көктемде қойылады." in shown.text
    listed = await signer.get("/initiatives")
    assert f'href="/initiatives/{number}"' in listed.text
    home = await signer.get("/")
    assert f'href="/initiatives/{number}"' in home.text


async def test_signing_needs_a_registered_resident(client, outbox):
    from tests.integration.site.site_helpers import Browser

    anonymous = Browser(client)
    assert (await anonymous.get("/initiatives/new")).headers["location"] == "/signin?next=/initiatives/new"
