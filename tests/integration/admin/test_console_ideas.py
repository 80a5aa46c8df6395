"""The console's ideas pages: the queue with its filters, charts and map, one decision and one for many."""

from __future__ import annotations

from tests.helpers import resident
from tests.integration.admin.console_helpers import console_sign_in
from tests.integration.ideas.helpers import ALMALY, ideas_round, propose

PASSWORD = "Ideas-pass-2026"


async def test_a_moderator_reviews_the_queue_and_accepts_one_idea_onto_the_ballot(client, outbox):
    _, round_id = await ideas_round(client, "console-ideas@almaty.kz")
    session = await console_sign_in(client, "console-ideas@almaty.kz", PASSWORD)
    people = [await resident(client, outbox, ALMALY) for _ in range(2)]
    lights = await propose(client, people[0], round_id)
    trap = await propose(client, people[1], round_id, title="<script>alert(1)</script>", location=None)
    spam = await propose(client, people[1], round_id, title="Реклама часов", category="other", location=None)

    queue = await session.get(f"/console/rounds/{round_id}/ideas")
    assert queue.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in queue.text and "<script>alert(1)" not in queue.text
    assert 'class="chart map"' in queue.text and f'href="/console/ideas/{lights["id"]}"' in queue.text
    assert queue.text.count('<svg class="chart"') == 2  # by category and by sub-region
    only_other = await session.get(f"/console/rounds/{round_id}/ideas?category=other")
    assert f'id="idea-{spam["id"]}"' in only_other.text and f'id="idea-{lights["id"]}"' not in only_other.text

    nothing_ticked = await session.post(f"/console/rounds/{round_id}/ideas/review",
                                        {"decision": "hide", "reason_ru": "Реклама"},
                                        form_page=f"/console/rounds/{round_id}/ideas")
    assert nothing_ticked.status_code == 422 and 'id="idea-error"' in nothing_ticked.text
    bulk = await session.post(f"/console/rounds/{round_id}/ideas/review",
                              {"idea": [str(trap["id"]), str(spam["id"])], "decision": "hide", "reason_ru": "Реклама"},
                              form_page=f"/console/rounds/{round_id}/ideas")
    assert bulk.status_code == 303
    hidden = await session.get(f"/console/rounds/{round_id}/ideas?status=hidden")
    assert f'id="idea-{trap["id"]}"' in hidden.text and f'id="idea-{spam["id"]}"' in hidden.text

    page = f"/console/ideas/{lights['id']}"
    shown = await session.get(page)
    assert shown.status_code == 200 and lights["title"] in shown.text
    no_cost = await session.post(f"{page}/review", {"decision": "accept", "cost": ""}, form_page=page)
    assert no_cost.status_code == 422 and 'id="cost-error"' in no_cost.text
    accepted = await session.post(f"{page}/review", {"decision": "accept", "cost": "5 200 000",
                                                     "reason_ru": "Прошла экспертизу"}, form_page=page)
    assert accepted.status_code == 303, accepted.text
    projects = (await client.get(f"/api/v1/rounds/{round_id}/projects")).json()
    assert [(p["idea_id"], p["cost"]) for p in projects] == [(lights["id"], 5_200_000)]
    again = await session.post(f"{page}/review", {"decision": "reject", "reason_ru": "нет"}, form_page=page)
    assert again.status_code == 409
    round_page = await session.get(f"/console/rounds/{round_id}")
    assert f'href="/console/ideas/{lights["id"]}"' in round_page.text
