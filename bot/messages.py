"""What Roundtable says to people: short Block Kit messages, each offering the next action."""

from __future__ import annotations

from bot import coe
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
        f"I don't know /coe {name}.{hint}",
        section(f"I don't know `/coe {typed}`.{hint}"),
        actions(button("Show all commands", SHOW_HELP)),
    )


def text_too_long(limit: int) -> Message:
    return message(
        f"That is more than {limit} characters; please shorten it.",
        section(f"That is more than {limit:,} characters. Please shorten it and try again."),
        actions(button("Show all commands", SHOW_HELP)),
    )


def slack_failed(advice: str) -> Message:
    return message(advice, section(advice), actions(button("Show all commands", SHOW_HELP)))


def home_view() -> Block:
    return home(
        header("Roundtable"),
        section(
            "Roundtable shows who owns which channel or initiative across silos, finds efforts "
            "that duplicate each other, and brings the missing people into one thread. "
            "It never picks a winner."
        ),
        divider(),
        section("*Get started*\n" + _command_lines()),
        actions(button("Show all commands", SHOW_HELP)),
        context("Type `/coe help` in any channel."),
    )
