"""Which workspace a request belongs to, keyed as Slack keys installs: (enterprise, team)."""

from __future__ import annotations

from storage import directory
from storage.db import Database


class Workspaces:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ids: dict[tuple[str, str], int] = {}

    async def resolve(self, enterprise_id: str | None, team_id: str | None) -> int:
        """The workspace row ID; an org-wide install has no team, so it keys on the org."""
        key = (enterprise_id or "", team_id or "")
        if key not in self._ids:
            async with self._db.session() as session:
                self._ids[key] = await directory.workspace_id(session, *key)
        return self._ids[key]

    async def mark_uninstalled(self, workspace: int) -> None:
        """Tokens are gone; the history stays for when the app is installed again."""
        async with self._db.session() as session:
            await directory.mark_uninstalled(session, workspace)
