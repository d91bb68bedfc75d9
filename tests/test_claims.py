"""Claims on both databases: permissions, contested claims, sharing, transfers, orphans."""

from __future__ import annotations

import pytest

from bot.claims import ClaimRefused, Claims
from config.policy import parse_policy
from storage import directory, efforts
from storage.db import Database
from storage.directory import PersonRecord
from storage.efforts import ChannelRecord

POLICY = parse_policy(
    """
admins = ["U0ADMIN0001"]
[[silos]]
name = "Marketing"
aliases = ["mktg"]
members = ["U0MARIA0001", "U0MARK00001"]
[[silos]]
name = "PR"
members = ["U0PRIYA0001"]
"""
)
MARIA, MARK, PRIYA, ADMIN, NOBODY = (
    "U0MARIA0001",
    "U0MARK00001",
    "U0PRIYA0001",
    "U0ADMIN0001",
    "U0NOBODY001",
)


@pytest.fixture
async def world(db: Database):
    async with db.session() as session:
        ws = await directory.workspace_id(session, "", "T1")
        silos = await directory.ensure_silos(session, ws, [("Marketing", ["mktg"]), ("PR", [])])
        await directory.upsert_people(
            session, ws, [PersonRecord(u, u.lower()) for u in (MARIA, MARK, PRIYA, ADMIN, NOBODY)]
        )
        await directory.replace_memberships(
            session,
            ws,
            "policy",
            {MARIA: silos["Marketing"], MARK: silos["Marketing"], PRIYA: silos["PR"]},
        )
        await efforts.upsert_channels(session, ws, [ChannelRecord("C0SOCIAL001", "social")])
        effort = await efforts.by_channel(session, ws, "C0SOCIAL001")
    return ws, effort, Claims(db, POLICY)


async def test_first_claim_is_for_the_home_silo(world):
    ws, effort, claims = world
    result = await claims.claim(ws, MARIA, effort)
    assert result.outcome == "claimed"
    assert result.ownership.silos == ["Marketing"]
    assert not result.ownership.contested


async def test_same_silo_joins_and_claiming_twice_is_harmless(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    assert (await claims.claim(ws, MARK, effort)).outcome == "joined"
    assert (await claims.claim(ws, MARK, effort)).outcome == "already"
    assert not (await claims.ownership(effort)).contested


async def test_second_silo_makes_it_contested_never_last_writer_wins(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    result = await claims.claim(ws, PRIYA, effort)
    assert result.outcome == "contested"
    assert [r.slack_id for r in result.rivals] == [MARIA]
    assert result.ownership.silos == ["Marketing", "PR"]
    assert result.ownership.owned_by(MARIA) and result.ownership.owned_by(PRIYA)


async def test_contest_ends_when_all_agree_to_share(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await claims.claim(ws, PRIYA, effort)
    assert (await claims.agree_to_share(ws, MARIA, effort)).contested
    shared = await claims.agree_to_share(ws, PRIYA, effort)
    assert shared.co_owned and not shared.contested


async def test_contest_ends_when_one_steps_back(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await claims.claim(ws, PRIYA, effort)
    after = await claims.release(ws, PRIYA, effort)
    assert after.silos == ["Marketing"] and not after.contested


async def test_claiming_for_another_silo_needs_an_admin(world):
    ws, effort, claims = world
    with pytest.raises(ClaimRefused, match="Only an admin can claim for PR"):
        await claims.claim(ws, MARIA, effort, "PR")
    result = await claims.claim(ws, ADMIN, effort, "pr")
    assert result.ownership.silos == ["PR"]


async def test_unknown_silo_lists_the_known_ones(world):
    ws, effort, claims = world
    with pytest.raises(ClaimRefused, match="Known silos: Marketing, PR"):
        await claims.claim(ws, ADMIN, effort, "Markting")


async def test_release_of_someone_else_needs_an_admin(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    with pytest.raises(ClaimRefused, match="owner or an admin"):
        await claims.release(ws, PRIYA, effort, owner=MARIA)
    assert (await claims.release(ws, ADMIN, effort, owner=MARIA)).owners == ()


async def test_transfer_waits_for_acceptance_then_moves_the_claim(world, db):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    offer = await claims.offer_transfer(ws, MARIA, effort, PRIYA, "moving teams")
    assert (await claims.ownership(effort)).owned_by(MARIA)
    with pytest.raises(ClaimRefused, match="someone else"):
        await claims.accept_transfer(ws, MARK, offer.offer_id)
    _, after = await claims.accept_transfer(ws, PRIYA, offer.offer_id)
    assert [o.slack_id for o in after.owners] == [PRIYA]
    assert after.silos == ["PR"]
    async with db.session() as session:
        actions = [e.action for e in await efforts.history(session, effort.id)]
    assert actions == ["transferred", "offered", "claimed"]


async def test_only_owners_offer_and_only_admins_force(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    with pytest.raises(ClaimRefused):
        await claims.offer_transfer(ws, PRIYA, effort, PRIYA)
    with pytest.raises(ClaimRefused):
        await claims.force_transfer(ws, PRIYA, effort, MARIA, PRIYA)
    forced = await claims.force_transfer(ws, ADMIN, effort, MARIA, MARK)
    assert [o.slack_id for o in forced.owners] == [MARK]


async def test_a_deactivated_owner_orphans_the_claim(world, db):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    async with db.session() as session:
        await directory.upsert_people(session, ws, [PersonRecord(MARIA, "maria", deleted=True)])
    orphaned = await claims.orphan_claims_of(ws, MARIA)
    assert [e.id for e in orphaned] == [effort.id]
    ownership = await claims.ownership(effort)
    assert [o.slack_id for o in ownership.orphaned] == [MARIA]


async def test_person_without_silo_claims_as_unassigned(world):
    ws, effort, claims = world
    result = await claims.claim(ws, NOBODY, effort)
    assert result.ownership.silos == ["Unassigned"]


async def test_a_handover_offer_is_answered_once(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    offer = await claims.offer_transfer(ws, MARIA, effort, PRIYA)
    await claims.decline_transfer(ws, PRIYA, offer.offer_id)
    with pytest.raises(ClaimRefused, match="already answered"):
        await claims.accept_transfer(ws, PRIYA, offer.offer_id)
    assert (await claims.ownership(effort)).owned_by(MARIA)


async def test_claims_on_deleted_channels_are_not_listed_as_owned(world, db):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    async with db.session() as session:
        row = await efforts.by_channel(session, ws, "C0SOCIAL001")
        row.status = "deleted"
        await session.commit()
    assert await claims.efforts_owned_by(ws, MARIA) == []
