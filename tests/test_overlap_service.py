"""Overlaps recorded and answered, on both databases; sentence vectors stored and reused."""

from __future__ import annotations

import asyncio
import zlib

import numpy
import pytest
from sqlmodel import func, select

from bot.claims import ClaimRefused, Claims
from bot.directory import People
from bot.overlaps.service import Overlaps, OverlapView, PairSettled
from config.policy import parse_policy
from storage import directory, efforts, members
from storage.db import Database
from storage.directory import PersonRecord
from storage.efforts import ChannelRecord
from storage.models import Effort, EffortVector, Overlap, utcnow

POLICY = parse_policy(
    """
admins = ["U0ADMIN0001"]
[[silos]]
name = "Marketing"
aliases = ["mktg"]
members = ["U0MARIA0001"]
[[silos]]
name = "PR"
members = ["U0PRIYA0001"]
[[silos]]
name = "Customer Support"
aliases = ["cs"]
members = ["U0SAMSA0001"]
"""
)
MARIA, PRIYA, SAM, ADMIN, LEE = (
    "U0MARIA0001",
    "U0PRIYA0001",
    "U0SAMSA0001",
    "U0ADMIN0001",
    "U0LEELE0001",
)

TRIPLE = [
    (MARIA, "channel", "mktg-social-listening", "Monitor brand mentions on Twitter"),
    (SAM, "channel", "cs-twitter-monitoring", "Track complaints on social"),
    (
        PRIYA,
        "initiative",
        "Brand sentiment tracking",
        "PR initiative to measure public sentiment about the brand across social media and news",
    ),
]
UNRELATED = (LEE, "channel", "fin-quarterly-tax", "Quarterly tax filing and audit preparation")


@pytest.fixture
async def world(db: Database):
    async with db.session() as session:
        ws = await directory.workspace_id(session, "", "T1")
        silos = await directory.ensure_silos(
            session, ws, [("Marketing", ["mktg"]), ("PR", []), ("Customer Support", ["cs"])]
        )
        await directory.upsert_people(
            session, ws, [PersonRecord(u, u.lower()) for u in (MARIA, PRIYA, SAM, ADMIN, LEE)]
        )
        await directory.replace_memberships(
            session,
            ws,
            "policy",
            {MARIA: silos["Marketing"], PRIYA: silos["PR"], SAM: silos["Customer Support"]},
        )
    claims = Claims(db, POLICY)
    return ws, claims, Overlaps(db, POLICY, claims, People(db, POLICY))


async def add_effort(db: Database, ws: int, owner: str, kind: str, title: str, text: str):
    effort = Effort(
        workspace_id=ws,
        kind=kind,
        title=title,
        description=text,
        channel_id=f"C{abs(hash(title)) % 10**9:09d}" if kind == "channel" else None,
        created_by=owner,
    )
    async with db.session() as session:
        session.add(effort)
        await session.commit()
    return effort


async def claimed_triple(db, world):
    ws, claims, _ = world
    made = []
    for owner, kind, title, text in (*TRIPLE, UNRELATED):
        effort = await add_effort(db, ws, owner, kind, title, text)
        await claims.claim(ws, owner, effort)
        made.append(effort)
    return made


async def open_pair(service: Overlaps, ws: int, one: Effort, other: Effort) -> OverlapView:
    return next(
        view
        for view in await service.open_pairs(ws)
        if {view.a.effort.id, view.b.effort.id} == {one.id, other.id}
    )


async def test_the_social_triple_is_found_across_silos_and_explained(db, world):
    ws, _, service = world
    listening, twitter, sentiment, tax = await claimed_triple(db, world)
    report = await service.scan(ws)
    assert report.pairs >= 2
    assert any({listening.id, twitter.id, sentiment.id} <= set(g) for g in report.clusters)
    found = await service.open_pairs(ws)
    involved = {i for v in found for i in (v.a.effort.id, v.b.effort.id)}
    assert {listening.id, twitter.id, sentiment.id} <= involved
    assert tax.id not in involved
    assert all(
        v.band in {"likely the same effort", "possibly related"} and v.reasons for v in found
    )
    assert all(len(v.a.silos + v.b.silos) == 2 and v.a.silos != v.b.silos for v in found)


async def test_open_pairs_across_silos_come_first_then_the_highest_scores(db, world):
    ws, claims, service = world
    made = [
        await add_effort(db, ws, owner, "channel", title, "")
        for owner, title in [(MARIA, "mktg-a"), (MARIA, "mktg-b"), (SAM, "cs-a"), (SAM, "cs-b")]
    ]
    for effort in made:
        await claims.claim(ws, effort.created_by, effort)
    mktg_a, mktg_b, cs_a, cs_b = (effort.id for effort in made)
    scored = [(mktg_a, mktg_b, 0.98), (mktg_a, cs_a, 0.9), (mktg_b, cs_b, 0.95), (cs_a, cs_b, 0.99)]
    async with db.session() as session:
        session.add_all(
            Overlap(workspace_id=ws, effort_a_id=a, effort_b_id=b, score=score)
            for a, b, score in scored
        )
        await session.commit()
    ranked = [(v.overlap.effort_a_id, v.overlap.effort_b_id) for v in await service.open_pairs(ws)]
    assert ranked == [(mktg_b, cs_b), (mktg_a, cs_a), (cs_a, cs_b), (mktg_a, mktg_b)]


async def test_a_new_effort_is_checked_against_all_others(db, world):
    ws, _, service = world
    listening, *_ = await claimed_triple(db, world)
    fresh = await add_effort(
        db, ws, LEE, "initiative", "Social listening dashboard", "Brand mentions on Twitter"
    )
    views = await service.check(ws, fresh)
    assert listening.id in {i for v in views for i in (v.a.effort.id, v.b.effort.id)}


async def test_people_taking_part_in_both_are_a_reason(db, world):
    ws, _, service = world
    listening, twitter, *_ = await claimed_triple(db, world)
    private = await add_effort(
        db, ws, LEE, "channel", "brand-mentions-apac", "Monitor brand mentions on Twitter in APAC"
    )
    async with db.session() as session:
        (await efforts.efforts(session, [private.id]))[private.id].is_private = True
        await session.commit()
        await members.replace_members(session, ws, private.channel_id, [MARIA, LEE])
    views = await service.check(ws, private)
    reasons = {
        other: view.reasons
        for view in views
        for other in (view.a.effort.id, view.b.effort.id)
        if other != private.id
    }
    assert "1 member in common" in reasons[listening.id]  # Maria owns it and is in the channel
    assert not any("in common" in reason for reason in reasons.get(twitter.id, []))


async def reword_materially(db, effort):
    """The effort's description rewritten so that less than 80% of its words stay."""
    async with db.session() as session:
        edited = (await efforts.efforts(session, [effort.id]))[effort.id]
        edited.description = "Monitor brand mentions and social media listening on Twitter"
        edited.updated_at = utcnow()
        await session.commit()
    return edited


async def test_a_dismissed_pair_stays_dismissed_until_a_text_changes_materially(db, world):
    ws, _, service = world
    listening, twitter, *_ = await claimed_triple(db, world)
    await service.scan(ws)
    pair = await open_pair(service, ws, listening, twitter)
    await service.decide(ws, pair.overlap.id, MARIA, "not")

    await service.scan(ws)
    await service.check(ws, twitter)
    assert pair.overlap.id not in {v.overlap.id for v in await service.open_pairs(ws)}

    edited = await reword_materially(db, twitter)
    reopened = await service.check(ws, edited)
    assert pair.overlap.id in {v.overlap.id for v in reopened}


async def test_a_pair_dismissed_in_one_process_stays_dismissed_in_another(db, world):
    """A web process dismisses a pair the long-running worker already knows."""
    ws, claims, worker = world
    listening, twitter, *_ = await claimed_triple(db, world)
    web = Overlaps(db, POLICY, claims, People(db, POLICY))
    await worker.scan(ws)
    pair = await open_pair(web, ws, listening, twitter)
    await web.decide(ws, pair.overlap.id, MARIA, "not")

    await worker.scan(ws)
    await worker.check(ws, twitter)
    assert pair.overlap.id not in {v.overlap.id for v in await web.open_pairs(ws)}

    await reword_materially(db, twitter)
    await worker.scan(ws)
    assert pair.overlap.id in {v.overlap.id for v in await web.open_pairs(ws)}


async def test_same_effort_merges_and_moves_the_claims(db, world):
    ws, claims, service = world
    listening, twitter, *_ = await claimed_triple(db, world)
    await service.scan(ws)
    view = await open_pair(service, ws, listening, twitter)
    decided = await service.decide(ws, view.overlap.id, MARIA, "same")
    assert decided.overlap.state == "merged"
    kept = await claims.ownership(listening)
    assert {o.slack_id for o in kept.owners} == {MARIA, SAM}
    async with db.session() as session:
        merged = (await efforts.efforts(session, [twitter.id]))[twitter.id]
    assert (merged.status, merged.merged_into_id) == ("merged", listening.id)
    remaining = await service.open_pairs(ws)
    assert all(twitter.id not in (v.a.effort.id, v.b.effort.id) for v in remaining)


async def test_no_answer_about_an_archived_effort(db, world):
    """As from an old message: the channel was archived since the pair was raised."""
    ws, claims, service = world
    listening, twitter, *_ = await claimed_triple(db, world)
    await service.scan(ws)
    view = await open_pair(service, ws, listening, twitter)
    async with db.session() as session:
        await efforts.set_channel_status(session, ws, twitter.channel_id, "archived")
    with pytest.raises(PairSettled) as settled:
        await service.decide(ws, view.overlap.id, MARIA, "same")
    assert (settled.value.gone.id, settled.value.merged_into) == (twitter.id, None)
    assert {o.slack_id for o in (await claims.ownership(listening)).owners} == {MARIA}


async def test_related_links_the_pair(db, world):
    ws, _, service = world
    await claimed_triple(db, world)
    await service.scan(ws)
    view = (await service.open_pairs(ws))[0]
    decided = await service.decide(ws, view.overlap.id, ADMIN, "related")
    assert (decided.overlap.state, decided.overlap.decided_by) == ("linked", ADMIN)


async def test_only_owners_or_admins_answer(db, world):
    ws, _, service = world
    await claimed_triple(db, world)
    await service.scan(ws)
    view = (await service.open_pairs(ws))[0]
    with pytest.raises(ClaimRefused, match="owners of these efforts"):
        await service.decide(ws, view.overlap.id, LEE, "not")


class HashingEncoder:
    """A stand-in for the sentence model: each word adds to one of 64 axes. Counts its work."""

    model = "hashing-test"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> numpy.ndarray:
        self.encoded += texts
        vectors = numpy.zeros((len(texts), 64), dtype=numpy.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, zlib.crc32(word.encode()) % 64] += 1
        return vectors / numpy.linalg.norm(vectors, axis=1, keepdims=True)


async def stored_vectors(db: Database) -> int:
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(EffortVector))).one()


async def test_vectors_are_encoded_once_and_reused_by_the_next_process(db, world):
    ws, claims, _ = world
    made = await claimed_triple(db, world)
    encoder = HashingEncoder()
    first = Overlaps(db, POLICY, claims, People(db, POLICY), encoder)
    found_first = await first.scan(ws)
    assert len(encoder.encoded) == len(made) == await stored_vectors(db)
    assert found_first.pairs

    restarted = Overlaps(db, POLICY, claims, People(db, POLICY), encoder)
    assert await restarted.scan(ws) == found_first
    assert len(encoder.encoded) == len(made)


async def test_an_effort_checked_after_the_fill_is_encoded_once_and_stored(db, world):
    ws, claims, _ = world
    listening, *_ = made = await claimed_triple(db, world)
    encoder = HashingEncoder()
    service = Overlaps(db, POLICY, claims, People(db, POLICY), encoder)
    await service.prepare(ws)
    fresh = await add_effort(
        db, ws, LEE, "initiative", "Social listening dashboard", "Brand mentions on Twitter"
    )
    views = await service.check(ws, fresh)
    assert listening.id in {i for v in views for i in (v.a.effort.id, v.b.effort.id)}
    assert encoder.encoded[len(made) :] == ["Social listening dashboard: Brand mentions on Twitter"]
    assert await stored_vectors(db) == len(made) + 1

    await Overlaps(db, POLICY, claims, People(db, POLICY), encoder).prepare(ws)
    assert len(encoder.encoded) == len(made) + 1


async def test_a_sync_after_a_merge_keeps_it_and_the_stored_vectors(db, world):
    """`python -m bot sync` on an unchanged workspace: the merged channel stays merged, and the
    next process encodes nothing again."""
    ws, claims, _ = world
    listening, twitter, *_ = made = await claimed_triple(db, world)
    encoder = HashingEncoder()
    first = Overlaps(db, POLICY, claims, People(db, POLICY), encoder)
    await first.scan(ws)
    await first.decide(
        ws, (await open_pair(first, ws, listening, twitter)).overlap.id, MARIA, "same"
    )
    channels = [e for e in made if e.kind == "channel"]
    async with db.session() as session:
        await efforts.upsert_channels(
            session,
            ws,
            [ChannelRecord(e.channel_id, e.title, purpose=e.description) for e in channels],
        )
        assert (await efforts.by_channel(session, ws, twitter.channel_id)).status == "merged"
    encoded = len(encoder.encoded)

    await Overlaps(db, POLICY, claims, People(db, POLICY), encoder).scan(ws)
    assert len(encoder.encoded) == encoded


async def test_requests_arriving_together_fill_the_index_once(db, world):
    """Claims answered at once, right after a start: one fill, each vector encoded once."""
    ws, claims, _ = world
    made = await claimed_triple(db, world)
    encoder = HashingEncoder()
    service = Overlaps(db, POLICY, claims, People(db, POLICY), encoder)
    checked = await asyncio.gather(*(service.check(ws, effort) for effort in made))
    assert any(views for views in checked)
    assert len(encoder.encoded) == len(made) == await stored_vectors(db)


async def test_pairs_found_by_several_checks_at_once_are_recorded_once(db, world):
    """As when a web process and the worker, or two claims, look at once."""
    ws, _, service = world
    await claimed_triple(db, world)
    await service.prepare(ws)
    matches = service._indexes[ws].engine.scan()
    recorded = await asyncio.gather(
        *(service._record(ws, service._indexes[ws].engine, matches) for _ in range(3))
    )
    assert len({row.id for rows in recorded for row in rows}) == len(matches) >= 2
    assert len(await service.open_pairs(ws)) == len(matches)
