"""Which workspace a request belongs to, keyed as Slack keys installs: (enterprise, team)."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from storage import directory
from storage.db import Database
from storage.models import Workspace


class Workspaces:
    def __init__(self, db: Database, installations: AsyncInstallationStore | None = None) -> None:
        self._db = db
        self._installations = installations
        self._ids: dict[tuple[str, str], int] = {}

    async def resolve(self, enterprise_id: str | None, team_id: str | None) -> int:
        """The workspace row ID; an org-wide install has no team, so it keys on the org."""
        key = (enterprise_id or "", team_id or "")
        if key not in self._ids:
            async with self._db.session() as session:
                self._ids[key] = await directory.workspace_id(session, *key)
        return self._ids[key]

    async def bot_token(self, workspace: Workspace) -> str | None:
        """The bot token stored when the app was installed there through OAuth, if any."""
        if not self._installations:
            return None
        installation = await self._installations.async_find_installation(
            enterprise_id=workspace.enterprise_id or None, team_id=workspace.team_id or None
        )
        return installation.bot_token if installation else None

    async def installed(self, workspace: int) -> None:
        async with self._db.session() as session:
            await directory.mark_installed(session, workspace)

    async def uninstalled(self, enterprise_id: str | None, team_id: str | None) -> None:
        """The app was removed: its tokens go, the history stays for a reinstall."""
        if self._installations:
            await self._installations.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        workspace = await self.resolve(enterprise_id, team_id)
        async with self._db.session() as session:
            await directory.mark_uninstalled(session, workspace)

    async def tokens_revoked(
        self, enterprise_id: str | None, team_id: str | None, users: list[str], bot: bool
    ) -> None:
        if bot:
            await self.uninstalled(enterprise_id, team_id)
            return
        if self._installations:
            for user_id in users:
                await self._installations.async_delete_installation(
                    enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
                )
