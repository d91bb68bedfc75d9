"""App Home: what each person sees on Roundtable's Home tab."""

from __future__ import annotations

from bot import messages
from bot.gateway import SlackGateway


async def publish_home(gateway: SlackGateway, user_id: str) -> None:
    await gateway.publish_home(user_id, messages.home_view())
