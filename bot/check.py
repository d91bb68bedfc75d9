"""`python -m bot check`: what is configured, what is missing, and how to fix each."""

from __future__ import annotations

from pathlib import Path

from config.policy import Policy, PolicyError, load_policy
from config.settings import Settings, mask_database_url
from storage.db import Database, DatabaseUnreachable


async def run_check(settings: Settings) -> int:
    """Print a report; exit code 1 when anything needs fixing before Roundtable can run."""
    print("Settings (secrets masked):")
    for env_name, shown in settings.masked().items():
        print(f"  {env_name:<24} {shown}")
    problems = [f"serve: {p}" for p in settings.problems_for_serve()]
    if not settings.slack_app_token:
        print("  (Socket Mode also needs SLACK_APP_TOKEN; HTTP mode does not.)")
    policy_problem = _check_policy(settings.policy_path)
    problems += [policy_problem] if policy_problem else []
    problems += await _check_database(settings.database_url)
    print()
    if not problems:
        print("ok: Roundtable is ready to run.")
        return 0
    for problem in problems:
        print(f"missing: {problem}" if "not set" in problem else f"error: {problem}")
    return 1


def _check_policy(path: Path | None) -> str | None:
    try:
        policy = load_policy(path)
    except PolicyError as error:
        return f"policy: {error}"
    print(f"Policy: {_describe_policy(path, policy)}")
    return None


def _describe_policy(path: Path | None, policy: Policy) -> str:
    source = str(path) if path else "built-in defaults (set ROUNDTABLE_POLICY to use a file)"
    return f"{source}: {len(policy.silos)} silos, {len(policy.rules)} rules"


async def _check_database(url: str) -> list[str]:
    shown = mask_database_url(url)
    sqlite_file = _sqlite_file(url)
    if sqlite_file and not sqlite_file.exists():
        return [f"database: {sqlite_file} does not exist yet: run `python -m bot migrate`"]
    db = Database(url)
    try:
        status = await db.schema_status()
    except DatabaseUnreachable as error:
        return [f"database: {error}"]
    finally:
        await db.dispose()
    print(f"Database: {shown}: {status.describe()}")
    return [] if status.up_to_date else [f"database: {status.describe()}"]


def _sqlite_file(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.partition(":///")[2]
    return Path(path) if path and path != ":memory:" else None
