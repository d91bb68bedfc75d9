"""Claims on both databases: permissions, contested claims, sharing, transfers, orphans."""

from __future__ import annotations

import asyncio

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
    handover = await claims.accept_transfer(ws, PRIYA, offer.offer_id)
    after = handover.result.ownership
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
    ownership = await claims.ownership(effort)
    with pytest.raises(ClaimRefused):
        await claims.force_transfer(ws, PRIYA, ownership, PRIYA)
    forced = await claims.force_transfer(ws, ADMIN, ownership, MARK)
    assert [o.slack_id for o in forced.result.ownership.owners] == [MARK]


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


async def _deactivate(db: Database, ws: int, slack_id: str) -> None:
    async with db.session() as session:
        await directory.upsert_people(session, ws, [PersonRecord(slack_id, "gone", deleted=True)])


async def _actions(db: Database, effort) -> list[str]:
    async with db.session() as session:
        return [e.action for e in await efforts.history(session, effort.id)]


async def test_claiming_an_orphaned_effort_takes_it_over_without_a_contest(world, db):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await _deactivate(db, ws, MARIA)
    result = await claims.claim(ws, PRIYA, effort)  # another silo
    assert result.outcome == "claimed" and result.rivals == ()
    assert result.taken_over == (MARIA,)
    assert [o.slack_id for o in result.ownership.owners] == [PRIYA]
    assert await _actions(db, effort) == ["claimed", "taken over", "claimed"]
    async with db.session() as session:
        taken = (await efforts.history(session, effort.id))[1]
    assert (taken.person_slack_id, taken.actor_slack_id) == (MARIA, PRIYA)
    assert taken.reason == "the owner left the workspace" and taken.at is not None


async def test_a_same_silo_claimant_takes_over_rather_than_joining_a_departed_owner(world, db):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await _deactivate(db, ws, MARIA)
    result = await claims.claim(ws, MARK, effort)
    assert result.outcome == "claimed" and result.taken_over == (MARIA,)
    assert [o.slack_id for o in result.ownership.owners] == [MARK]


async def test_a_departed_owner_of_another_silo_makes_no_contest(world, db):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await claims.claim(ws, PRIYA, effort)
    await _deactivate(db, ws, PRIYA)
    ownership = await claims.ownership(effort)
    assert not ownership.contested and not ownership.co_owned
    assert ownership.silos == ["Marketing"]


async def test_claims_at_the_same_moment_from_two_silos_are_both_told_of_the_contest(world):
    ws, effort, claims = world
    maria, priya = await asyncio.gather(
        claims.claim(ws, MARIA, effort), claims.claim(ws, PRIYA, effort)
    )
    assert (await claims.ownership(effort)).contested
    # Whoever committed first may have seen nobody else: then the other one tells them.
    for mine, theirs, person in ((maria, priya, MARIA), (priya, maria, PRIYA)):
        assert mine.outcome == "contested" or person in {r.slack_id for r in theirs.rivals}


async def test_one_person_claiming_three_times_at_once_holds_one_claim(world, db):
    ws, effort, claims = world
    results = await asyncio.gather(*(claims.claim(ws, MARIA, effort) for _ in range(3)))
    assert sorted(r.outcome for r in results) == ["already", "already", "claimed"]
    assert [o.slack_id for o in (await claims.ownership(effort)).owners] == [MARIA]
    assert await _actions(db, effort) == ["claimed"]


async def test_an_admin_names_whose_claim_to_hand_over_when_there_are_several(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await claims.claim(ws, PRIYA, effort)
    ownership = await claims.ownership(effort)
    with pytest.raises(ClaimRefused, match="say whose claim to hand over"):
        await claims.force_transfer(ws, ADMIN, ownership, NOBODY)
    handover = await claims.force_transfer(ws, ADMIN, ownership, MARK, owner=PRIYA)
    owners = [o.slack_id for o in handover.result.ownership.owners]
    assert owners == [MARIA, MARK] and handover.result.outcome == "transferred"


async def test_a_handover_to_another_silo_is_a_contest_with_the_remaining_owners(world):
    ws, effort, claims = world
    await claims.claim(ws, MARIA, effort)
    await claims.claim(ws, MARK, effort)
    offer = await claims.offer_transfer(ws, MARK, effort, PRIYA)
    assert offer.contested_between == ("Marketing", "PR")
    handover = await claims.accept_transfer(ws, PRIYA, offer.offer_id)
    assert handover.result.outcome == "contested"
    assert [r.slack_id for r in handover.result.rivals] == [MARIA]
    assert handover.result.ownership.contested
