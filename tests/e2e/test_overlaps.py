"""Overlaps as people meet them in Slack: told at once when they create or claim something that
already exists, `/coe dupes`, and the three answers (same effort, related, not a duplicate)."""

from __future__ import annotations

import copy
from itertools import pairwise

import pytest

from tests.e2e.acme import Acme, buttons, seen

ANSWERS = ["overlap_same", "overlap_related", "overlap_not"]
SENTIMENT = '"Social sentiment tracking" -- Track brand sentiment on social media'


async def workspace_of(acme: Acme) -> int:
    return await acme.slack.services.workspaces.resolve(None, acme.sandbox.team_id)


def pair_value(message: dict, *mentioning: str) -> str | None:
    """The overlap ID on the buttons of the card that names all of `mentioning`."""
    for card, answers in pairwise(message["blocks"]):
        text = card.get("text", {}).get("text", "")
        if answers.get("type") == "actions" and all(m in text for m in mentioning):
            return answers["elements"][0].get("value")
    return None


async def test_a_new_channel_like_existing_work_tells_its_creator_once(acme: Acme):
    await acme.sandbox.human.create_channel(
        acme.sam, "cs-social-sentiment", purpose="Track brand sentiment on social media"
    )
    created = acme.sandbox.driver.deliveries[-1]
    heads_up = acme.dms(acme.sam)[-1]
    shown = seen(heads_up)
    assert "looks like work that already exists" in shown
    assert f"<#{acme.pr_listening}>" in shown
    assert buttons(heads_up)[:3] == ANSWERS

    event_id = created.payload["event_id"]
    await acme.sandbox.driver.send_event(created.payload["event"], event_id=event_id, retry_num=1)
    assert len([m for m in acme.dms(acme.sam) if "already exists" in seen(m)]) == 1


async def test_claiming_shows_similar_efforts_right_after_the_reply(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    reply = await acme.coe(acme.maria, f"claim {SENTIMENT}")
    assert "You now own “Social sentiment tracking”" in seen(reply)
    follow_up = acme.sandbox.responses_for(acme.maria)[-1]["payload"]
    shown = seen(follow_up)
    assert "“Social sentiment tracking” looks like work that already exists" in shown
    assert f"<#{acme.pr_listening}>: <@{acme.priya}> (PR)" in shown
    assert any("sentiment" in line and "both mention" in line for line in shown.splitlines())


async def test_unrelated_work_raises_nothing(acme: Acme):
    await acme.coe(acme.maria, 'claim "Office plant watering rota" -- Who waters the ferns')
    assert acme.sandbox.responses_for(acme.maria) == []
    dupes = await acme.coe(acme.maria, "dupes")
    assert "none open" in seen(dupes)


async def test_dupes_shows_its_list_and_switches_scope_with_a_click(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, f"claim {SENTIMENT}")
    await acme.coe(acme.maria, "dupes")
    listed = acme.last_reply(acme.maria)
    assert "Possible duplicates of your efforts" in seen(listed)
    assert "[Show silo]  [Show all]" in seen(listed)

    await acme.click(acme.maria, "dupes_all", listed)

    switched = acme.last_reply(acme.maria)
    assert "All possible duplicates" in seen(switched)
    assert "[Show mine]  [Show silo]" in seen(switched)
    assert pair_value(switched, f"<#{acme.pr_listening}>", "Social sentiment tracking")


async def test_dupes_lists_open_pairs_and_not_a_duplicate_is_never_raised_again(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, f"claim {SENTIMENT}")
    listed = await acme.coe(acme.maria, "dupes")
    assert "Possible duplicates of your efforts" in seen(listed)
    pair = pair_value(listed, f"<#{acme.pr_listening}>", "Social sentiment tracking")
    assert pair is not None

    shown = acme.last_reply(acme.maria)
    await acme.sandbox.driver.click(acme.maria, "overlap_not", pair, message=shown)
    answer = acme.sandbox.responses_for(acme.maria)[-1]["payload"]
    assert "not a duplicate" in seen(answer)

    await acme.slack.services.overlaps.scan(await workspace_of(acme))
    again = await acme.coe(acme.maria, "dupes all")
    assert pair_value(again, f"<#{acme.pr_listening}>", "Social sentiment tracking") is None


async def test_same_effort_from_the_heads_up_merges_and_edits_the_message(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.sandbox.human.create_channel(
        acme.sam, "cs-social-sentiment", purpose="Track brand sentiment on social media"
    )
    await acme.coe(acme.sam, "claim #cs-social-sentiment")
    heads_up = acme.dms(acme.sam)[-1]
    pair = pair_value(heads_up, f"<#{acme.pr_listening}>")
    assert pair is not None
    await acme.sandbox.driver.click(acme.sam, "overlap_same", pair, message=heads_up)

    edited = acme.dms(acme.sam)[-1]
    assert "same effort: merged" in seen(edited)
    assert pair_value(edited, f"<#{acme.pr_listening}>") is None
    owners = seen(await acme.coe(acme.bob, "who #pr-social-listening"))
    assert f"<@{acme.priya}> for *PR*" in owners
    assert f"<@{acme.sam}> for *Customer Support*" in owners


async def test_only_owners_or_admins_may_answer(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, f"claim {SENTIMENT}")
    listed = await acme.coe(acme.bob, "dupes all")
    await acme.click(acme.bob, "overlap_not", acme.last_reply(acme.bob))
    refused = acme.sandbox.responses_for(acme.bob)[-1]["payload"]
    assert "Only the owners of these efforts, or an admin" in seen(refused)
    assert buttons(listed)[:3] == ANSWERS


async def test_who_shows_what_an_effort_looks_like(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, f"claim {SENTIMENT}")
    who = await acme.coe(acme.bob, "who #pr-social-listening")
    assert "Looks like the same work as" in seen(who)
    assert pair_value(who, f"<#{acme.pr_listening}>", "Social sentiment tracking") is not None


async def test_the_sync_fills_the_overlap_index_before_anyone_claims(
    acme: Acme, caplog: pytest.LogCaptureFixture
):
    """The first claim after a start need not wait for the index (or, in semantic mode, for
    every channel's sentence vector) to be made."""
    workspace = await workspace_of(acme)
    filled = [
        r.getMessage() for r in caplog.get_records("setup") if "overlap index" in r.getMessage()
    ]
    assert filled == [
        f"overlap index of workspace {workspace}: 3 efforts ({acme.slack.services.overlaps.mode})"
    ]


async def merged_sentiment_then_stale_heads_up(acme: Acme) -> dict:
    """#cs-social-sentiment's heads-up names “Social sentiment tracking”, which is then merged
    into #pr-social-listening from Maria's reply: the heads-up's buttons are out of date."""
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, f"claim {SENTIMENT}")
    follow_up = next(m for m in acme.sandbox.ephemerals(acme.maria) if "looks like" in seen(m))
    await acme.sandbox.human.create_channel(
        acme.sam, "cs-social-sentiment", purpose="Track brand sentiment on social media"
    )
    await acme.coe(acme.sam, "claim #cs-social-sentiment")
    heads_up = acme.dms(acme.sam)[-1]
    merged = pair_value(follow_up, f"<#{acme.pr_listening}>", "Social sentiment tracking")
    await acme.sandbox.driver.click(acme.maria, "overlap_same", merged, message=follow_up)
    return heads_up


async def test_same_effort_about_an_effort_merged_since_follows_it(acme: Acme):
    heads_up = await merged_sentiment_then_stale_heads_up(acme)
    stale = pair_value(heads_up, "Social sentiment tracking")
    assert stale is not None
    await acme.sandbox.driver.click(acme.sam, "overlap_same", stale, message=heads_up)

    edited = seen(acme.dms(acme.sam)[-1])
    assert f"same effort: merged into <#{acme.pr_listening}>" in edited
    owners = seen(await acme.coe(acme.bob, "who #pr-social-listening"))
    assert all(f"<@{person}>" in owners for person in (acme.priya, acme.maria, acme.sam))


async def test_related_about_an_effort_merged_since_says_where_it_went(acme: Acme):
    heads_up = await merged_sentiment_then_stale_heads_up(acme)
    stale = pair_value(heads_up, "Social sentiment tracking")
    as_sent = copy.deepcopy(heads_up)
    await acme.sandbox.driver.click(acme.sam, "overlap_related", stale, message=heads_up)

    refused = seen(acme.sandbox.responses_for(acme.sam)[-1]["payload"])
    assert (
        f"“Social sentiment tracking” was already merged into <#{acme.pr_listening}>, "
        "so there is nothing left to answer about this pair." in refused
    )
    # The refusal comes beside the heads-up, whose other pairs are still there to answer.
    assert acme.dms(acme.sam)[-1] == as_sent


async def test_who_shows_the_efforts_answered_related(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, 'claim "Social <sentiment> & tracking" -- Track sentiment on social')
    follow_up = next(m for m in acme.sandbox.ephemerals(acme.maria) if "looks like" in seen(m))
    pair = pair_value(follow_up, f"<#{acme.pr_listening}>", "Social &lt;sentiment&gt; &amp;")
    await acme.sandbox.driver.click(acme.maria, "overlap_related", pair, message=follow_up)

    channel = seen(await acme.coe(acme.bob, "who #pr-social-listening"))
    assert "Related: “Social &lt;sentiment&gt; &amp; tracking”" in channel
    initiative = await acme.coe(acme.bob, 'who "Social <sentiment> & tracking"')
    assert f"Related: <#{acme.pr_listening}>" in seen(initiative)
    assert pair_value(initiative, f"<#{acme.pr_listening}>") is None
