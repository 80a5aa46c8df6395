"""The `dauys` command line."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import click

from infra.logs import logging_config
from infra.settings import SettingsError, get_settings
from server.commands.tally import tally
from server.commands.verify import verify_command


def run(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run one database task with the engine started and stopped around it."""
    from infra import database

    async def main() -> Any:
        await database.start()
        try:
            return await make()
        finally:
            await database.stop()

    return asyncio.run(main())


def fail(message: str, code: int = 1) -> None:
    click.echo(f"dauys: {message}", err=True)
    sys.exit(code)


# Commands that read or write the configured database say which one, on stderr, before anything else
# (a server logs it, in the log's own format: see server.app.create_default_app).
DATABASE_COMMANDS = {"migrate", "demo", "staff", "import", "regions", "audit"}
# Commands an outsider runs with no Dauys of their own: no settings to read, no secret file to create.
STANDALONE = {"verify"}


@click.group()
@click.pass_context
def cli(context: click.Context) -> None:
    """Dauys: participatory budgeting and mobile voting."""
    if context.invoked_subcommand in STANDALONE:
        return
    try:
        settings = get_settings()
    except SettingsError as exc:
        fail(str(exc), 2)
    if context.invoked_subcommand in DATABASE_COMMANDS:
        click.echo(f"database: {settings.database_location}", err=True)


@cli.command()
def migrate() -> None:
    """Bring the configured database to the latest schema."""
    from infra.migrations import migrate as run_migrations

    asyncio.run(run_migrations(get_settings()))
    click.echo("database is at the latest schema")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="processes; needs PostgreSQL and Redis when > 1")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API, the akimat console and the public pages (runs pending migrations first)."""
    import uvicorn

    from infra.migrations import migrate as run_migrations

    settings = get_settings()
    if workers > 1 and (settings.is_sqlite or not settings.redis_url):
        fail("several workers share state through PostgreSQL and Redis: set DAUYS_DATABASE_URL and DAUYS_REDIS_URL", 2)
    asyncio.run(run_migrations(settings))
    if settings.metrics and workers > 1:
        from infra.metrics import share_between_workers

        share_between_workers()
    uvicorn.run("server.app:create_default_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, server_header=False, log_level="info",
                log_config=logging_config(settings.log_format))


@cli.command()
@click.option("--voting-minutes", default=3 * 24 * 60, show_default=True, type=int,
              help="how long the demo round stays open for voting")
def demo(voting_minutes: int) -> None:
    """Load demo data: regions, an Almaty akimat with staff, a round open for voting and one for ideas."""
    from infra.migrations import migrate as run_migrations
    from server.demo import demo_content, load_demo

    asyncio.run(run_migrations(get_settings()))
    outcome = run(lambda: load_demo(voting_minutes))
    state = "created" if outcome["created"] else "already open"
    click.echo(f"demo round {outcome['round_id']} {state}")
    click.echo(f"demo round {outcome['ideas_round_id']} open for residents' ideas")
    for account in demo_content()["staff"]:
        click.echo(f"staff: {account['email']} / {account['password']} ({account['role']}, region {account['region']})")


@cli.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--region", required=True, help="KATO code of the akimat's region")
@click.option("--role", required=True, type=click.Choice(["admin", "moderator", "delivery", "superuser"]),
              help="superuser (national, every region) can only be created here, never through the API or console")
@click.option("--language", default="ru", show_default=True, type=click.Choice(["kk", "ru", "en"]),
              help="the console's language for this account")
def staff_create(email: str, password: str, region: str, role: str, language: str) -> None:
    """Create a staff account."""
    from admin.staff import create_staff
    from infra.errors import DomainError

    try:
        account = run(lambda: create_staff("cli", email, password, region, role, language, allow_superuser=True))
    except DomainError as exc:
        fail(exc.detail, 2)
    click.echo(json.dumps(account))


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--region", required=True, help="KATO code of the region the election belongs to")
@click.option("--rule", default=None, help="count with this rule instead of the file's META rule")
def import_file(file: str, region: str, rule: str | None) -> None:
    """Import a past election (Pabulib .pb) as a closed round; staff publish it after checking."""
    from budgets import pabulib
    from budgets.importing import import_instance
    from infra.errors import DomainError
    from infra.migrations import migrate as run_migrations

    try:
        instance = pabulib.load(file)
    except pabulib.PabulibError as exc:
        fail(f"{file}: {exc}", 2)
    asyncio.run(run_migrations(get_settings()))
    try:
        report = run(lambda: import_instance("cli:import", instance, region, rule))
    except (DomainError, pabulib.PabulibError) as exc:
        fail(getattr(exc, "detail", str(exc)), 2)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"round {report.round_id}: {report.projects} projects, {report.ballots} ballots, rule {report.rule}; "
               "it is counted within seconds and published by staff (POST /api/v1/admin/rounds/{id}/publish)")


@cli.group()
def regions() -> None:
    """Kazakhstan's regions (the KATO tree)."""


def _label(region: dict) -> str:
    name = region.get("name") or {}
    return f"{region['kato']} {name.get('ru', '')} / {name.get('kk', '')}"


@regions.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--levels", default=2, show_default=True, type=click.IntRange(1, 5),
              help="how deep to go: 1 oblasts and cities of republican significance, 2 their districts and "
                   "cities, 3 rural districts and towns, ...")
def regions_import(file: str, levels: int) -> None:
    """Load the official KATO classifier (CSV or XLSX as stat.gov.kz publishes it); safe to run again."""
    from core.regions import KatoFileError, import_regions, read_kato_file
    from infra.migrations import migrate as run_migrations

    try:
        parsed = read_kato_file(file, levels)
    except KatoFileError as exc:
        fail(str(exc), 2)
    for problem in parsed.problems:
        click.echo(f"skipped {problem}", err=True)
    if not parsed.regions:
        fail(f"{file}: no valid region found ({len(parsed.problems)} rows skipped)", 2)
    asyncio.run(run_migrations(get_settings()))
    report = run(lambda: import_regions("cli:regions-import", parsed))
    for region in report.added:
        click.echo(f"added {_label(region)} (level {region['level']})")
    for before, after in report.renamed:
        click.echo(f"renamed {_label(before)} -> {after['name']['ru']} / {after['name']['kk']}")
    for region, old_parent in report.moved:
        click.echo(f"moved {region['kato']}: parent {old_parent} -> {region['parent']}")
    for kato, old, new in report.population:
        click.echo(f"population {kato}: {old} -> {new}")
    for region in report.not_in_file:
        click.echo(f"not in the file (kept, rounds may refer to it): {_label(region)}")
    click.echo(f"{len(report.added)} added, {len(report.renamed)} renamed, {len(report.moved)} moved, "
               f"{len(report.population)} population changes, {report.unchanged} unchanged, "
               f"{len(report.not_in_file)} not in the file, {len(parsed.problems)} rows skipped")


@regions.command("set-population")
@click.argument("kato")
@click.argument("population", type=click.IntRange(min=0))
def regions_set_population(kato: str, population: int) -> None:
    """Set a region's population (thresholds depend on it)."""
    from core.regions import set_population
    from infra.errors import DomainError

    try:
        before = run(lambda: set_population("cli:regions", kato, population))
    except DomainError as exc:
        fail(exc.detail, 2)
    click.echo(f"population {kato}: {before} -> {population}")


@cli.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first broken entry."""
    from core.audit import verify_chain

    report = run(verify_chain)
    if report.broken_id is not None:
        fail(f"audit chain broken at entry {report.broken_id}: {report.reason} "
             f"({report.entries} entries before it are intact)")
    click.echo(f"audit chain ok: {report.entries} entries")


cli.add_command(tally)
cli.add_command(verify_command)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cli()
