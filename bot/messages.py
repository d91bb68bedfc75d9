"""What Roundtable says to people: short Block Kit messages, each offering the next action."""

from __future__ import annotations

from collections.abc import Sequence

from bot import coe
from bot.arguments import TITLE_LIMIT
from bot.blocks import (
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    home,
    message,
    modal,
    section,
)
from bot.claims import ClaimResult, Handover, Owner, Ownership, TransferOffer
from bot.directory import DirectorySummary
from bot.overlaps.service import OverlapView
from storage.models import Effort

SHOW_HELP = "coe_help"


def _command_lines() -> str:
    return "\n".join(f"`{s.usage}`  {s.summary}" for s in coe.SUBCOMMANDS)


def _home_button(team_id: str, app_id: str) -> Block:
    url = f"slack://app?team={team_id}&id={app_id}&tab=home"
    return button("Open Roundtable home", "open_home", url=url)


def help_message(team_id: str, app_id: str) -> Message:
    return message(
        "Roundtable commands: " + ", ".join(s.usage for s in coe.SUBCOMMANDS),
        section("*Roundtable* keeps one honest map of who owns which effort across silos."),
        section(_command_lines()),
        actions(_home_button(team_id, app_id)),
    )


def help_modal() -> Block:
    return modal("Roundtable commands", section(_command_lines()))


def unknown_command(name: str) -> Message:
    typed = escape(name)
    suggestion = coe.closest(name)
    hint = f" Did you mean `/coe {suggestion}`?" if suggestion else ""
    return message(
        f"I don't know /coe {typed}.{hint}",
        section(f"I don't know `/coe {typed}`.{hint}"),
        actions(button("Show all commands", SHOW_HELP)),
    )


def text_too_long(limit: int) -> Message:
    return message(
        f"That is more than {limit} characters; please shorten it.",
        section(f"That is more than {limit:,} characters. Please shorten it and try again."),
        actions(button("Show all commands", SHOW_HELP)),
    )


REGISTER_INITIATIVE = "open_initiative_form"


def home_view(
    user: str,
    silo: str | None,
    mine: list[Ownership],
    silo_efforts: list[Ownership],
    unclaimed: list[Ownership],
) -> Block:
    about = f"You are in *{escape(silo)}*." if silo else "You have no silo yet: ask an admin."
    blocks: list[Block] = [
        header("Roundtable"),
        section(
            "Who owns which channel or initiative across silos. Roundtable never picks a "
            f"winner: it makes overlap visible and brings everyone to the table. {about}"
        ),
        actions(
            button("Register an initiative", REGISTER_INITIATIVE, style="primary"),
            button("Show all commands", SHOW_HELP),
        ),
    ]
    blocks += _home_section("Your claims", mine, user, "You own nothing yet.")
    if silo:
        blocks += _home_section(f"{silo}'s other efforts", silo_efforts, user, "None yet.")
    if unclaimed:
        blocks += _home_section("Channels you created that nobody claimed", unclaimed, user, "")
    return home(*blocks)


def _home_section(title: str, ownerships: list[Ownership], user: str, empty: str) -> list[Block]:
    blocks: list[Block] = [divider(), section(f"*{escape(title)}*")]
    if not ownerships:
        return [*blocks, context(empty)]
    for ownership in ownerships:
        blocks += ownership_card(ownership, user)
    return blocks


# --- the ownership registry ---------------------------------------------------------------

CLAIM = "claim_effort"
RELEASE = "release_claim"
SHARE = "share_ownership"
STEP_BACK = "step_back"
ACCEPT_TRANSFER = "accept_transfer"
DECLINE_TRANSFER = "decline_transfer"
SHOW_OWNERS = "show_owners"


def effort_label(effort: Effort) -> str:
    if effort.kind == "channel" and effort.channel_id:
        return f"<#{effort.channel_id}>"
    return f"“{escape(effort.title)}”"


def effort_plain(effort: Effort) -> str:
    return f"#{effort.title}" if effort.kind == "channel" else f"“{effort.title}”"


def _plain(effort: Effort) -> str:
    """The effort's name for a notification's text fallback: inert, like the blocks."""
    return escape(effort_plain(effort))


def _owner_line(owner: Owner, contested: bool) -> str:
    since = owner.since.strftime("%Y-%m-%d")
    notes = []
    if owner.orphaned:
        notes.append("left the workspace: orphaned")
    if contested and owner.agreed_to_share:
        notes.append("agrees to share")
    shown = f"  _({'; '.join(notes)})_" if notes else ""
    return f"• <@{owner.slack_id}> for *{escape(owner.silo)}*, since {since}{shown}"


def _efforts(count: int) -> str:
    return f"{count} {'effort' if count == 1 else 'efforts'}"


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _state_line(ownership: Ownership) -> str:
    if not ownership.owners:
        return "Nobody claims it yet."
    if ownership.contested:
        return f":warning: *Contested* between {' and '.join(ownership.silos)}."
    if ownership.co_owned:
        return f"Co-owned by {' and '.join(ownership.silos)}."
    return f"Owned by {ownership.silos[0]}."


def _agreed(ownership: Ownership, viewer: str) -> bool:
    return all(o.agreed_to_share for o in ownership.owners if o.slack_id == viewer)


def ownership_card(ownership: Ownership, viewer: str) -> list[Block]:
    effort = ownership.effort
    lines = [f"*{effort_label(effort)}*  {_state_line(ownership)}"]
    lines += [_owner_line(o, ownership.contested) for o in ownership.owners]
    if effort.description:
        lines.append(f"_{escape(effort.description[:300])}_")
    if effort.working_channel_id:
        lines.append(f"Works in <#{effort.working_channel_id}>")
    value = str(effort.id)
    if ownership.owned_by(viewer):
        buttons = [button("Release my claim", RELEASE, value)]
        if ownership.contested:
            buttons = [button("Step back", STEP_BACK, value)]
            if not _agreed(ownership, viewer):
                buttons.insert(0, button("Share ownership", SHARE, value, style="primary"))
    else:
        buttons = [button("Claim for my silo", CLAIM, value, style="primary")]
    return [section("\n".join(lines)), actions(*buttons)]


def claim_result(result: ClaimResult, viewer: str, reason: str = "") -> Message:
    """`reason`: why the viewer claimed it, kept in the history (not for an "already")."""
    effort = result.ownership.effort
    label, plain = effort_label(effort), _plain(effort)
    headline = {
        "claimed": f":white_check_mark: You now own {label}.",
        "joined": f":white_check_mark: You are now an owner of {label} too.",
        "already": f"You already own {label}.",
        "contested": f":warning: {label} is also claimed by another silo, so it is now "
        "*contested*. I told the other owners. Agree to share it, or step back.",
    }[result.outcome]
    fallback = {
        "claimed": f"You now own {plain}.",
        "joined": f"You are now an owner of {plain} too.",
        "already": f"You already own {plain}.",
        "contested": f"{plain} is now contested between silos.",
    }[result.outcome]
    blocks = [section(headline), *ownership_card(result.ownership, viewer)]
    if reason and result.outcome != "already":
        blocks.insert(1, context(f"Your reason is kept in its history: “{escape(reason)}”"))
    if result.taken_over:
        gone = ", ".join(f"<@{person}>" for person in result.taken_over)
        blocks.insert(1, context(f"You took it over from {gone}, who left the workspace."))
    return message(fallback, *blocks)


def contest_notice(result: ClaimResult, claimant: str, rival: str) -> Message:
    ownership = result.ownership
    label = effort_label(ownership.effort)
    return message(
        f"{_plain(ownership.effort)} is now contested between silos.",
        section(
            f":warning: <@{claimant}> just claimed {label}, which you own. Roundtable never "
            "picks a winner: agree to share it, or step back."
        ),
        *ownership_card(ownership, rival),
    )


def who_answer(
    ownerships: list[Ownership],
    viewer: str,
    heading: str,
    similar: Sequence[OverlapView] = (),
    related: Sequence[OverlapView] = (),
) -> Message:
    """Owners of each effort; for a single effort, also the efforts people linked to it as
    related and the open overlaps it is part of."""
    heading = escape(heading)  # it may quote a title people typed
    if not ownerships:
        return message(
            f"{heading}: nothing claimed.",
            section(f"{heading}: nothing claimed yet."),
            actions(button("Show all commands", SHOW_HELP)),
        )
    blocks: list[Block] = [section(f"*{heading}*")]
    for ownership in ownerships[:10]:
        blocks += ownership_card(ownership, viewer)
    if len(ownerships) > 10:
        blocks.append(context(f"…and {len(ownerships) - 10} more."))
    if related:
        blocks.append(_related_line(ownerships, related))
    if similar:
        blocks.append(section("*Looks like the same work as*"))
        for view in similar[:5]:
            blocks += overlap_card(view)
    return message(f"{heading}: {_efforts(len(ownerships))}.", *blocks)


def _related_line(ownerships: list[Ownership], related: Sequence[OverlapView]) -> Block:
    """The other effort of each linked pair, on one line."""
    shown = {ownership.effort.id for ownership in ownerships}
    others = [view.b.effort if view.a.effort.id in shown else view.a.effort for view in related]
    return context("Related: " + ", ".join(effort_label(effort) for effort in others[:10]))


def find_results(words: str, ownerships: list[Ownership], viewer: str) -> Message:
    typed = escape(words)
    if not ownerships:
        return message(
            f"Nothing matches {typed}.",
            section(f"No channel or initiative mentions “{typed}”."),
            actions(button("Show all commands", SHOW_HELP)),
        )
    blocks: list[Block] = [section(f"*Efforts matching “{typed}”*")]
    for ownership in ownerships:
        blocks += ownership_card(ownership, viewer)
    return message(f"{_efforts(len(ownerships))} match {typed}.", *blocks)


def released(ownership: Ownership, viewer: str, owner: str | None = None) -> Message:
    label = effort_label(ownership.effort)
    whose = "your" if owner in (None, viewer) else f"<@{owner}>'s"
    return message(
        f"Released {_plain(ownership.effort)}.",
        section(f"Released {whose} claim on {label}."),
        *ownership_card(ownership, viewer),
    )


def shared(ownership: Ownership, viewer: str) -> Message:
    effort, silos = ownership.effort, " and ".join(ownership.silos)
    if ownership.co_owned:
        fallback = f"{_plain(effort)} is now co-owned by {silos}."
        text = f":handshake: {effort_label(effort)} is now co-owned by {silos}."
    else:
        fallback = text = "Noted: you agree to share. Waiting for the other owners to agree too."
    return message(fallback, section(text), *ownership_card(ownership, viewer))


def _contest_ahead(offer: TransferOffer) -> list[Block]:
    if not offer.contested_between:
        return []
    silos = " and ".join(escape(silo) for silo in offer.contested_between)
    return [
        context(
            f":warning: Once accepted, {effort_label(offer.effort)} is claimed by both {silos}: "
            "*contested* until they agree to share it or one steps back."
        )
    ]


def transfer_offer(offer: TransferOffer) -> Message:
    label, reason = effort_label(offer.effort), escape(offer.reason)
    why = f"\n>{reason}" if reason else ""
    return message(
        f"{_plain(offer.effort)} is offered to you.",
        section(f"<@{offer.from_id}> offers you ownership of {label}.{why}"),
        *_contest_ahead(offer),
        actions(
            button("Accept", ACCEPT_TRANSFER, str(offer.offer_id), style="primary"),
            button("Decline", DECLINE_TRANSFER, str(offer.offer_id)),
        ),
    )


def transfer_offered(offer: TransferOffer) -> Message:
    return message(
        f"Offered {_plain(offer.effort)} to the new owner.",
        section(
            f"I asked <@{offer.to_id}> to accept ownership of {effort_label(offer.effort)}. "
            "Your claim stays until they accept."
        ),
        *_contest_ahead(offer),
        actions(button("Show owners", SHOW_OWNERS, str(offer.effort.id))),
    )


def _contest_now(handover: Handover) -> list[Block]:
    result = handover.result
    if result.outcome != "contested":
        return []
    silos = " and ".join(escape(silo) for silo in result.ownership.silos)
    return [
        context(
            f":warning: It is now claimed by both {silos}, so it is *contested*: I told its "
            "other owners. Agree to share it, or step back."
        )
    ]


def transferred(handover: Handover, viewer: str) -> Message:
    ownership = handover.result.ownership
    return message(
        f"{_plain(ownership.effort)} changed hands.",
        section(
            f":white_check_mark: {effort_label(ownership.effort)} changed hands: "
            f"<@{handover.from_id}>'s claim is now <@{handover.to_id}>'s."
        ),
        *_contest_now(handover),
        *ownership_card(ownership, viewer),
    )


def handed_over(handover: Handover, viewer: str) -> Message:
    """An admin's transfer, told to the person who lost the claim and to who got it."""
    ownership = handover.result.ownership
    label, reason = effort_label(ownership.effort), escape(handover.reason)
    whose = "your claim" if viewer == handover.from_id else f"<@{handover.from_id}>'s claim"
    to = "you" if viewer == handover.to_id else f"<@{handover.to_id}>"
    why = f"\n>{reason}" if reason else ""
    return message(
        f"An admin handed over {_plain(ownership.effort)}.",
        section(f"<@{handover.actor}> handed {whose} on {label} over to {to}.{why}"),
        *_contest_now(handover),
        *ownership_card(ownership, viewer),
    )


def transfer_declined(offer: TransferOffer, viewer: str) -> Message:
    who = "You" if viewer == offer.to_id else f"<@{offer.to_id}>"
    return message(
        f"The handover of {_plain(offer.effort)} was declined.",
        section(f"{who} declined the handover of {effort_label(offer.effort)}."),
        actions(button("Show owners", SHOW_OWNERS, str(offer.effort.id))),
    )


def silo_list(summary: DirectorySummary, team_id: str, app_id: str) -> Message:
    if not summary.silos:
        return message(
            "No silos are defined yet.",
            section("No silos are defined yet. An admin defines them in the policy file."),
            actions(button("Show all commands", SHOW_HELP)),
        )
    lines = []
    for silo in summary.silos:
        reps = ", ".join(f"<@{r}>" for r in silo.representatives) or "no representative"
        lines.append(f"• *{escape(silo.name)}*: {_people(silo.head_count)} ({reps})")
    lines.append(f"• _Unassigned_: {_people(summary.unassigned)}")
    return message(
        "Silos: " + ", ".join(f"{escape(s.name)} ({s.head_count})" for s in summary.silos),
        section("*Silos*\n" + "\n".join(lines)),
        context("Admins assign people with `/coe silos set @person Silo`."),
        actions(_home_button(team_id, app_id)),
    )


def silo_assigned(slack_id: str, silo: str) -> Message:
    return message(
        f"Assigned to {escape(silo)}.",
        section(f"<@{slack_id}>'s home silo is now *{escape(silo)}*."),
        actions(button("Show all commands", SHOW_HELP)),
    )


def not_found(kind: str, typed: str, suggestions: list[str], why: str = "") -> Message:
    """`why`: what is wrong with the one found, instead of "I can't find" it."""
    shown = escape(typed)
    marker = "#" if kind == "channel" else ""
    hint = ""
    if suggestions:
        hint = " Did you mean " + ", ".join(f"`{marker}{escape(s)}`" for s in suggestions) + "?"
    fallback, problem = (
        f"I can't find the {kind} {shown}.",
        f"I can't find the {kind} `{marker}{shown}`.",
    )
    if why:
        fallback, problem = f"{shown} {why}.", f"`{marker}{shown}` {why}."
    return message(
        fallback,
        section(f"{problem}{hint}"),
        actions(button("Show all commands", SHOW_HELP)),
    )


def refused(reason: str) -> Message:
    return message(reason, section(reason), actions(button("Show all commands", SHOW_HELP)))


INITIATIVE_FORM = "register_initiative"


def _text_input(
    block_id: str, label: str, *, max_length: int, multiline: bool = False, optional: bool = False
) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": multiline,
            "max_length": max_length,
        },
    }


def _silo_select(silos: list[str]) -> Block:
    return {
        "type": "input",
        "block_id": "silo",
        "optional": True,
        "label": {"type": "plain_text", "text": "For silo (default: your own)"},
        "element": {
            "type": "static_select",
            "action_id": "value",
            "options": [
                {"text": {"type": "plain_text", "text": name[:75]}, "value": name[:150]}
                for name in silos[:100]
            ],
        },
    }


def _channel_select() -> Block:
    return {
        "type": "input",
        "block_id": "channel",
        "optional": True,
        "label": {"type": "plain_text", "text": "Channel where the work happens"},
        "element": {"type": "channels_select", "action_id": "value"},
    }


def initiative_form(silos: list[str]) -> Block:
    blocks = [
        _text_input("title", "Title", max_length=TITLE_LIMIT),
        _text_input(
            "description", "What is it about?", max_length=2000, multiline=True, optional=True
        ),
        _text_input("tags", "Tags, separated by commas", max_length=300, optional=True),
    ]
    if silos:
        blocks.insert(2, _silo_select(silos))
    blocks.insert(-1, _channel_select())
    view = modal("Register initiative", *blocks, callback_id=INITIATIVE_FORM)
    view["submit"] = {"type": "plain_text", "text": "Register"}
    return view


def _form_button() -> Block:
    return button("Open the form", REGISTER_INITIATIVE, style="primary")


def opening_form() -> Message:
    return message(
        "Opening the initiative form…",
        section("Opening the form to register an initiative…"),
        context('Or type `/coe claim "Title" -- description`.'),
        actions(_form_button()),
    )


def form_not_opened(advice: str) -> Message:
    return message(
        advice,
        section(f"I couldn't open the form. {advice}"),
        context('Or type `/coe claim "Title" -- description`.'),
        actions(_form_button()),
    )


def still_working() -> Message:
    """The ack of a command whose answer takes longer than Slack waits for: it follows."""
    return message(
        "Working on it…",
        section("Working on it: Slack is answering me slowly. Your answer follows here."),
        actions(button("Show all commands", SHOW_HELP)),
    )


# --- overlaps ---------------------------------------------------------------------------

SAME_EFFORT = "overlap_same"
RELATED = "overlap_related"
NOT_DUPLICATE = "overlap_not"
# Slack refuses two elements with one action_id in a block: each scope has its own.
SCOPE_OF_ACTION = {"dupes_mine": "mine", "dupes_silo": "silo", "dupes_all": "all"}
ANSWER_OF_ACTION = {SAME_EFFORT: "same", RELATED: "related", NOT_DUPLICATE: "not"}
DECIDED = {
    "merged": "same effort: merged",
    "linked": "related: linked",
    "dismissed": "not a duplicate: won't be raised again unless one of them changes",
}


def _side(ownership: Ownership) -> str:
    owners = ", ".join(f"<@{o.slack_id}> ({escape(o.silo)})" for o in ownership.owners)
    return f"{effort_label(ownership.effort)}: {owners or 'nobody claims it'}"


def overlap_card(view: OverlapView) -> list[Block]:
    lines = [f"*{escape(view.band.capitalize())}*", _side(view.a), _side(view.b)]
    lines += [f"• {escape(reason)}" for reason in view.reasons]
    blocks = [section("\n".join(lines))]
    state = view.overlap.state
    if state == "open":
        value = str(view.overlap.id)
        blocks.append(
            actions(
                button("Same effort", SAME_EFFORT, value, style="primary"),
                button("Related", RELATED, value),
                button("Not a duplicate", NOT_DUPLICATE, value),
            )
        )
    else:
        who = f" by <@{view.overlap.decided_by}>" if view.overlap.decided_by else ""
        blocks.append(context(f"Answered{who}: {_decided(view)}."))
    return blocks


def _decided(view: OverlapView) -> str:
    """The answer in words; "same effort" says where the merged effort went (an answer from
    an old message may have merged into the effort the shown one was merged into)."""
    if view.overlap.state != "merged":
        return DECIDED[view.overlap.state]
    _, kept = view.newer_into_older
    return f"{DECIDED['merged']} into {effort_label(kept)}"


def pair_settled(gone: Effort, merged_into: Effort | None) -> Message:
    """An answer from an old message about an effort that is no longer active."""
    if merged_into:
        why = f"{effort_label(gone)} was already merged into {effort_label(merged_into)}"
        fallback = f"{_plain(gone)} was already merged into {_plain(merged_into)}."
    else:
        why = f"{effort_label(gone)} is {gone.status}"
        fallback = f"{_plain(gone)} is {gone.status}."
    return message(
        fallback,
        section(f"{why}, so there is nothing left to answer about this pair."),
        actions(button("Show all commands", SHOW_HELP)),
    )


def similar_efforts(effort: Effort, views: list[OverlapView]) -> Message:
    label, plain = effort_label(effort), effort_plain(effort)
    blocks: list[Block] = [
        section(
            f":mag: {label} looks like work that already exists elsewhere. Roundtable never "
            "picks a winner: say what these are, so the right people end up at one table."
        )
    ]
    for view in views[:5]:
        blocks += overlap_card(view)
    return message(f"{escape(plain)} looks like {_efforts(len(views))} already under way.", *blocks)


def dupes_list(views: list[OverlapView], scope: str) -> Message:
    heading = {
        "mine": "Possible duplicates of your efforts",
        "silo": "Possible duplicates in your silo",
        "all": "All possible duplicates",
    }[scope]
    switch = actions(
        *(button(f"Show {s}", action_id) for action_id, s in SCOPE_OF_ACTION.items() if s != scope)
    )
    if not views:
        return message(f"{heading}: none open.", section(f"*{heading}*: none open."), switch)
    blocks: list[Block] = [section(f"*{heading}*")]
    for view in views[:15]:
        blocks += overlap_card(view)
    if len(views) > 15:
        blocks.append(context(f"…and {len(views) - 15} more."))
    return message(f"{heading}: {len(views)}.", *blocks, switch)


def overlap_decided(view: OverlapView) -> Message:
    more = actions(button("Show my other possible duplicates", "dupes_mine"))
    return message(f"Noted: {DECIDED[view.overlap.state]}.", *overlap_card(view), more)


def with_answer(blocks: list[Block], view: OverlapView) -> list[Block]:
    """The message's blocks, with the answered pair's buttons replaced by its answer."""
    answered = overlap_card(view)[-1]
    value = str(view.overlap.id)
    return [
        answered
        if block.get("type") == "actions"
        and any(e.get("value") == value for e in block.get("elements", []))
        and block["elements"][0].get("action_id") in ANSWER_OF_ACTION
        else block
        for block in blocks
    ]
