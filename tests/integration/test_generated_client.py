"""The OpenAPI document is a product: a client generated from it, as a mobile team would, runs the resident flow.

openapi-python-client generates the client from the served document with warnings made fatal; the client
then signs in, registers, reads rounds and projects, casts a ballot with an Idempotency-Key, checks the
receipt, and gets a 422 and a 429 back as typed problem documents.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import last_code, make_iin, new_phone, open_now, round_with_projects, staff_headers

# The only client-side setting: image answers are read as bytes.
CONFIG = Path(__file__).parent / "openapi-python-client.yaml"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
async def api(client, work_dir):
    document = work_dir / "openapi.json"
    answer = await client.get("/schema/openapi.json")
    assert answer.status_code == 200
    document.write_bytes(answer.content)
    out = work_dir / "generated"
    generated = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(document), "--meta", "none", "--config", str(CONFIG),
         "--fail-on-warning", "--output-path", str(out / "dauys_api_client")],
        capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "WARNING" not in generated.stdout + generated.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("dauys_api_client")
    finally:
        sys.path.remove(str(out))


def _module(api, name: str):
    return importlib.import_module(f"{api.__name__}.{name}")


async def test_a_generated_client_runs_the_resident_flow(api, client, outbox):
    models = _module(api, "models")
    send = _module(api, "api.resident_sign_in.send_sign_in_code")
    exchange = _module(api, "api.resident_sign_in.exchange_sign_in_code")
    residency = _module(api, "api.resident_profile.prove_residency")
    list_rounds = _module(api, "api.rounds.list_rounds")
    list_projects = _module(api, "api.rounds.list_projects")
    cast = _module(api, "api.ballots.cast_ballot")
    receipt = _module(api, "api.ballots.get_receipt")

    staff = await staff_headers(client, "generated-client@dauys.test", "Generated-Client-2026", "751110000")
    round_id, project_ids = await round_with_projects(client, staff, [10_000_000, 20_000_000])
    await open_now(round_id)

    # The generated clients talk to the app in this process, through the test client's transport.
    wire = {"transport": client._transport}
    public = api.Client(base_url="http://dauys.test", httpx_args=wire)
    phone = new_phone()
    sent = await send.asyncio_detailed(client=public, body=models.OtpRequest(phone=phone), accept_language="kk",
                                       x_device_id="generated-client")
    assert sent.status_code == 202 and isinstance(sent.parsed, models.OtpSent)
    tokens = await exchange.asyncio_detailed(client=public, body=models.TokenRequest(phone=phone,
                                                                                     code=last_code(outbox, phone)))
    assert isinstance(tokens.parsed, models.Tokens), tokens.content

    resident = api.AuthenticatedClient(base_url="http://dauys.test", token=tokens.parsed.access_token,
                                       httpx_args=wire)
    registered = await residency.asyncio(client=resident, body=models.ResidencyRequest(
        iin=make_iin(date(1990, 1, 1)), region="751110000"))
    assert isinstance(registered, models.Me) and registered.region == "751110000"

    rounds = await list_rounds.asyncio(client=public, status=models.ListRoundsStatus.VOTING, region="751110000")
    assert round_id in [item.id for item in rounds]
    mine = next(item for item in rounds if item.id == round_id)
    assert mine.status.value == "voting" and mine.vote.method.value == "approval"
    projects = await list_projects.asyncio(round_id, client=public)
    assert [p.id for p in projects] == project_ids

    ballot = models.BallotIn(choices=[models.ChoiceIn(project_id=project_ids[0])])
    first = await cast.asyncio_detailed(round_id, client=resident, body=ballot, idempotency_key="generated-1")
    again = await cast.asyncio_detailed(round_id, client=resident, body=ballot, idempotency_key="generated-1")
    assert isinstance(first.parsed, models.CastOut) and again.parsed.receipt == first.parsed.receipt
    checked = await receipt.asyncio(first.parsed.receipt, client=public)
    assert isinstance(checked, models.ReceiptOut) and checked.status.value == "counted"

    too_many = models.BallotIn(choices=[models.ChoiceIn(project_id=p) for p in project_ids * 2])
    refused = await cast.asyncio_detailed(round_id, client=resident, body=too_many)
    assert refused.status_code == 422 and isinstance(refused.parsed, models.ProblemDocument)
    assert refused.parsed.detail

    limited = None
    for _ in range(20):
        limited = await send.asyncio_detailed(client=public, body=models.OtpRequest(phone=phone))
        if limited.status_code == 429:
            break
    assert limited.status_code == 429 and isinstance(limited.parsed, models.ProblemDocument)
    assert int(limited.headers["retry-after"]) >= 1


PUBLIC_OPERATIONS = {"getHealth", "getReadiness", "listRegions", "sendSignInCode", "exchangeSignInCode",
                     "refreshTokens", "listRounds", "getRound", "listProjects", "getResults", "getResultsPabulib",
                     "listInvalidations", "getLedger", "getReceipt", "getProjectQrSvg", "getProjectQrPng",
                     "createStaffSession", "getPushKey", "listIdeas", "getIdea", "getIdeaPhoto", "listSimilarIdeas",
                     "listInitiatives", "getInitiative"}


async def test_every_operation_says_who_may_call_it_and_every_answer_it_gives(client):
    import re

    schema = (await client.get("/schema/openapi.json")).json()
    operations = [(path, op) for path, item in schema["paths"].items() for op in item.values()]
    ids = [op["operationId"] for _, op in operations]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i) for i in ids), ids
    for path, op in operations:
        name = op["operationId"]
        if name in PUBLIC_OPERATIONS:
            assert op["security"] == [], name
        else:
            expected = "staff" if path.startswith("/api/v1/admin/") else "resident"
            assert op["security"] == [{expected: []}], name
            assert "401" in op["responses"], name
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")):
                assert list(answer["content"]) == ["application/problem+json"], (name, status)
            if status in ("429", "503"):
                assert "Retry-After" in answer["headers"], (name, status)
        if name != "getHealth":
            assert "503" in op["responses"], name
        if "requestBody" in op:
            content = op["requestBody"]["content"]
            assert "413" in op["responses"], name
            # A JSON body has an example; an upload (multipart) is described by its summary.
            assert "example" in content["application/json"] if "application/json" in content else list(
                content) == ["multipart/form-data"], name
    assert "429" in schema["paths"]["/api/v1/rounds/{round_id}/ballot"]["put"]["responses"]
    assert schema["components"]["schemas"]["RoundOut"]["properties"]["status"]["enum"][0] == "draft"
