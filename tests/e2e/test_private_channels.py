"""Private channels as people meet them, over real HTTP on SQLite and PostgreSQL: only their
members see them (in find, who, dupes, App Home and heads-ups), membership follows Slack's
events, the group_* events keep them current, and removing Roundtable takes them out of sight
while their claims and history stay."""

from __future__ import annotations

from tests.e2e.acme import Acme, mention, seen
from tests.e2e.test_overlaps import pair_value

PURPOSE = "Private sentiment tracking on social media for the brand"


async def private_channel(acme: Acme, name: str = "priv-launch", purpose: str = PURPOSE) -> str:
    """Maria's private channel, with Roundtable invited and Maria its owner."""
    secret = await acme.sandbox.human.create_channel(
        acme.maria, name, purpose=purpose, private=True
    )
    await acme.sandbox.human.invite(acme.maria, secret, [acme.sandbox.bot_user_id])
    claimed = await acme.coe(acme.maria, f"claim #{name}")
    assert f"You now own <#{secret}>" in seen(claimed)
    return secret


def reveals(acme: Acme, reply: dict, secret: str) -> bool:
    """Whether a reply gives away Maria's private channel (she owns nothing else): its ID, its
    purpose, her claim, or its name among the suggestions (a name someone typed is echoed)."""
    shown = seen(reply)
    suggested = shown.partition("Did you mean")[2]
    owned = f"<@{acme.maria}> for" in shown
    return secret in shown or "Private sentiment" in shown or owned or "priv-" in suggested


async def test_a_non_member_never_sees_a_private_channel_its_purpose_or_owners(acme: Acme):
    secret = await private_channel(acme)
    assert "Private sentiment tracking" in seen(await acme.coe(acme.maria, "find priv"))

    replies = [
        await acme.coe(acme.bob, "find priv"),
        await acme.coe(acme.bob, "find sentiment"),
        await acme.coe(acme.bob, "who #priv-launch"),
        await acme.coe(acme.bob, f"who {mention(secret, 'priv-launch')}"),
        await acme.coe(acme.bob, "who #priv-lanch"),  # no "did you mean" either
        await acme.coe(acme.bob, f"who <@{acme.maria}>"),
        await acme.coe(acme.bob, "who Marketing"),
        await acme.coe(acme.bob, "claim #priv-launch"),
    ]
    for reply in replies:
        assert not reveals(acme, reply, secret), seen(reply)
    assert "I can't find the channel `#priv-launch`." in seen(replies[2])
    assert f"<#{secret}>" in seen(await acme.coe(acme.maria, "who"))


async def test_joining_the_private_channel_shows_it_and_leaving_hides_it_again(acme: Acme):
    secret = await private_channel(acme)
    await acme.sandbox.human.invite(acme.maria, secret, [acme.bob])
    found = seen(await acme.coe(acme.bob, "find priv"))
    assert f"<#{secret}>" in found and f"<@{acme.maria}> for *Marketing*" in found

    await acme.sandbox.human.leave_channel(acme.bob, secret)
    assert not reveals(acme, await acme.coe(acme.bob, "find priv"), secret)

    await acme.sandbox.human.invite(acme.maria, secret, [acme.priya])
    await acme.sandbox.human.remove_from_channel(acme.maria, secret, acme.priya)
    assert not reveals(acme, await acme.coe(acme.priya, "who #priv-launch"), secret)


async def test_overlaps_with_a_private_channel_are_shown_to_its_members_only(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    secret = await private_channel(acme)
    assert pair_value(await acme.coe(acme.maria, "dupes"), f"<#{acme.pr_listening}>")

    for reply in (
        await acme.coe(acme.priya, "dupes"),
        await acme.coe(acme.bob, "dupes all"),
        await acme.coe(acme.priya, "who #pr-social-listening"),
    ):
        assert not reveals(acme, reply, secret), seen(reply)

    await acme.sandbox.human.create_channel(
        acme.sam, "cs-social-sentiment", purpose="Track brand sentiment on social media"
    )
    heads_up = acme.dms(acme.sam)[-1]
    assert f"<#{acme.pr_listening}>" in seen(heads_up)
    assert not reveals(acme, heads_up, secret)


async def test_app_home_shows_a_private_channel_to_its_members_only(acme: Acme):
    secret = await private_channel(acme)
    nina = await acme.sandbox.human.add_member("nina", title="Brand Designer")  # Marketing
    await acme.coe(nina, "claim #mktg-social")

    await acme.sandbox.human.open_app_home(nina)
    theirs = seen(acme.sandbox.home_view(nina))
    assert "Marketing's other efforts" in theirs
    assert not reveals(acme, acme.sandbox.home_view(nina), secret)

    await acme.sandbox.human.open_app_home(acme.maria)
    mine = seen(acme.sandbox.home_view(acme.maria))
    assert f"<#{secret}>" in mine and f"<#{acme.mktg_social}>" in mine


async def test_group_events_keep_a_private_channel_current(acme: Acme):
    secret = await private_channel(acme)
    human = acme.sandbox.human
    renamed = await human.rename_channel(acme.maria, secret, "priv-relaunch")
    assert renamed.payload["event"]["type"] == "group_rename"
    who = seen(await acme.coe(acme.maria, "who #priv-relaunch"))
    assert f"<@{acme.maria}> for *Marketing*" in who

    archived = await human.archive_channel(acme.maria, secret)
    assert archived.payload["event"]["type"] == "group_archive"
    await acme.coe(acme.maria, "release #priv-relaunch")
    assert "#priv-relaunch is archived." in seen(await acme.coe(acme.maria, "claim #priv-relaunch"))

    unarchived = await human.unarchive_channel(acme.maria, secret)
    assert unarchived.payload["event"]["type"] == "group_unarchive"
    assert "You now own" in seen(await acme.coe(acme.maria, "claim #priv-relaunch"))

    deleted = await human.delete_channel(acme.maria, secret)
    assert deleted.payload["event"]["type"] == "group_deleted"
    gone = seen(await acme.coe(acme.maria, "who #priv-relaunch"))
    assert "I can't find the channel `#priv-relaunch`." in gone


async def test_removing_roundtable_takes_a_private_channel_out_of_every_list(acme: Acme):
    secret = await private_channel(acme)
    removed = await acme.sandbox.human.remove_from_channel(
        acme.maria, secret, acme.sandbox.bot_user_id
    )
    event = removed.payload["event"]
    assert (event["type"], event["channel"], event["actor_id"]) == (
        "group_left",
        secret,
        acme.maria,
    )

    for reply in (
        await acme.coe(acme.maria, "who"),
        await acme.coe(acme.maria, "find priv"),
        await acme.coe(acme.maria, "who Marketing"),
        await acme.coe(acme.maria, "who #priv-launch"),
    ):
        assert not reveals(acme, reply, secret), seen(reply)
    await acme.sandbox.human.open_app_home(acme.maria)
    assert not reveals(acme, acme.sandbox.home_view(acme.maria), secret)

    await acme.sandbox.human.invite(acme.maria, secret, [acme.sandbox.bot_user_id])
    back = seen(await acme.coe(acme.maria, "who #priv-launch"))
    assert f"<@{acme.maria}> for *Marketing*" in back  # the claim was kept all along


async def test_removing_roundtable_from_a_public_channel_keeps_it_listed(acme: Acme):
    await acme.sandbox.human.invite(acme.ada, acme.launch, [acme.sandbox.bot_user_id])
    removed = await acme.sandbox.human.remove_from_channel(
        acme.ada, acme.launch, acme.sandbox.bot_user_id
    )
    assert removed.payload["event"]["type"] == "channel_left"
    assert "Nobody claims it yet." in seen(await acme.coe(acme.bob, "who #launch"))
