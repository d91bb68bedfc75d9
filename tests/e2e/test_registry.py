"""The ownership registry as people use it: the real app over signed HTTP against the sandbox, on
SQLite and on PostgreSQL. Claims and who owns what, permissions, contested claims, handovers,
search, silos, what workspace events change, two workspaces side by side, awkward input, and
App Home. Every assertion is about what a person sees: the words, the buttons, the owners."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.startup import sync_workspace
from storage import efforts
from storage.db import Database
from tests.e2e.acme import Acme, buttons, deployed, mention, seen, today

# --- claiming and asking who owns what ------------------------------------------------------


async def test_claiming_a_channel_picked_from_the_menu_says_you_own_it(acme: Acme):
    reply = await acme.coe(acme.maria, f"claim {mention(acme.mktg_social, 'mktg-social')}")
    assert f"You now own <#{acme.mktg_social}>" in seen(reply)
    assert "Owned by Marketing." in seen(reply)
    assert buttons(reply) == ["release_claim"]


async def test_claiming_a_channel_typed_by_name_says_you_own_it(acme: Acme):
    reply = await acme.coe(acme.priya, "claim #Launch")
    assert f"You now own <#{acme.launch}>" in seen(reply)
    again = await acme.coe(acme.priya, "claim #launch")
    assert f"You already own <#{acme.launch}>" in seen(again)


async def test_who_shows_the_owner_their_silo_and_since_when(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    reply = await acme.coe(acme.bob, f"who {mention(acme.mktg_social, 'mktg-social')}")
    shown = seen(reply)
    assert f"<@{acme.maria}> for *Marketing*, since {today()}" in shown
    assert "Owned by Marketing." in shown
    assert buttons(reply)[0] == "claim_effort"  # bob does not own it: he may claim it
    nobody = await acme.coe(acme.bob, "who #launch")
    assert "Nobody claims it yet." in seen(nobody)


async def test_who_lists_what_a_person_or_a_silo_owns(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.coe(acme.maria, 'claim "Spring campaign"')
    await acme.coe(acme.priya, "claim #launch")
    person = seen(await acme.coe(acme.bob, f"who <@{acme.maria}>"))
    assert f"<#{acme.mktg_social}>" in person and "“Spring campaign”" in person
    assert f"<#{acme.launch}>" not in person
    silo = seen(await acme.coe(acme.bob, "who comms"))
    assert "What PR owns" in silo and f"<#{acme.launch}>" in silo
    assert f"<#{acme.mktg_social}>" not in silo
    mine = seen(await acme.coe(acme.bob, "who"))
    assert "nothing claimed yet" in mine


async def test_a_channel_the_app_never_saw_is_looked_up_when_picked_from_the_menu(acme: Acme):
    quiet = acme.sandbox.add_channel("quiet-corner", creator=acme.bob)  # no event was sent
    reply = await acme.coe(acme.bob, f"claim {mention(quiet, 'quiet-corner')}")
    assert f"You now own <#{quiet}>" in seen(reply)
    assert f"<@{acme.bob}>" in seen(await acme.coe(acme.ada, "who #quiet-corner"))


async def test_who_about_yourself_reads_as_yours(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    mine = seen(await acme.coe(acme.maria, "who"))
    assert "What you own" in mine and f"<#{acme.mktg_social}>" in mine
    assert "What you own" in seen(await acme.coe(acme.maria, f"who <@{acme.maria}>"))
    assert "What they own" in seen(await acme.coe(acme.bob, f"who <@{acme.maria}>"))


async def test_who_takes_a_person_typed_as_a_plain_handle(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    shown = seen(await acme.coe(acme.bob, "who @maria"))
    assert "What they own" in shown and f"<#{acme.mktg_social}>" in shown
    typo = seen(await acme.coe(acme.bob, "who @mraia"))
    assert "I can't find the person `mraia`." in typo and "`maria`" in typo


async def test_a_reason_for_claiming_a_channel_is_kept_in_its_history(acme: Acme):
    reply = seen(await acme.coe(acme.maria, "claim #mktg-social -- we run the brand account"))
    assert "Your reason is kept in its history: “we run the brand account”" in reply
    workspace = await acme.slack.services.workspaces.resolve(None, acme.sandbox.team_id)
    async with acme.slack.services.db.session() as session:
        effort = await efforts.by_channel(session, workspace, acme.mktg_social)
        [claimed] = await efforts.history(session, effort.id)
    assert (claimed.action, claimed.reason) == ("claimed", "we run the brand account")


async def test_a_private_channel_is_known_once_the_app_is_invited(acme: Acme):
    secret = await acme.sandbox.human.create_channel(acme.maria, "secret-launch", private=True)
    before = seen(await acme.coe(acme.maria, "who #secret-launch"))
    assert "I can't find the channel `#secret-launch`." in before
    await acme.sandbox.human.invite(acme.maria, secret, [acme.sandbox.bot_user_id])
    claimed = await acme.coe(acme.maria, "claim #secret-launch")
    assert f"You now own <#{secret}>" in seen(claimed)


async def test_a_second_owner_from_the_same_silo_joins_without_a_contest(acme: Acme):
    await acme.coe(acme.bob, "claim #launch")
    reply = await acme.coe(acme.ada, "claim #launch")
    assert f"You are now an owner of <#{acme.launch}> too." in seen(reply)
    assert "Contested" not in seen(reply)
    assert acme.dms(acme.bob) == []


async def test_claiming_an_initiative_by_title_registers_it_and_who_finds_it(acme: Acme):
    reply = await acme.coe(acme.priya, 'claim "Brand sentiment tracking" -- weekly report')
    assert "You now own “Brand sentiment tracking”" in seen(reply)
    who = await acme.coe(acme.ada, 'who "brand sentiment tracking"')
    shown = seen(who)
    assert "Who owns “Brand sentiment tracking”" in shown
    assert f"<@{acme.priya}> for *PR*, since {today()}" in shown
    assert "_weekly report_" in shown


async def test_claim_without_text_opens_the_form_and_submitting_it_registers_and_claims(
    acme: Acme,
):
    reply = await acme.coe(acme.maria, "claim")
    assert "Opening the form" in seen(reply)
    form = acme.sandbox.modal(acme.maria)
    assert form is not None and form["title"]["text"] == "Register initiative"
    silo_select = next(b for b in form["blocks"] if b["block_id"] == "silo")
    options = [o["value"] for o in silo_select["element"]["options"]]
    assert options == ["Customer Support", "Marketing", "PR"]

    submitted = await acme.sandbox.driver.submit_view(
        acme.maria,
        form,
        {
            "title": {"value": "  Spring   launch "},
            "description": {"value": "Everything for the April launch"},
            "tags": {"value": "launch, spring"},
        },
    )
    assert submitted.status == 200 and not submitted.json
    assert acme.sandbox.modal(acme.maria) is None
    told = [seen(dm) for dm in acme.dms(acme.maria)]
    assert any("You now own “Spring launch”" in dm for dm in told)
    assert "“Spring launch” looks like work that already exists" in told[-1]
    who = await acme.coe(acme.bob, 'who "Spring launch"')
    assert f"<@{acme.maria}> for *Marketing*" in seen(who)
    assert "_Everything for the April launch_" in seen(who)


async def test_help_the_silo_list_and_the_form_each_offer_a_next_action(acme: Acme):
    assert '/coe who #channel | "Title" | @person | Silo' in seen(await acme.coe(acme.bob, "help"))
    assert buttons(await acme.coe(acme.bob, "silos")) == ["open_home"]
    assert buttons(await acme.coe(acme.bob, "claim")) == ["open_initiative_form"]


async def test_the_form_with_an_empty_title_shows_a_field_error(acme: Acme):
    await acme.coe(acme.maria, "claim")
    form = acme.sandbox.modal(acme.maria)
    submitted = await acme.sandbox.driver.submit_view(acme.maria, form, {"title": {"value": "   "}})
    assert submitted.json["response_action"] == "errors"
    assert submitted.json["errors"]["title"] == "Give the initiative a title."
    assert acme.sandbox.modal(acme.maria) is not None
    assert acme.dms(acme.maria) == []


async def test_the_form_refuses_another_silo_for_a_non_admin(acme: Acme):
    await acme.coe(acme.maria, "claim")
    form = acme.sandbox.modal(acme.maria)
    pr = {"type": "static_select", "selected_option": {"value": "PR"}}
    await acme.sandbox.driver.submit_view(
        acme.maria, form, {"title": {"value": "Press kit"}, "silo": {"value": pr}}
    )
    told = seen(acme.dms(acme.maria)[-1])
    assert "Only an admin can claim for PR (your silo is Marketing)" in told
    who = await acme.coe(acme.bob, 'who "Press kit"')
    assert "I can't find the initiative `Press kit`." in seen(who)  # nothing half-done


# --- permissions ----------------------------------------------------------------------------


async def test_claiming_for_another_silo_is_refused_for_a_non_admin(acme: Acme):
    reply = await acme.coe(acme.maria, "claim #launch as PR")
    assert "Only an admin can claim for PR (your silo is Marketing)" in seen(reply)
    who = await acme.coe(acme.maria, "who #launch")
    assert "Nobody claims it yet." in seen(who)
    titled = await acme.coe(acme.bob, 'claim "Press kit" as PR -- for the launch')
    assert "Only an admin can claim for PR (you have no silo yet)" in seen(titled)
    assert "I can't find the initiative" in seen(await acme.coe(acme.bob, 'who "Press kit"'))


async def test_an_admin_may_claim_for_any_silo_by_name_or_alias(acme: Acme):
    reply = await acme.coe(acme.ada, "claim #launch as comms")
    assert f"You now own <#{acme.launch}>" in seen(reply)
    who = await acme.coe(acme.bob, "who #launch")
    assert f"<@{acme.ada}> for *PR*" in seen(who)
    unknown = await acme.coe(acme.ada, "claim #mktg-social as Finance")
    assert "There is no silo called “Finance”" in seen(unknown)
    assert "Known silos: Customer Support, Marketing, PR." in seen(unknown)


async def test_releasing_someone_elses_claim_is_refused_but_an_admin_may(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    refused = await acme.coe(acme.priya, f"release #mktg-social <@{acme.maria}>")
    assert "Only an owner or an admin can release someone else's claim." in seen(refused)
    still = await acme.coe(acme.bob, "who #mktg-social")
    assert f"<@{acme.maria}> for *Marketing*" in seen(still)

    released = await acme.coe(acme.ada, f"release #mktg-social <@{acme.maria}>")
    assert f"Released <@{acme.maria}>'s claim on <#{acme.mktg_social}>." in seen(released)
    who = await acme.coe(acme.bob, "who #mktg-social")
    assert "Nobody claims it yet." in seen(who)


async def test_an_initiative_is_released_and_handed_over_by_its_title(acme: Acme):
    await acme.coe(acme.maria, 'claim "Press kit"')
    await acme.coe(acme.maria, f'transfer "Press kit" <@{acme.priya}> -- PR runs it now')
    assert "<@" + acme.maria + "> offers you ownership of “Press kit”" in seen(
        acme.dms(acme.priya)[-1]
    )
    released = await acme.coe(acme.maria, 'release "press kit"')
    assert "Released your claim on “Press kit”." in seen(released)
    assert "Nobody claims it yet." in seen(await acme.coe(acme.bob, 'who "Press kit"'))


async def test_releasing_what_you_do_not_own_says_so(acme: Acme):
    reply = await acme.coe(acme.bob, "release #launch")
    assert "You don't own this effort, so there is nothing to release." in seen(reply)


async def test_handing_over_a_claim_you_do_not_own_is_refused(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    reply = await acme.coe(acme.priya, f"transfer #mktg-social <@{acme.bob}>")
    assert "Only an admin can hand over someone else's claim." in seen(reply)
    assert acme.dms(acme.bob) == []
    who = await acme.coe(acme.bob, "who #mktg-social")
    assert f"<@{acme.maria}> for *Marketing*" in seen(who)


async def test_an_admin_hands_over_someone_elses_claim_at_once(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    reply = await acme.coe(acme.ada, f"transfer #mktg-social <@{acme.priya}>")
    assert "changed hands" in seen(reply)
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.priya}> for *PR*" in who and f"<@{acme.maria}>" not in who


# --- contested claims -----------------------------------------------------------------------


async def contest(acme: Acme) -> tuple[dict[str, Any], dict[str, Any]]:
    """Maria (Marketing) claims #mktg-social, then Priya (PR) does: the reply Priya got, and
    the notice Maria got by DM."""
    await acme.coe(acme.maria, "claim #mktg-social")
    reply = await acme.coe(acme.priya, f"claim {mention(acme.mktg_social, 'mktg-social')}")
    return reply, acme.dms(acme.maria)[-1]


async def test_a_second_silo_claiming_makes_it_contested_and_tells_the_first_owner(acme: Acme):
    reply, notice = await contest(acme)
    assert "contested" in seen(reply)
    assert "Contested* between Marketing and PR" in seen(reply)
    assert f"<@{acme.priya}> just claimed <#{acme.mktg_social}>, which you own" in seen(notice)
    assert buttons(notice) == ["share_ownership", "step_back"]
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who and f"<@{acme.priya}> for *PR*" in who


async def test_sharing_on_both_sides_makes_it_co_owned(acme: Acme):
    _, notice = await contest(acme)
    await acme.click(acme.maria, "share_ownership", notice)
    waiting = acme.dms(acme.maria)[-1]  # the notice, replaced
    assert "Waiting for the other owners to agree too." in seen(waiting)
    assert "share_ownership" not in buttons(waiting)
    assert "agrees to share" in seen(waiting)

    await acme.click(acme.priya, "share_ownership", acme.last_reply(acme.priya))
    agreed = acme.last_reply(acme.priya)
    assert f"<#{acme.mktg_social}> is now co-owned by Marketing and PR." in seen(agreed)
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert "Co-owned by Marketing and PR." in who and "Contested" not in who


async def test_stepping_back_leaves_it_uncontested(acme: Acme):
    _, notice = await contest(acme)
    await acme.click(acme.maria, "step_back", notice)
    assert f"Released your claim on <#{acme.mktg_social}>" in seen(acme.dms(acme.maria)[-1])
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert "Owned by PR." in who and "Contested" not in who
    assert f"<@{acme.maria}>" not in who


# --- claims at the same moment --------------------------------------------------------------


def told_of_contest(acme: Acme, person: str, reply: dict[str, Any]) -> bool:
    """Whether `person` learned that the effort is contested: in their reply, or by DM."""
    in_reply = "is now *contested*" in seen(reply)
    return in_reply or any("just claimed" in seen(dm) for dm in acme.dms(person))


async def test_two_silos_claiming_at_the_same_moment_both_learn_of_the_contest(acme: Acme):
    assert "Nobody claims it yet." in seen(await acme.coe(acme.bob, "who #launch"))
    maria, priya = await asyncio.gather(
        acme.coe(acme.maria, "claim #launch"), acme.coe(acme.priya, "claim #launch")
    )
    assert told_of_contest(acme, acme.maria, maria)
    assert told_of_contest(acme, acme.priya, priya)
    who = seen(await acme.coe(acme.bob, "who #launch"))
    assert "Contested* between Marketing and PR" in who


async def test_one_person_claiming_three_times_at_once_is_listed_once(acme: Acme):
    await acme.coe(acme.bob, "who #mktg-social")
    replies = await asyncio.gather(*(acme.coe(acme.maria, "claim #mktg-social") for _ in "abc"))
    assert sorted(reply["text"] for reply in replies) == [
        "You already own #mktg-social.",
        "You already own #mktg-social.",
        "You now own #mktg-social.",
    ]
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert who.count(f"<@{acme.maria}> for *Marketing*") == 1


async def test_one_initiative_registered_twice_at_once_exists_once(acme: Acme):
    await acme.coe(acme.bob, "who #launch")
    await asyncio.gather(acme.coe(acme.maria, 'claim "Zeta"'), acme.coe(acme.priya, 'claim "zeta"'))
    who = seen(await acme.coe(acme.bob, 'who "Zeta"'))
    assert f"<@{acme.maria}> for *Marketing*" in who and f"<@{acme.priya}> for *PR*" in who
    assert (await acme.coe(acme.bob, "find zeta"))["text"] == "1 effort match zeta."


async def test_a_double_clicked_claim_button_claims_once(acme: Acme):
    await acme.coe(acme.bob, "who #launch")
    shown = acme.last_reply(acme.bob)
    await asyncio.gather(*(acme.click(acme.bob, "claim_effort", shown) for _ in "ab"))
    who = seen(await acme.coe(acme.ada, "who #launch"))
    assert who.count(f"<@{acme.bob}> for *Unassigned*") == 1


# --- handovers ------------------------------------------------------------------------------


async def offer(acme: Acme) -> dict[str, Any]:
    """Maria claims #mktg-social and offers it to Priya: the offer Priya gets by DM."""
    await acme.coe(acme.maria, "claim #mktg-social")
    target = mention(acme.mktg_social, "mktg-social")
    reply = await acme.coe(acme.maria, f"transfer {target} <@{acme.priya}> -- she runs social")
    assert f"I asked <@{acme.priya}> to accept ownership of <#{acme.mktg_social}>" in seen(reply)
    offered = acme.dms(acme.priya)[-1]
    assert f"<@{acme.maria}> offers you ownership of <#{acme.mktg_social}>" in seen(offered)
    assert "she runs social" in seen(offered)
    assert buttons(offered) == ["accept_transfer", "decline_transfer"]
    return offered


async def test_accepting_a_handover_moves_the_claim(acme: Acme):
    offered = await offer(acme)
    await acme.click(acme.priya, "accept_transfer", offered)
    assert "changed hands" in seen(acme.dms(acme.priya)[-1])
    assert "changed hands" in seen(acme.dms(acme.maria)[-1])
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.priya}> for *PR*" in who and f"<@{acme.maria}>" not in who


async def test_declining_a_handover_leaves_the_claim_and_tells_the_offerer(acme: Acme):
    offered = await offer(acme)
    await acme.click(acme.priya, "decline_transfer", offered)
    assert "You declined the handover" in seen(acme.dms(acme.priya)[-1])
    assert f"<@{acme.priya}> declined the handover" in seen(acme.dms(acme.maria)[-1])
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who and f"<@{acme.priya}>" not in who


async def test_an_answered_handover_loses_its_buttons_and_cannot_be_accepted_later(acme: Acme):
    offered = await offer(acme)
    on_her_phone = copy.deepcopy(offered)  # the same message, not yet refreshed elsewhere
    await acme.click(acme.priya, "decline_transfer", offered)
    assert buttons(acme.dms(acme.priya)[-1]) == ["show_owners"]
    await acme.click(acme.priya, "accept_transfer", on_her_phone)
    assert "That handover offer was already answered." in seen(acme.dms(acme.priya)[-1])
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who and f"<@{acme.priya}>" not in who


async def test_only_the_person_offered_a_handover_can_accept_it(acme: Acme):
    offered = await offer(acme)
    await acme.click(acme.bob, "accept_transfer", copy.deepcopy(offered))
    assert "This handover was offered to someone else." in seen(acme.dms(acme.priya)[-1])
    who = seen(await acme.coe(acme.ada, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who and f"<@{acme.bob}>" not in who


async def test_a_handover_to_someone_who_already_owns_it_leaves_them_listed_once(acme: Acme):
    _, notice = await contest(acme)
    await acme.click(acme.maria, "share_ownership", notice)
    await acme.click(acme.priya, "share_ownership", acme.last_reply(acme.priya))
    await acme.coe(acme.maria, f"transfer #mktg-social <@{acme.priya}>")
    await acme.click(acme.priya, "accept_transfer", acme.dms(acme.priya)[-1])
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert who.count(f"<@{acme.priya}> for *PR*") == 1 and f"<@{acme.maria}>" not in who
    assert "Owned by PR." in who


async def test_offering_yourself_what_you_own_is_refused(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    reply = seen(await acme.coe(acme.maria, f"transfer #mktg-social <@{acme.maria}>"))
    assert "You already own #mktg-social." in reply
    assert acme.dms(acme.maria) == []


async def test_a_handover_to_someone_unknown_is_refused_before_anything_changes(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    for who in (acme.maria, acme.ada):  # the owner's offer, an admin's transfer
        reply = seen(await acme.coe(who, "transfer #mktg-social <@U0NOTEXIST1>"))
        assert "I can't find the person `U0NOTEXIST1`." in reply
        assert "I asked" not in reply and "changed hands" not in reply
    owners = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in owners and "U0NOTEXIST1" not in owners


async def test_a_handover_to_a_bot_or_to_someone_who_left_is_refused(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    to_bot = f"transfer #mktg-social <@{acme.sandbox.bot_user_id}>"
    assert "is a bot, so it can't take over a claim." in seen(await acme.coe(acme.maria, to_bot))
    await acme.sandbox.human.deactivate_user(acme.bob)
    gone = seen(await acme.coe(acme.ada, "transfer #mktg-social @bob"))
    assert "`bob` has left the workspace, so they can't take over a claim." in gone
    assert acme.dms(acme.bob) == []
    owners = seen(await acme.coe(acme.sam, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in owners and f"<@{acme.bob}>" not in owners


async def test_an_admins_transfer_tells_both_people_by_dm(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.coe(acme.ada, f"transfer #mktg-social <@{acme.priya}> -- Priya runs social now")
    lost, got = acme.dms(acme.maria)[-1], acme.dms(acme.priya)[-1]
    handed, channel = f"<@{acme.ada}> handed", f"<#{acme.mktg_social}>"
    assert f"{handed} your claim on {channel} over to <@{acme.priya}>" in seen(lost)
    assert f"{handed} <@{acme.maria}>'s claim on {channel} over to you" in seen(got)
    assert "Priya runs social now" in seen(lost) and "Priya runs social now" in seen(got)
    assert lost["text"] == got["text"] == "An admin handed over #mktg-social."
    assert buttons(lost) == ["claim_effort"] and buttons(got) == ["release_claim"]


async def test_an_admin_names_whose_claim_moves_on_a_contested_effort(acme: Acme):
    await contest(acme)
    refused = seen(await acme.coe(acme.ada, f"transfer #mktg-social <@{acme.sam}>"))
    assert "Several people own this effort: say whose claim to hand over" in refused
    still = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert "Contested* between Marketing and PR" in still

    named = f"transfer #mktg-social <@{acme.priya}> <@{acme.sam}>"
    reply = seen(await acme.coe(acme.ada, named))
    assert f"<@{acme.priya}>'s claim is now <@{acme.sam}>'s" in reply
    assert "claimed by both Customer Support and Marketing, so it is *contested*" in reply
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who
    assert f"<@{acme.sam}> for *Customer Support*" in who and f"<@{acme.priya}>" not in who
    assert f"<@{acme.sam}> just claimed <#{acme.mktg_social}>" in seen(acme.dms(acme.maria)[-1])
    assert "handed your claim" in seen(acme.dms(acme.priya)[-1])
    assert "over to you" in seen(acme.dms(acme.sam)[-1])


async def test_a_handover_to_another_silo_says_it_becomes_contested_and_is_one(acme: Acme):
    nina = await acme.sandbox.human.add_member("nina", title="Brand Designer")  # Marketing
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.coe(nina, "claim #mktg-social")
    reply = seen(await acme.coe(nina, f"transfer #mktg-social <@{acme.priya}>"))
    ahead = "is claimed by both Marketing and PR: *contested*"
    assert ahead in reply
    offered = acme.dms(acme.priya)[-1]
    assert ahead in seen(offered)

    await acme.click(acme.priya, "accept_transfer", offered)
    assert "so it is *contested*" in seen(acme.dms(acme.priya)[-1])
    assert f"<@{acme.priya}> just claimed <#{acme.mktg_social}>" in seen(acme.dms(acme.maria)[-1])
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert "Contested* between Marketing and PR" in who and f"<@{nina}>" not in who


# --- search and silos -----------------------------------------------------------------------


async def test_find_ranks_efforts_by_how_well_they_match(acme: Acme):
    await acme.coe(acme.sam, 'claim "Social listening playbook" -- for the support team')
    reply = await acme.coe(acme.bob, "find social listening")
    shown = seen(reply)
    assert "Efforts matching “social listening”" in shown
    order = [
        shown.index(f"<#{acme.pr_listening}>"),  # both words in the name, one in the purpose
        shown.index("“Social listening playbook”"),  # both words in the title
        shown.index(f"<#{acme.mktg_social}>"),  # one word in the name
    ]
    assert order == sorted(order)
    assert f"<#{acme.launch}>" not in shown
    assert f"<@{acme.sam}> for *Customer Support*" in shown
    nothing = await acme.coe(acme.bob, "find quarterly budget")
    assert "No channel or initiative mentions “quarterly budget”." in seen(nothing)


async def test_find_reads_what_slack_escaped_and_takes_no_wildcards(acme: Acme):
    await acme.coe(acme.maria, 'claim "R&amp;D budget" -- 100% funded')  # Slack escapes & < >
    found = seen(await acme.coe(acme.bob, "find r&amp;d"))
    assert "Efforts matching “r&amp;d”" in found
    assert "“R&amp;D budget”" in found
    assert "&amp;amp;" not in found
    assert "“R&amp;D budget”" in seen(await acme.coe(acme.bob, "find 100%"))
    percent = seen(await acme.coe(acme.bob, "find %"))
    assert "“R&amp;D budget”" in percent and f"<#{acme.launch}>" not in percent
    assert "No channel" in seen(await acme.coe(acme.bob, "find mktg_social"))


async def test_an_answered_overlap_offers_the_other_possible_duplicates(acme: Acme):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(
        acme.maria, 'claim "Social sentiment tracking" -- Track brand sentiment on social media'
    )
    await acme.coe(acme.maria, "dupes")
    await acme.click(acme.maria, "overlap_related", acme.last_reply(acme.maria))
    answer = acme.last_reply(acme.maria)
    assert "Noted: related: linked." in seen(answer)
    assert buttons(answer) == ["dupes_mine"]
    await acme.click(acme.maria, "dupes_mine", answer)
    assert "Possible duplicates of your efforts" in seen(acme.last_reply(acme.maria))


async def test_the_strongest_source_decides_a_home_silo(acme: Acme):
    """An admin's assignment, then the policy's members, then the user group, then the title."""
    human = acme.sandbox.human
    await acme.coe(acme.ada, "silos set @maria support")  # policy: Marketing; title: Marketing
    support = next(g for g in acme.sandbox.workspace.usergroups.values() if g.handle == "support")
    support.users.append(acme.priya)  # policy: PR
    await human.update_profile(acme.sam, title="Press Officer")  # user group: Customer Support
    await human.update_profile(acme.bob, title="Press Officer")  # nothing else
    await sync_workspace(acme.slack.services, acme.sandbox.bot_token)  # reads the user group

    expected = {
        acme.maria: "Customer Support",
        acme.priya: "PR",
        acme.sam: "Customer Support",
        acme.bob: "PR",
    }
    for person, silo in expected.items():
        claimed = seen(await acme.coe(person, f'claim "Plan of {person}"'))
        assert f"<@{person}> for *{silo}*" in claimed


async def test_silos_lists_head_counts_and_the_unassigned(acme: Acme):
    reply = await acme.coe(acme.bob, "silos")
    shown = seen(reply)
    assert "*Customer Support*: 1 person (no representative)" in shown
    assert f"*Marketing*: 1 person (<@{acme.maria}>)" in shown
    assert f"*PR*: 1 person (<@{acme.priya}>)" in shown
    assert "_Unassigned_: 2 people" in shown  # ada and bob; the app's bot user is not counted


async def test_an_admin_sets_someones_silo_and_others_may_not(acme: Acme):
    refused = await acme.coe(acme.maria, f"silos set <@{acme.bob}> Marketing")
    assert "Only an admin can assign people to silos." in seen(refused)

    reply = await acme.coe(acme.ada, "silos set @bob press")
    assert f"<@{acme.bob}>'s home silo is now *PR*." in seen(reply)
    shown = seen(await acme.coe(acme.bob, "silos"))
    assert "*PR*: 2 people" in shown and "_Unassigned_: 1 person" in shown
    await acme.coe(acme.bob, "claim #launch")
    assert f"<@{acme.bob}> for *PR*" in seen(await acme.coe(acme.ada, "who #launch"))


# --- what workspace events change -----------------------------------------------------------


async def test_sync_pages_through_every_channel_with_its_purpose_and_topic(acme: Acme):
    sandbox = acme.sandbox
    for number in range(205):  # more than one page of conversations.list
        sandbox.add_channel(f"bulk-{number:03}", creator=acme.bob)
    last = sandbox.add_channel(
        "zz-last-page", creator=acme.bob, purpose="Quarterly budget review", topic="Due Friday"
    )
    sandbox.add_channel("hr-private", creator=acme.ada, private=True, purpose="Salary bands")
    offsite = sandbox.add_channel(
        "leads-private",
        creator=acme.ada,
        private=True,
        purpose="Leadership offsite",
        members=[acme.priya, sandbox.bot_user_id],
    )
    listed_before = len(sandbox.calls_to("conversations.list"))

    report = await sync_workspace(acme.slack.services, sandbox.bot_token)

    assert report.channels == 3 + 205 + 2  # Acme's, the bulk, #zz-last-page and #leads-private
    assert len(sandbox.calls_to("conversations.list")) - listed_before == 2
    assert f"<#{last}>" in seen(await acme.coe(acme.bob, "find budget"))  # its purpose
    assert f"<#{last}>" in seen(await acme.coe(acme.bob, "find friday"))  # its topic
    assert "No channel" in seen(await acme.coe(acme.ada, "find salary"))  # Roundtable is not in it
    assert f"<#{offsite}>" in seen(await acme.coe(acme.priya, "find offsite"))
    assert "No channel" in seen(await acme.coe(acme.bob, "find offsite"))  # Bob is not in it


async def test_a_new_channel_can_be_claimed_by_name_at_once(acme: Acme):
    await acme.sandbox.human.create_channel(acme.bob, "q3-roadmap", purpose="Plans for Q3")
    who = await acme.coe(acme.maria, "who #q3-roadmap")
    assert "Nobody claims it yet." in seen(who)
    claimed = await acme.coe(acme.maria, "claim #q3-roadmap")
    assert "You now own" in seen(claimed)
    found = seen(await acme.coe(acme.bob, "find roadmap"))
    assert f"<@{acme.maria}> for *Marketing*" in found


async def test_a_renamed_channel_is_found_by_its_new_name_and_keeps_its_owner(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.sandbox.human.rename_channel(acme.maria, acme.mktg_social, "brand-social")
    who = seen(await acme.coe(acme.bob, "who #brand-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who
    old = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert "I can't find the channel `#mktg-social`." in old
    assert "Did you mean `#brand-social`?" in old


async def test_an_archived_channel_cannot_be_claimed_until_unarchived(acme: Acme):
    await acme.sandbox.human.archive_channel(acme.ada, acme.launch)
    refused = await acme.coe(acme.maria, "claim #launch")
    assert "#launch is archived." in seen(refused)
    assert "Nobody claims it yet." in seen(await acme.coe(acme.maria, "who #launch"))
    await acme.sandbox.human.unarchive_channel(acme.ada, acme.launch)
    claimed = await acme.coe(acme.maria, "claim #launch")
    assert f"You now own <#{acme.launch}>" in seen(claimed)


async def test_the_claim_button_of_an_archived_channel_is_refused_too(acme: Acme):
    await acme.coe(acme.maria, "who #launch")
    shown = acme.last_reply(acme.maria)
    await acme.sandbox.human.archive_channel(acme.ada, acme.launch)
    await acme.click(acme.maria, "claim_effort", shown)
    assert "#launch is archived." in seen(acme.last_reply(acme.maria))
    assert "Nobody claims it yet." in seen(await acme.coe(acme.bob, "who #launch"))


async def test_a_deleted_channel_is_gone_from_the_registry(acme: Acme):
    await acme.coe(acme.maria, "claim #launch")
    await acme.sandbox.human.delete_channel(acme.ada, acme.launch)
    who = seen(await acme.coe(acme.maria, "who #launch"))
    assert "I can't find the channel `#launch`." in who
    found = seen(await acme.coe(acme.maria, "find launch"))
    assert "No channel or initiative mentions “launch”." in found


async def test_a_deactivated_owners_claims_show_as_orphaned(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.sandbox.human.deactivate_user(acme.maria)
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{acme.maria}> for *Marketing*" in who
    assert "left the workspace: orphaned" in who


async def test_claiming_an_orphaned_channel_takes_it_over_without_a_contest(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.sandbox.human.deactivate_user(acme.maria)
    reply = seen(await acme.coe(acme.priya, "claim #mktg-social"))
    assert f"You now own <#{acme.mktg_social}>." in reply
    assert f"You took it over from <@{acme.maria}>, who left the workspace." in reply
    assert "contested" not in reply
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert "Owned by PR." in who and f"<@{acme.maria}>" not in who


async def test_a_same_silo_claimant_takes_over_from_a_departed_owner(acme: Acme):
    nina = await acme.sandbox.human.add_member("nina", title="Brand Designer")  # Marketing
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.sandbox.human.deactivate_user(acme.maria)
    reply = seen(await acme.coe(nina, "claim #mktg-social"))
    assert f"You now own <#{acme.mktg_social}>." in reply and "took it over" in reply
    who = seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<@{nina}> for *Marketing*" in who and f"<@{acme.maria}>" not in who


async def test_a_departed_owner_is_orphaned_once_and_taken_over_on_the_record(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.sandbox.human.deactivate_user(acme.maria)
    await acme.sandbox.human.update_profile(acme.maria, title="Former Marketing Manager")
    await acme.coe(acme.priya, "claim #mktg-social")
    workspace = await acme.slack.services.workspaces.resolve(None, acme.sandbox.team_id)
    async with acme.slack.services.db.session() as session:
        effort = await efforts.by_channel(session, workspace, acme.mktg_social)
        history = list(reversed(await efforts.history(session, effort.id)))
    assert [event.action for event in history] == ["claimed", "orphaned", "taken over", "claimed"]
    taken = history[2]
    assert (taken.person_slack_id, taken.actor_slack_id) == (acme.maria, acme.priya)
    assert taken.reason == "the owner left the workspace" and taken.at


async def test_a_newcomer_whose_title_names_a_silo_gets_that_silo(acme: Acme):
    nina = await acme.sandbox.human.add_member("nina", title="Brand Designer")
    await acme.coe(nina, "claim #launch")
    assert f"<@{nina}> for *Marketing*" in seen(await acme.coe(acme.bob, "who #launch"))


async def test_a_changed_title_that_names_a_silo_gives_that_silo(acme: Acme):
    await acme.sandbox.human.update_profile(acme.bob, title="Press Officer")
    await acme.coe(acme.bob, "claim #launch")
    assert f"<@{acme.bob}> for *PR*" in seen(await acme.coe(acme.ada, "who #launch"))
    assert "*PR*: 2 people" in seen(await acme.coe(acme.ada, "silos"))


async def test_an_event_delivered_twice_is_acted_on_once(acme: Acme):
    created = await acme.sandbox.human.create_channel(acme.bob, "alpha")
    first = acme.sandbox.driver.deliveries[-1].payload  # channel_created, naming it #alpha
    assert first["event"]["type"] == "channel_created"
    await acme.sandbox.human.rename_channel(acme.bob, created, "beta")
    retry = await acme.sandbox.driver.send_event(
        first["event"], event_id=first["event_id"], retry_num=1
    )
    assert retry.status == 200
    # Done again, Slack's late retry would have put the channel's old name back.
    assert "Nobody claims it yet." in seen(await acme.coe(acme.bob, "who #beta"))
    assert "I can't find the channel `#alpha`." in seen(await acme.coe(acme.bob, "who #alpha"))


# --- two workspaces -------------------------------------------------------------------------


async def test_two_workspaces_on_one_database_never_see_each_others_claims(
    acme: Acme, db: Database, tmp_path: Path
):
    async with (
        Sandbox(team_id="T0GLOBEX02", team_name="Globex") as globex_workspace,
        deployed(globex_workspace, db, tmp_path) as globex,
    ):
        await acme.coe(acme.maria, "claim #launch")
        await acme.coe(acme.priya, 'claim "Roadmap" -- next year')

        assert "Nobody claims it yet." in seen(await globex.coe(globex.bob, "who #launch"))
        roadmap = seen(await globex.coe(globex.bob, 'who "Roadmap"'))
        assert "I can't find the initiative `Roadmap`." in roadmap
        assert "No channel" in seen(await globex.coe(globex.bob, "find roadmap"))
        theirs = seen(await globex.coe(globex.bob, f"who <@{acme.priya}>"))
        assert "nothing claimed" in theirs
        by_id = seen(await globex.coe(globex.bob, f"who {mention(acme.launch, 'launch')}"))
        assert f"<@{acme.maria}>" not in by_id

        await globex.coe(globex.sam, "claim #launch")
        here = seen(await acme.coe(acme.bob, "who #launch"))
        assert f"<@{acme.maria}> for *Marketing*" in here and "Support" not in here
        there = seen(await globex.coe(globex.bob, "who #launch"))
        assert f"<@{globex.sam}> for *Customer Support*" in there and "Marketing" not in there


# --- what people type -----------------------------------------------------------------------


async def test_an_unknown_channel_gets_the_closest_names(acme: Acme):
    reply = seen(await acme.coe(acme.maria, "claim #mktg-socail"))
    assert "I can't find the channel `#mktg-socail`." in reply
    assert "Did you mean `#mktg-social`?" in reply


async def test_an_unknown_person_gets_the_closest_names(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    reply = seen(await acme.coe(acme.maria, "transfer #mktg-social @pirya"))
    assert "I can't find the person `pirya`." in reply
    assert "`priya`" in reply
    assert acme.dms(acme.priya) == []


@pytest.mark.parametrize(
    ("typed", "inert"),
    [
        ("<!channel> launch party", "&lt;!channel&gt; launch party"),  # as Slack sends @channel
        ("&lt;!here&gt; sync", "&lt;!here&gt; sync"),  # typed literally: Slack escapes it
        ("Ask <@U0BOSS00001> first", "Ask &lt;@U0BOSS00001&gt; first"),
    ],
)
async def test_a_title_that_looks_like_a_mention_is_echoed_without_pinging(
    acme: Acme, typed: str, inert: str
):
    pings = ("<!channel>", "<!here>", "<@U0BOSS00001>")
    claimed = await acme.coe(acme.maria, f'claim "{typed}"')
    assert inert in seen(claimed)
    who = await acme.coe(acme.bob, f'who "{typed}"')
    assert inert in seen(who)
    contested = await acme.coe(acme.priya, f'claim "{typed}"')
    notice = acme.dms(acme.maria)[-1]
    for reply in (claimed, who, contested, notice):
        assert not any(ping in seen(reply) for ping in pings), seen(reply)


async def test_an_overlong_title_gets_a_clear_limit(acme: Acme):
    reply = seen(await acme.coe(acme.maria, f'claim "{"x" * 201}"'))
    assert "Titles can be at most 200 characters; this one has 201." in reply
    assert "No channel" in seen(await acme.coe(acme.maria, "find xxxx"))


@pytest.mark.parametrize(
    "typed",
    [
        '"Press kit" -- for the launch',
        '"Press kit" — for the launch',
        '"Press kit": for the launch',
        "Press kit — for the launch",
    ],
)
async def test_a_title_and_its_description_are_split_by_dashes_or_a_colon(acme: Acme, typed: str):
    claimed = await acme.coe(acme.priya, f"claim {typed}")
    assert "You now own “Press kit”" in seen(claimed)
    assert "_for the launch_" in seen(await acme.coe(acme.bob, 'who "Press kit"'))


async def test_unicode_titles_are_claimed_and_found(acme: Acme):
    title = "Équipe Café ☕ 東京"
    claimed = await acme.coe(acme.maria, f'claim "{title}" -- Lancement à Tōkyō')
    assert f"You now own “{title}”" in seen(claimed)
    who = seen(await acme.coe(acme.bob, 'who "équipe café ☕ 東京"'))
    assert f"<@{acme.maria}> for *Marketing*" in who
    assert f"“{title}”" in seen(await acme.coe(acme.bob, "find ÉQUIPE"))
    again = await acme.coe(acme.priya, 'claim "ÉQUIPE CAFÉ ☕ 東京"')
    assert "contested" in seen(again)  # the same initiative, not a second one


# --- App Home -------------------------------------------------------------------------------


async def test_app_home_shows_my_claims_and_releasing_there_redraws_it(acme: Acme):
    await acme.coe(acme.maria, "claim #mktg-social")
    await acme.sandbox.human.open_app_home(acme.maria)
    home = acme.sandbox.home_view(acme.maria)
    assert home is not None
    shown = seen(home)
    assert "You are in *Marketing*." in shown
    assert f"<#{acme.mktg_social}>" in shown and "[Release my claim]" in shown

    await acme.sandbox.driver.click(acme.maria, "release_claim", view=home)
    redrawn = seen(acme.sandbox.home_view(acme.maria))
    assert "You own nothing yet." in redrawn
    assert "[Release my claim]" not in redrawn
    assert f"Released your claim on <#{acme.mktg_social}>" in seen(acme.dms(acme.maria)[-1])
    assert "Nobody claims it yet." in seen(await acme.coe(acme.bob, "who #mktg-social"))


async def test_app_home_offers_the_channels_you_created_that_nobody_claimed(acme: Acme):
    await acme.sandbox.human.open_app_home(acme.ada)
    home = acme.sandbox.home_view(acme.ada)
    shown = seen(home)
    assert "Channels you created that nobody claimed" in shown
    assert f"<#{acme.launch}>" in shown and "[Claim for my silo]" in shown

    await acme.sandbox.driver.click(acme.ada, "claim_effort", view=home)
    redrawn = seen(acme.sandbox.home_view(acme.ada))
    assert "Channels you created that nobody claimed" not in redrawn
    assert f"<#{acme.launch}>" in redrawn and "[Release my claim]" in redrawn
    assert f"You now own <#{acme.launch}>" in seen(acme.dms(acme.ada)[-1])


async def test_the_form_records_the_channel_where_an_initiative_happens(acme: Acme):
    await acme.coe(acme.maria, "claim")
    form = acme.sandbox.modal(acme.maria)
    picked = {"type": "channels_select", "selected_channel": acme.launch}
    await acme.sandbox.driver.submit_view(
        acme.maria, form, {"title": {"value": "Spring launch"}, "channel": {"value": picked}}
    )
    who = seen(await acme.coe(acme.bob, 'who "Spring launch"'))
    assert f"Works in <#{acme.launch}>" in who


async def test_app_home_puts_contests_first_then_the_silo_with_its_departed_owners(acme: Acme):
    await acme.coe(acme.maria, "claim #launch")
    await contest(acme)  # #mktg-social: Maria (Marketing), then Priya (PR)
    nina = await acme.sandbox.human.add_member("nina", title="Brand Designer")  # Marketing
    await acme.coe(nina, 'claim "Spring campaign"')
    await acme.sandbox.human.deactivate_user(nina)

    await acme.sandbox.human.open_app_home(acme.maria)
    home = seen(acme.sandbox.home_view(acme.maria))
    yours, _, silo = home.partition("Marketing's other efforts")
    assert yours.index(f"<#{acme.mktg_social}>") < yours.index(f"<#{acme.launch}>")
    assert "Contested* between Marketing and PR" in yours
    assert "[Share ownership]  [Step back]" in yours
    assert "“Spring campaign”" in silo
    assert f"<@{nina}> for *Marketing*, since {today()}  _(left the workspace: orphaned)_" in silo
    assert "[Claim for my silo]" in silo
