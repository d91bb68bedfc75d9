"""Thin Slack adapters, registered per listener type (the Slack starter-template convention)."""

from slack_bolt.async_app import AsyncApp

from handlers import actions, commands, events, views


def register(app: AsyncApp) -> None:
    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
