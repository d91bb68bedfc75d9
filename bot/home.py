"""App Home: what each person sees on Roundtable's Home tab."""

from __future__ import annotations

from bot import messages
from bot.claims import Ownership
from bot.gateway import SlackGateway
from bot.registry import Registry
from storage.models import Effort

SECTION_LIMIT = 8


async def publish_home(
    gateway: SlackGateway, registry: Registry, workspace: int, user: str
) -> None:
    view = await build_home(registry, workspace, user)
    await gateway.publish_home(user, view)


async def build_home(registry: Registry, workspace: int, user: str) -> dict:
    claims = registry.claims

    async def shown(found: list[Effort]) -> list[Ownership]:
        return await claims.ownerships(await registry.efforts.visible_to(workspace, user, found))

    mine = await shown(await claims.efforts_owned_by(workspace, user))
    mine.sort(key=lambda ownership: not ownership.contested)
    silo = await registry.people.home_silo(workspace, user)
    silo_efforts = await claims.efforts_of_silo(workspace, silo.id) if silo else []
    theirs = [o for o in await shown(silo_efforts) if not o.owned_by(user)]
    unclaimed = await shown(await registry.efforts.unclaimed_created_by(workspace, user))
    return messages.home_view(
        user,
        silo.name if silo else None,
        mine[:SECTION_LIMIT],
        theirs[:SECTION_LIMIT],
        unclaimed[:SECTION_LIMIT],
    )
