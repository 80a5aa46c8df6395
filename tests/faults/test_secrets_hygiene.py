"""Secrets: production refuses a missing or weak key, and a full voting run logs no IIN, code or phone."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.faults.steps import open_round, sql, staff_headers
from tests.helpers import bearer, last_code, make_iin, new_phone
from tests.servers import Server, free_port
from tests.waiting import wait_for

DAUYS = str(Path(sys.executable).with_name("dauys"))


def prod_env(tmp_path: Path, secret_key: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DAUYS_SECRET_KEY"}
    env.update({"DAUYS_ENV": "prod", "DAUYS_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
                "DAUYS_SMS_BACKEND": f"file:{tmp_path / 'outbox.jsonl'}",
                "DAUYS_SECRET_FILE": str(tmp_path / "secret")})
    env.pop("DAUYS_REDIS_URL", None)
    if secret_key is not None:
        env["DAUYS_SECRET_KEY"] = secret_key
    return env


@pytest.mark.parametrize("secret_key, message", [
    (None, "DAUYS_SECRET_KEY must be set when DAUYS_ENV=prod"),
    ("", "DAUYS_SECRET_KEY must be set when DAUYS_ENV=prod"),
    ("change-me", "DAUYS_SECRET_KEY is too weak for production"),
    ("short-but-random-Xq81", "DAUYS_SECRET_KEY is too weak for production"),
])
def test_prod_refuses_to_serve_without_a_strong_secret_key(tmp_path, secret_key, message):
    done = subprocess.run([DAUYS, "serve", "--port", str(free_port())], env=prod_env(tmp_path, secret_key),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert message in done.stderr, done.stderr
    # No key was made up on the side either: production never writes one of its own.
    assert not (tmp_path / "secret").exists()


def test_prod_serves_with_a_strong_secret_key(tmp_path):
    """The refusals above are about the key alone: with a strong one the same configuration serves."""
    server = Server(tmp_path, env=prod_env(tmp_path, secrets.token_urlsafe(48))).start()
    server.stop()


@pytest.mark.postgres
@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_full_voting_run_logs_no_iin_code_or_phone(environment, sms_outbox, tmp_path, log_format):
    database = environment["DAUYS_DATABASE_URL"]
    server = Server(tmp_path, env={**environment, "DAUYS_LOG_FORMAT": log_format}).start()
    phones, iins = [], []
    try:
        async with server.client() as client:
            round_id, projects = await open_round(client, database, [10, 20, 30], budget=40)
            staff = await staff_headers(client)
            voters = []
            for number in range(4):
                phone = new_phone()
                phones.append(phone)
                assert (await client.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 202
                # A wrong code first: failures are where details tend to be logged.
                wrong = await client.post("/api/v1/auth/token", json={"phone": phone, "code": "000000"})
                assert wrong.status_code == 401
                tokens = await client.post("/api/v1/auth/token",
                                           json={"phone": phone, "code": last_code(sms_outbox, phone)})
                assert tokens.status_code == 200, tokens.text
                refreshed = await client.post("/api/v1/auth/refresh",
                                              json={"refresh_token": tokens.json()["refresh_token"]})
                headers = bearer(refreshed.json()["access_token"])
                iin = make_iin(date(1985, 3, 1 + number))
                broken = iin[:-1] + str((int(iin[-1]) + 1) % 10)
                iins += [iin, broken]
                assert (await client.put("/api/v1/me/residency", json={"iin": broken, "region": "751110000"},
                                         headers=headers)).status_code == 422
                proved = await client.put("/api/v1/me/residency", json={"iin": iin, "region": "751110000"},
                                          headers=headers)
                assert proved.status_code == 200, proved.text
                assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
                voters.append((iin, headers))
            # Someone else's IIN: refused, and a refusal is logged no more than a success.
            intruder = new_phone()
            phones.append(intruder)
            await client.post("/api/v1/auth/otp", json={"phone": intruder})
            stolen = await client.post("/api/v1/auth/token",
                                       json={"phone": intruder, "code": last_code(sms_outbox, intruder)})
            taken = await client.put("/api/v1/me/residency", json={"iin": voters[0][0], "region": "751110000"},
                                     headers=bearer(stolen.json()["access_token"]))
            assert taken.status_code == 409
            assert (await client.post("/api/v1/auth/otp", json={"phone": "+7701" + "1" * 12})).status_code == 422

            for _, headers in voters:
                for choice in projects[:2]:
                    cast = await client.put(f"/api/v1/rounds/{round_id}/ballot", headers=headers,
                                            json={"choices": [{"project_id": choice}]})
                    assert cast.status_code == 200, cast.text
                assert (await client.get(f"/api/v1/receipts/{cast.json()['receipt']}")).status_code == 200
                assert (await client.get(f"/api/v1/rounds/{round_id}/ballot", headers=headers)).status_code == 200
            closed = await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
            assert closed.status_code == 200

            async def published():
                return (await client.get(f"/api/v1/rounds/{round_id}/results")).status_code == 200

            await wait_for(published, what="results published")
            assert (await client.get(f"/api/v1/rounds/{round_id}/results.pb")).status_code == 200
            # One more scheduler sweep after publication, so that whatever it logs is in the log read below:
            # a sweep is seen to have run when a round that became due after publication is opened.
            later, _ = await open_round(client, database, [10], budget=40)

            async def opened():
                rows = await sql(database, "SELECT status FROM round WHERE id = $1", later)
                return rows[0]["status"] == "voting"

            await wait_for(opened, what="a scheduler sweep after publication")
    finally:
        server.stop()

    log = server.log_path.read_text(encoding="utf-8")
    assert f"PUT /api/v1/rounds/{round_id}/ballot" in log, "the server's log was not captured"
    if log_format == "json":
        # Every line is one JSON object; escapes (\u0418...) must not hide a value from the checks below.
        log = "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in log.splitlines() if line)
    codes = [re.search(r"\b(\d{6})\b", line).group(1) for line in sms_outbox.read_text(encoding="utf-8").splitlines()]
    assert len(codes) == len(phones)
    for phone in phones:
        # E.164, without the plus, and the national 10 digits.
        for form in (phone, phone[1:], phone[2:]):
            assert form not in log, f"a phone number is in the log: {form}"
    for iin in iins:
        assert iin not in log, f"an IIN is in the log: {iin}"
    for code in codes:
        assert not re.search(rf"(?<!\d){code}(?!\d)", log), f"an SMS code is in the log: {code}"
