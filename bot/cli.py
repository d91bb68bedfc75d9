"""`python -m bot …` (also installed as `roundtable`): run, check and operate Roundtable."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from config.settings import Settings, SettingsError, load_settings

# One BLAS thread: comparing one effort's vector with thousands of stored ones is a small matrix
# product, and on a small machine a thread pool makes it 20x slower, not faster (bench/).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    command: Callable[[argparse.Namespace, Settings], int] = args.run
    try:
        code = command(args, settings)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) is gone: say nothing, and keep Python's exit flush from failing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roundtable", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, run: Callable, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    add("serve", _serve, "HTTP mode: Slack requests on POST /slack/events, GET /health.")
    add("socket", _socket, "Socket Mode, for development behind a firewall (SLACK_APP_TOKEN).")
    add("sync", _sync, "Backfill channels, people and user groups from the workspace.")
    worker = add(
        "worker", _worker, "Run scheduled jobs (the nightly workspace sync and overlap scan)."
    )
    worker.add_argument("--once", action="store_true", help="run every job once and exit")
    audit = add("audit", _audit, "Find overlapping efforts in a Slack export, offline.")
    audit.add_argument("path", help="export folder or zip (channels.json), or initiatives JSON")
    audit.add_argument("--json", action="store_true", help='print {"pairs": [...]}')
    overlaps = add("overlaps", _overlaps, "Scan all workspaces now, or re-fit the threshold.")
    overlaps.add_argument("action", choices=["scan", "tune"])
    add("check", _check, "Validate settings, the policy file and the database.")
    add("migrate", _migrate, "Bring the database schema up to date.")
    manifest = add("manifest", _manifest, "Print the Slack app manifest for a deployment.")
    where = manifest.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="public base URL of the HTTP deployment")
    where.add_argument("--socket", action="store_true", help="a manifest for Socket Mode")
    demo = add("demo", _demo, "Replay a cross-silo scenario on the built-in sandbox workspace.")
    demo.add_argument("--out", type=Path, help="folder for the transcript (created if missing)")
    return parser


def _serve(_args: argparse.Namespace, settings: Settings) -> int:
    from bot.runners import serve

    return _refuse(settings.problems_for_serve()) or asyncio.run(serve(settings))


def _socket(_args: argparse.Namespace, settings: Settings) -> int:
    from bot.runners import socket_mode

    return _refuse(settings.problems_for_socket()) or asyncio.run(socket_mode(settings))


def _sync(_args: argparse.Namespace, settings: Settings) -> int:
    from bot.runners import sync

    problems = [p for p in settings.problems_for_serve() if "SLACK_BOT_TOKEN" in p]
    return _refuse(problems) or asyncio.run(sync(settings))


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runners import worker

    return asyncio.run(worker(settings, once=args.once))


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.overlaps.audit import main as audit
    from bot.services import shared_encoder
    from config.policy import PolicyError, load_policy

    try:
        policy = load_policy(settings.policy_path)
    except PolicyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return audit(args.path, args.json, policy, shared_encoder())


def _overlaps(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runners import overlaps

    return asyncio.run(overlaps(settings, args.action))


def _check(_args: argparse.Namespace, settings: Settings) -> int:
    from bot.check import run_check

    return asyncio.run(run_check(settings))


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from bot.runners import migrate

    return asyncio.run(migrate(settings))


def _manifest(args: argparse.Namespace, _settings: Settings) -> int:
    from bot.manifest import build_manifest, render

    if args.url and not args.url.startswith("https://"):
        print("error: --url must be the public https:// address Slack can reach", file=sys.stderr)
        return 2
    print(render(build_manifest(args.url, socket_mode=args.socket)), end="")
    return 0


def _demo(args: argparse.Namespace, _settings: Settings) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(args.out))


def _refuse(problems: list[str]) -> int:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2 if problems else 0
