"""The command line as an operator meets it: run as a real process in an empty folder."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.manifest import CHECKED_IN, build_manifest, render
from storage import directory
from storage.db import Database
from storage.models import Effort

ROOT = Path(__file__).resolve().parent.parent


def run_bot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_on_a_fresh_checkout_says_exactly_what_is_missing(tmp_path):
    result = run_bot("check", cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "missing: serve: SLACK_SIGNING_SECRET is not set" in out
    assert "missing: serve: SLACK_BOT_TOKEN is not set" in out
    assert "roundtable.db does not exist yet: run `python -m bot migrate`" in out
    assert "Policy: built-in defaults" in out


def test_check_masks_secrets_and_passes_when_ready(tmp_path):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1111-2222-topsecretvalue",
        "SLACK_SIGNING_SECRET": "abcdef0123456789secretsecret",
    }
    assert run_bot("migrate", cwd=tmp_path, env=env).returncode == 0
    result = run_bot("check", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: Roundtable is ready to run." in result.stdout
    assert "topsecretvalue" not in result.stdout
    assert "secretsecret" not in result.stdout
    assert "SLACK_SIGNING_SECRET     set (28 chars)" in result.stdout
    assert "SLACK_BOT_TOKEN          xoxb-… set (29 chars)" in result.stdout
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "LOG_LEVEL", "HOST", "PORT"):
        assert f"  {name} " in result.stdout


def test_check_names_a_policy_mistake(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[[silos]]\nname = "PR"\n\n[[silos]]\nname = "PR"\n')
    result = run_bot("check", cwd=tmp_path, env={"ROUNDTABLE_POLICY": str(policy)})
    assert result.returncode == 1
    assert "error: policy:" in result.stdout
    assert '"PR"' in result.stdout


def test_malformed_database_url_is_explained(tmp_path):
    result = run_bot("check", cwd=tmp_path, env={"DATABASE_URL": "db.internal:5432"})
    assert result.returncode == 2
    assert "DATABASE_URL is malformed" in result.stderr
    assert "postgresql://user:password@host:5432/dbname" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ROUNDTABLE_HUB_CHANNEL", "#general", "expected a Slack channel ID"),
        ("LOG_LEVEL", "verbose", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("DATABASE_URL", "postgresql://host:notaport/db", "DATABASE_URL is malformed"),
    ],
)
def test_check_refuses_what_serve_refuses_in_the_same_words(tmp_path, name, value, expected):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", name: value}
    check, serve = (run_bot(command, cwd=tmp_path, env=env) for command in ("check", "serve"))
    assert check.returncode == serve.returncode == 2
    assert check.stderr == serve.stderr
    assert check.stderr.startswith("error: ") and expected in check.stderr
    assert len(check.stderr.splitlines()) == 1


def test_migrate_against_an_unreachable_database_says_so_in_one_line(tmp_path):
    env = {"DATABASE_URL": "postgres://app:hunter2@127.0.0.1:9/rt"}
    result = run_bot("migrate", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: the database postgresql+asyncpg://app:***@127.0.0.1:9/rt is unreachable: "
    )
    assert len(result.stderr.splitlines()) == 1


def test_a_database_newer_than_roundtable_says_to_upgrade_roundtable(tmp_path):
    assert run_bot("migrate", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "roundtable.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    check = run_bot("check", cwd=tmp_path, env=env)
    migrate = run_bot("migrate", cwd=tmp_path, env=env)
    serve = run_bot("serve", cwd=tmp_path, env=env)
    newer = "newer than this version of Roundtable"
    assert check.returncode == 1 and "error: database: the database schema (revision 9999) is" in (
        check.stdout
    )
    assert newer in check.stdout and "upgrade Roundtable" in check.stdout
    assert "run `python -m bot migrate`" not in check.stdout
    for refused in (migrate, serve):
        assert refused.returncode == 2
        assert refused.stderr.startswith("error: the database schema (revision 9999) is newer")
        assert len(refused.stderr.splitlines()) == 1


def test_serve_without_signing_secret_names_it(tmp_path):
    result = run_bot("serve", cwd=tmp_path, env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "Signing Secret" in result.stderr


def test_serve_refuses_an_outdated_schema_and_names_the_fix(tmp_path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    result = run_bot("serve", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "run `python -m bot migrate`" in result.stderr


def test_migrate_then_migrate_again_is_harmless(tmp_path):
    first = run_bot("migrate", cwd=tmp_path)
    second = run_bot("migrate", cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert "schema up to date" in second.stdout


def test_manifest_for_a_deployment_url(tmp_path):
    result = run_bot("manifest", "--url", "https://rt.acme.com/", cwd=tmp_path)
    manifest = json.loads(result.stdout)
    assert manifest["settings"]["event_subscriptions"]["request_url"] == (
        "https://rt.acme.com/slack/events"
    )
    assert manifest["features"]["slash_commands"][0]["url"] == "https://rt.acme.com/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_manifest_for_socket_mode_has_no_urls(tmp_path):
    manifest = json.loads(run_bot("manifest", "--socket", cwd=tmp_path).stdout)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "url" not in manifest["features"]["slash_commands"][0]


def test_checked_in_manifest_is_the_generated_one():
    assert CHECKED_IN.read_text() == render(build_manifest()), (
        "manifest.json is stale: regenerate it with "
        "`python -m bot manifest --url https://roundtable.example.com > manifest.json`"
    )


DATA = ROOT / "tests" / "data"


def test_audit_of_a_slack_export_prints_pairs_as_json(tmp_path):
    result = run_bot("audit", str(DATA / "houstondatavis_slack.json"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pairs = json.loads(result.stdout)["pairs"]
    assert pairs and set(pairs[0]) == {"a", "b", "score", "reasons"}
    assert {"meetup", "meetup-"} in [{p["a"], p["b"]} for p in pairs]
    assert all(p["reasons"] and 0 <= p["score"] <= 1 for p in pairs)


def test_audit_of_initiatives_reads_like_a_report(tmp_path):
    initiatives = tmp_path / "initiatives.json"
    initiatives.write_text(
        json.dumps(
            [
                {"title": "Monitor brand mentions on Twitter", "description": "Marketing"},
                {"title": "Track complaints on social", "description": "Customer Support"},
                {"title": "Brand sentiment tracking", "description": "Sentiment on social media"},
                {"title": "Quarterly tax filing", "description": "Finance"},
            ]
        )
    )
    result = run_bot("audit", str(initiatives), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Brand sentiment tracking" in result.stdout
    assert "Quarterly tax filing" not in result.stdout.split("Overlapping pairs")[-1]


def test_audit_of_a_missing_export_says_so(tmp_path):
    result = run_bot("audit", str(tmp_path / "nowhere.zip"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error:")


def test_worker_once_and_overlap_commands_on_a_fresh_database(tmp_path):
    assert run_bot("migrate", cwd=tmp_path).returncode == 0
    worker = run_bot("worker", "--once", cwd=tmp_path)
    assert worker.returncode == 0, worker.stderr
    scan = run_bot("overlaps", "scan", cwd=tmp_path)
    assert scan.returncode == 0 and scan.stdout.startswith("ok: 0 overlapping pairs")
    tune = run_bot("overlaps", "tune", cwd=tmp_path)
    assert tune.returncode == 1
    assert "not enough answers yet: 0 answered pairs" in tune.stdout


async def test_overlaps_scan_names_each_cluster(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'scan.db'}"}
    assert run_bot("migrate", cwd=tmp_path, env=env).returncode == 0
    db = Database(env["DATABASE_URL"].replace("sqlite:", "sqlite+aiosqlite:"))
    async with db.session() as session:
        workspace = await directory.workspace_id(session, "", "T1")
        session.add_all(
            Effort(workspace_id=workspace, kind=kind, title=title, description=text, channel_id=c)
            for kind, c, title, text in (
                ("channel", "C1", "mktg-social-listening", "Monitor brand mentions on Twitter"),
                ("channel", "C2", "cs-twitter-monitoring", "Track brand complaints on Twitter"),
                ("initiative", None, "Brand mentions on Twitter", "Track brand mentions"),
                ("channel", "C3", "fin-quarterly-tax", "Quarterly tax filing"),
            )
        )
        await session.commit()
    await db.dispose()

    scan = run_bot("overlaps", "scan", cwd=tmp_path, env=env)

    assert scan.returncode == 0, scan.stderr
    summary, cluster = [line for line in scan.stdout.splitlines() if " INFO " not in line]
    assert summary.startswith("ok: ") and "overlapping pairs in 1 workspaces" in summary
    assert cluster.startswith("Cluster 1: one effort in 3 places: ")
    named = set(cluster.removeprefix("Cluster 1: one effort in 3 places: ").split(", "))
    assert named == {
        "#mktg-social-listening",
        "#cs-twitter-monitoring",
        "“Brand mentions on Twitter”",
    }


def test_audit_into_a_closed_pipe_ends_quietly(tmp_path):
    audit = subprocess.Popen(
        [sys.executable, "-m", "bot", "audit", str(DATA / "houstondatavis_slack.json")],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    audit.stdout.close()  # like `| head`, done reading before the audit is done printing
    _, errors = audit.communicate(timeout=60)
    assert errors.decode() == ""
    assert audit.returncode == 1
