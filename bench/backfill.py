"""How long the start-up backfill of a large workspace takes under Slack's rate limits.

The sandbox holds `--channels` public channels and `--people` people and answers 429 beyond
Tier 2 (20 calls a minute, bursts of `bot.pacing.BURST`) on users.list, usergroups.list and
conversations.list. Both sides run `--speed` times faster: the sandbox allows 20 x speed calls
a minute and the app's pacer budgets the same. `bot.startup.backfill` then backfills the
workspace into a fresh database, and the run is compared with the least time the limits allow.

    .venv/bin/python -m bench.backfill [--channels 10000] [--speed 20] [--db both]

The work that is not paced (auth.test, writing the last page, the people) takes the same
fraction of a second at any speed, so the faster the limits, the larger its share: at 20 times
Slack's speed the limits force 7.5 s, at 60 times 2.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

from bench.common import (
    DB_KINDS,
    POSTGRES_URL,
    fresh_database,
    peak_rss_mib,
    populate,
    print_table,
)
from bot.gateway import PAGE_SIZE
from bot.pacing import BURST, TIERS, Pacer
from bot.sandbox import Sandbox
from bot.services import Services
from bot.startup import backfill
from config.settings import Settings
from storage import directory, efforts
from storage.db import Database

LIMITED = ("users.list", "usergroups.list", "conversations.list")
HEADERS = ("method", "calls", "429s", "forced s", "first→last call s")
TARGET_OVERHEAD = 0.10


@dataclass(frozen=True)
class MethodFigures:
    method: str
    calls: int  # answered, not 429
    limited: int  # answered 429
    forced: float  # least seconds from the first call to the last that the limit allows
    span: float  # measured seconds from the first call to the last

    def cells(self) -> tuple[object, ...]:
        return (self.method, self.calls, self.limited, f"{self.forced:.2f}", f"{self.span:.2f}")


def forced_seconds(calls: int, per_minute: float, burst: int) -> float:
    """The bucket starts full, so the first `burst` calls go at once and every further call
    waits for one token: 60 / per_minute seconds."""
    return max(0, calls - burst) * 60 / per_minute


def method_figures(sandbox: Sandbox, method: str, per_minute: float) -> MethodFigures:
    calls = sandbox.calls_to(method)
    answered = [call for call in calls if call.status != 429]
    span = answered[-1].at - answered[0].at if answered else 0.0
    forced = forced_seconds(len(answered), per_minute, BURST)
    return MethodFigures(method, len(answered), len(calls) - len(answered), forced, span)


def limit_sandbox(sandbox: Sandbox, speed: float) -> dict[str, float]:
    """Tier limits on the backfill's methods, sped up; returns calls a minute by method."""
    limits = {method: TIERS[method] * speed for method in LIMITED}
    for method, per_minute in limits.items():
        sandbox.set_rate_limit(method, per_minute=per_minute, burst=BURST)
    return limits


async def stored_counts(db: Database, team_id: str) -> tuple[int, int]:
    """(people, channels) the database holds for the sandbox's workspace."""
    async with db.session() as session:
        workspace = await directory.workspace_id(session, "", team_id)
        people = await directory.count_people(session, workspace)
        # Every channel of the benchmark is public: visible to anyone, such as nobody ("").
        channels = len(await efforts.titles(session, workspace, "channel", viewer=""))
    return people, channels


async def run_backfill(sandbox: Sandbox, db: Database, speed: float) -> float:
    """Run the start-up backfill with a pacer at `speed`; returns the seconds it took (not
    counting the overlap index fill that follows it at start-up)."""
    settings = Settings(
        slack_bot_token=sandbox.bot_token, slack_api_url=sandbox.api_url, database_url=db.url
    )
    services = Services.build(settings, db=db, pacer=Pacer(speed=speed))
    started = time.perf_counter()
    await backfill(services, sandbox.bot_token)
    return time.perf_counter() - started


def report(kind: str, figures: list[MethodFigures], measured: float, sandbox: Sandbox) -> None:
    print(f"\n{kind}:")
    print_table(HEADERS, [f.cells() for f in figures])
    forced = sum(f.forced for f in figures)
    overhead = measured / forced - 1 if forced else float("nan")
    verdict = "within" if overhead <= TARGET_OVERHEAD else "over"
    print(f"pages fetched: {sum(f.calls for f in figures)} (page size {PAGE_SIZE})")
    print(f"least time the limits allow: {forced:.2f} s")
    print(f"measured: {measured:.2f} s, overhead {overhead:+.1%} ({verdict} the 10% target)")
    outside = measured - sum(f.span for f in figures)
    print(
        f"of which outside the paced calls (auth.test, DB writes between and after them): "
        f"{outside:.2f} s"
    )
    retried = ", each retried by the gateway: none reached the app's logic"
    count = sandbox.rate_limited_count
    print(f"429s from the sandbox: {count}{retried if count else ''}")


async def bench(kind: str, args: argparse.Namespace) -> None:
    async with fresh_database(kind, args.postgres_url) as db, Sandbox() as sandbox:
        populate(sandbox, args.people, args.channels)
        limits = limit_sandbox(sandbox, args.speed)
        measured = await run_backfill(sandbox, db, args.speed)
        figures = [method_figures(sandbox, m, limits[m]) for m in LIMITED]
        report(kind, figures, measured, sandbox)
        people, channels = await stored_counts(db, sandbox.team_id)
    everyone = args.people + 1  # and the bot user
    ok = "ok" if (people, channels) == (everyone, args.channels) else "MISSING ROWS"
    print(f"stored: {channels}/{args.channels} channels, {people}/{everyone} people: {ok}")
    print(f"peak RSS so far: {peak_rss_mib():.0f} MiB")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=10000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--speed", type=float, default=20.0, help="rate-limit speed-up, both sides")
    parser.add_argument("--db", choices=[*DB_KINDS, "both"], default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    return parser.parse_args()


async def bench_all(args: argparse.Namespace) -> None:
    for kind in DB_KINDS if args.db == "both" else (args.db,):
        await bench(kind, args)


def main() -> None:
    asyncio.run(bench_all(parse_args()))


if __name__ == "__main__":
    main()
