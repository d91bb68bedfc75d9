"""How fast `/coe who #channel` and `/coe claim #channel` are acknowledged, over real HTTP.

The sandbox driver signs each slash command and POSTs it to the real app served by
`local_deployment` with `process_before_response=False`, as in production, and times the HTTP
round trip until the ack (the reply Slack shows). The database holds `--efforts` channels and
`--people` people with silo memberships; half of the channels have an owner. `who` asks about
random owned channels; every `claim` takes a different unowned channel, so no row is hot.

    .venv/bin/python -m bench.ack_latency [--db sqlite|postgresql|both] [--requests 500]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import select

from bench.common import (
    DB_KINDS,
    POSTGRES_URL,
    SILOS,
    Member,
    Population,
    Room,
    fresh_database,
    peak_rss_mib,
    percentile,
    populate,
    print_table,
)
from bot.local import after_acks_done, local_deployment
from bot.sandbox import Sandbox
from bot.services import Services
from storage import directory, efforts
from storage.db import Database
from storage.directory import PersonRecord
from storage.efforts import ChannelRecord
from storage.models import Claim, Effort

HEADERS = ("db", "command", "n", "p50 ms", "p99 ms", "max ms")
TARGET_P99_MS = 100.0


@dataclass(frozen=True)
class Request:
    """One slash command to send, and a piece of text its ack must contain."""

    text: str
    user: str
    expect: str


@dataclass(frozen=True)
class Owned:
    room: Room
    owner: str


async def seed(db: Database, team_id: str, population: Population) -> list[Owned]:
    """Store the people, channels, silos and memberships; give the first half of the channels
    an owner. Returns the owned channels."""
    async with db.session() as session:
        workspace = await directory.workspace_id(session, "", team_id)
        await directory.upsert_people(session, workspace, map(_person, population.people))
        await efforts.upsert_channels(session, workspace, map(_channel, population.channels))
        silo_ids = await directory.ensure_silos(session, workspace, [(s, []) for s in SILOS])
        homes = {m.slack_id: silo_ids[m.silo] for m in population.people}
        await directory.replace_memberships(session, workspace, "title", homes)
    people = population.people
    rooms = population.channels[: len(population.channels) // 2]
    owned = [Owned(room, people[i % len(people)].slack_id) for i, room in enumerate(rooms)]
    await _seed_claims(db, workspace, owned, homes)
    return owned


def _person(member: Member) -> PersonRecord:
    return PersonRecord(member.slack_id, member.name, real_name=member.name, title=member.title)


def _channel(room: Room) -> ChannelRecord:
    return ChannelRecord(room.channel_id, room.name, purpose=room.purpose, created_by=room.creator)


async def _seed_claims(
    db: Database, workspace: int, owned: Sequence[Owned], homes: dict[str, int]
) -> None:
    async with db.session() as session:
        found = await session.exec(
            select(Effort.channel_id, Effort.id).where(Effort.workspace_id == workspace)
        )
        effort_ids = dict(found.all())
        session.add_all(
            Claim(
                workspace_id=workspace,
                effort_id=effort_ids[o.room.channel_id],
                silo_id=homes[o.owner],
                owner_slack_id=o.owner,
            )
            for o in owned
        )
        await session.commit()


async def fill_overlap_index(kind: str, services: Services, team_id: str) -> None:
    """What the start-up sync does last: fill the overlap index (encoding every effort's
    sentence vector in semantic mode), so that the timed claims find it ready."""
    started = time.perf_counter()
    workspace = await services.workspaces.resolve(None, team_id)
    await services.overlaps.prepare(workspace)
    took = time.perf_counter() - started
    print(f"{kind}: overlap index filled ({services.overlaps.mode} mode) in {took:.1f} s")


def who_requests(
    owned: Sequence[Owned], people: Sequence[str], count: int, rng: random.Random
) -> list[Request]:
    picks = rng.choices(owned, k=count)
    return [
        Request(f"who <#{o.room.channel_id}|{o.room.name}>", rng.choice(people), f"<@{o.owner}>")
        for o in picks
    ]


def claim_requests(
    rooms: Sequence[Room], people: Sequence[str], rng: random.Random
) -> list[Request]:
    return [
        Request(f"claim <#{r.channel_id}|{r.name}>", rng.choice(people), "You now own")
        for r in rooms
    ]


async def send(sandbox: Sandbox, requests: Sequence[Request]) -> list[float]:
    """Send the commands one after another; each ack's round trip in milliseconds."""
    elapsed = []
    for request in requests:
        reply = await sandbox.driver.command("/coe", request.text, user_id=request.user)
        if reply.status != 200 or request.expect not in reply.body_text:
            problem = f"HTTP {reply.status}: {reply.body_text[:300]}"
            raise RuntimeError(f"/coe {request.text} was not answered as expected: {problem}")
        elapsed.append(reply.elapsed * 1000)
    return elapsed


def row(kind: str, command: str, samples: Sequence[float]) -> tuple[object, ...]:
    figures = (percentile(samples, 50), percentile(samples, 99), max(samples))
    return (kind, command, len(samples), *(f"{ms:.1f}" for ms in figures))


async def bench(kind: str, args: argparse.Namespace) -> list[tuple[object, ...]]:
    rng = random.Random(args.seed)
    async with fresh_database(kind, args.postgres_url) as db, Sandbox() as sandbox:
        population = populate(sandbox, args.people, args.efforts)
        started = time.perf_counter()
        owned = await seed(db, sandbox.team_id, population)
        print(
            f"{kind}: seeded {args.people} people, {args.efforts} efforts, {len(owned)} claims"
            f" in {time.perf_counter() - started:.1f} s"
        )
        people = [m.slack_id for m in population.people]
        unowned = population.channels[len(owned) :]
        warm, n = args.warmup, args.requests
        inline = args.process_before_response
        async with local_deployment(sandbox, db, process_before_response=inline) as deployment:
            await fill_overlap_index(kind, deployment.services, sandbox.team_id)
            await send(sandbox, who_requests(owned, people, warm, rng))
            await send(sandbox, claim_requests(unowned[:warm], people, rng))
            who = await send(sandbox, who_requests(owned, people, n, rng))
            claim = await send(sandbox, claim_requests(unowned[warm : warm + n], people, rng))
            waited = await after_acks_done()
    print(f"{kind}: work after the last ack (overlap checks, heads-ups) done {waited:.1f} s later")
    print(f"{kind}: peak RSS so far {peak_rss_mib():.0f} MiB")
    return [row(kind, "who #channel", who), row(kind, "claim #channel", claim)]


async def bench_all(args: argparse.Namespace) -> list[tuple[object, ...]]:
    kinds = DB_KINDS if args.db == "both" else (args.db,)
    rows = []
    for kind in kinds:
        rows += await bench(kind, args)
    return rows


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*DB_KINDS, "both"], default="both")
    parser.add_argument("--requests", type=int, default=500, help="timed requests per command")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per command")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--efforts", type=int, default=10000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--seed", type=int, default=1, help="random seed for who asks what")
    parser.add_argument(
        "--process-before-response",
        action="store_true",
        help="answer only once the listener returns (not production): the handler's own time,"
        " without Bolt's 10 ms polling for the ack",
    )
    args = parser.parse_args()
    if args.efforts < 2 * (args.warmup + args.requests):
        parser.error("--efforts must be at least twice --warmup + --requests (claims need rooms)")
    return args


def main() -> None:
    args = parse_args()
    rows = asyncio.run(bench_all(args))
    print()
    print_table(HEADERS, rows)
    print(f"\ntarget: p99 < {TARGET_P99_MS:.0f} ms (Slack allows 3000 ms)")


if __name__ == "__main__":
    main()
