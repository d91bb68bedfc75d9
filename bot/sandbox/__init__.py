"""A local, stateful fake Slack workspace for Roundtable's tests and demo.

    sb = Sandbox(team_id="T0SANDBOX1", team_name="Sandbox Co")
    await sb.start()                                   # sb.api_url, sb.base_url
    maria = sb.add_user("maria", real_name="Maria Lopez", title="Marketing Manager")
    channel = sb.add_channel("mktg-social", creator=maria, members=[sb.bot_user_id])
    sb.connect("http://127.0.0.1:3000/slack/events")   # where "Slack" sends requests
    await sb.driver.command("/coe", "help", user_id=maria)
    await sb.human.create_channel(maria, "mktg-launch")  # sends channel_created
    print(sb.transcript())
    await sb.stop()

The app talks to it with `AsyncWebClient(token=sb.bot_token, base_url=sb.api_url)`.
"""

from bot.sandbox.api_args import SlackError
from bot.sandbox.driver import DriverResponse, SlackDriver
from bot.sandbox.human import HumanActions
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.server import Call
from bot.sandbox.transcript import LogEntry, render_blocks

__all__ = [
    "Call",
    "DriverResponse",
    "HumanActions",
    "LogEntry",
    "Sandbox",
    "SlackDriver",
    "SlackError",
    "render_blocks",
]
