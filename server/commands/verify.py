"""`dauys verify --url URL --round ID [--receipt R]`: check a published round through the public API alone.

Downloading lives here and checking in budgets.verification, so the checks never see the network and
the network never sees the database: the command needs no configuration and works against any server.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import time
from urllib.parse import quote

import click
import httpx

from budgets.verification import NotChecked, PublicDocuments, render, summary, verify

# A round of Almaty's size (about 160,000 voters, revisions included) has a ledger of some 40 MB.
DEFAULT_MAX_MB = 512
SMALL_DOCUMENT = 4 * 1024 * 1024


class DownloadFailed(Exception):
    pass


class ChecksTooSlow(Exception):
    pass


def fetch(client: httpx.Client, path: str, limit: int, timeout: float, missing_ok: bool = False) -> bytes | None:
    """One public document, refused once it grows past `limit` bytes, whatever Content-Length claims.

    httpx decodes gzip and the like before handing out chunks, so the limit holds for what is unpacked;
    its timeouts are per read, so a server dripping a byte at a time is stopped by a deadline of our own.
    """
    deadline = time.monotonic() + 10 * timeout
    try:
        with client.stream("GET", path) as answer:
            if answer.status_code == 404 and missing_ok:
                return None
            if answer.status_code != 200:
                raise DownloadFailed(f"GET {path} answered {answer.status_code}")
            declared = answer.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise DownloadFailed(f"GET {path} announces {int(declared):,} bytes, more than the {limit:,} allowed")
            body = bytearray()
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise DownloadFailed(f"GET {path} sent more than the {limit:,} bytes allowed")
                if time.monotonic() > deadline:
                    raise DownloadFailed(f"GET {path} took longer than {10 * timeout:g} s")
            return bytes(body)
    except httpx.HTTPError as error:
        raise DownloadFailed(f"GET {path} failed: {type(error).__name__}: {error}") from None


def download(url: str, round_id: int, receipt: str | None, limit: int, timeout: float,
             saved_checkpoints: bytes | None = None) -> PublicDocuments:
    base = f"/api/v1/rounds/{round_id}"
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    with httpx.Client(base_url=url.rstrip("/"), timeout=timeouts, follow_redirects=True, max_redirects=3,
                      headers={"Accept-Language": "en", "User-Agent": "dauys-verify"}) as client:
        small = min(limit, SMALL_DOCUMENT)
        round_doc = fetch(client, base, small, timeout)
        results = fetch(client, f"{base}/results", small, timeout)
        pb = fetch(client, f"{base}/results.pb", limit, timeout)
        ledger = fetch(client, f"{base}/ledger", limit, timeout)
        invalidations = fetch(client, f"{base}/invalidations", limit, timeout)
        receipt_status = (fetch(client, f"/api/v1/receipts/{quote(receipt, safe='')}", small, timeout,
                                missing_ok=True) if receipt is not None else None)
    try:
        text = pb.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DownloadFailed(f"results.pb is not UTF-8 text ({error.reason} at byte {error.start})") from None
    return PublicDocuments(round=round_doc, results=results, pabulib=text, ledger=ledger,
                           invalidations=invalidations, receipt=receipt, receipt_status=receipt_status,
                           saved_checkpoints=saved_checkpoints)


def _too_slow(signum, frame) -> None:
    raise ChecksTooSlow("the checks ran out of time (--check-timeout)")


@click.command("verify")
@click.option("--url", required=True, help="the Dauys server's public base URL, e.g. https://dauys.almaty.kz")
@click.option("--round", "round_id", required=True, type=click.IntRange(min=1), help="the round's id")
@click.option("--receipt", default=None, help="a receipt to look for in the round's ledger")
@click.option("--checkpoints", "saved", default=None, type=click.File("rb"),
              help="checkpoints saved from an earlier download (the ledger's \"checkpoints\" list as JSON, "
              "or the whole ledger document): each must still be published and match the ledger")
@click.option("--save-checkpoints", "save_to", default=None, type=click.Path(dir_okay=False, writable=True),
              help="write the round's published checkpoints to this file, for a later --checkpoints")
@click.option("--pabutools", "use_pabutools", is_flag=True,
              help="also recount with pabutools (pip install pabutools==1.2.3), an independent implementation; "
              "slow on big rounds, and it has no greedy-no-skip or mes-add1-greedy")
@click.option("--max-mb", default=DEFAULT_MAX_MB, show_default=True, type=click.IntRange(min=1),
              help="refuse any downloaded document larger than this")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="seconds to wait for each answer")
@click.option("--check-timeout", default=900, show_default=True, type=click.IntRange(min=1),
              help="seconds the checks may take in all; a forged file can make a rule slow")
@click.option("--json", "as_json", is_flag=True, help="print the checks as one JSON object")
def verify_command(url: str, round_id: int, receipt: str | None, saved, save_to: str | None, use_pabutools: bool,
                   max_mb: int, timeout: float, check_timeout: int, as_json: bool) -> None:
    """Check a published round from its public documents: the ledger's chain and checkpoints, the counted
    ballots, and a recount of results.pb with the round's rule. Exit 0 only when every check holds."""
    if not url.startswith(("http://", "https://")):
        click.echo("dauys verify: --url must start with http:// or https://", err=True)
        sys.exit(2)
    second_count = _pabutools() if use_pabutools else None
    started = time.perf_counter()
    limit = max_mb * 1024 * 1024
    try:
        kept = _saved_checkpoints(saved.read(limit + 1), limit) if saved else None
        documents = download(url, round_id, receipt, limit, timeout, kept)
    except DownloadFailed as error:
        click.echo(f"dauys verify: cannot check round {round_id}: {error}", err=True)
        sys.exit(2)
    fetched = time.perf_counter()
    # The check running when the time is up fails with this reason; the ones after it still run.
    signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(check_timeout)
    try:
        report = verify(round_id, documents, second_count)
    except ChecksTooSlow as error:  # between two checks, where no check can take it as its verdict
        click.echo(f"dauys verify: {error}", err=True)
        sys.exit(2)
    finally:
        signal.alarm(0)
    checked = time.perf_counter()
    if as_json:
        click.echo(json.dumps(summary(report), ensure_ascii=False))
    else:
        sizes = len(documents.ledger) + len(documents.pabulib.encode()) + len(documents.results)
        click.echo(f"round {round_id} at {url}: {sizes / 1e6:.1f} MB downloaded in {fetched - started:.1f} s, "
                   f"checked in {checked - fetched:.1f} s")
        click.echo(render(report))
    if save_to:
        _save_checkpoints(documents.ledger, save_to)
    sys.exit(0 if report.ok else 1)


def _pabutools():
    try:
        from server.commands import pabutools_recount
    except ImportError:
        click.echo("dauys verify: --pabutools needs pabutools: pip install pabutools==1.2.3", err=True)
        sys.exit(2)

    def count(text: str, rule: str) -> set[str]:
        if rule not in pabutools_recount.RULES:
            raise NotChecked(f"pabutools has no {rule}; it has {', '.join(pabutools_recount.RULES)}")
        # pabutools reads files only.
        with tempfile.NamedTemporaryFile("w", suffix=".pb", encoding="utf-8") as copy:
            copy.write(text)
            copy.flush()
            return pabutools_recount.run(copy.name, rule)

    return "pabutools", count


def _saved_checkpoints(body: bytes, limit: int) -> bytes:
    """The list itself, whether the file holds it or a whole ledger document around it."""
    if len(body) > limit:
        raise DownloadFailed("the --checkpoints file is larger than --max-mb")
    try:
        value = json.loads(body)
    except ValueError as error:
        raise DownloadFailed(f"the --checkpoints file is not JSON: {error}") from None
    return json.dumps(value.get("checkpoints") if isinstance(value, dict) else value).encode()


def _save_checkpoints(ledger: bytes, path: str) -> None:
    try:
        checkpoints = json.loads(ledger)["checkpoints"]
    except (ValueError, KeyError, TypeError):
        click.echo("dauys verify: the ledger has no checkpoints to save", err=True)
        return
    with open(path, "w", encoding="utf-8") as out:
        json.dump(checkpoints, out, indent=1)
        out.write("\n")
