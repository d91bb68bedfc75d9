"""The domain services one app instance shares, built once from settings."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.claims import Claims
from bot.directory import People
from bot.efforts import Efforts
from bot.gateway import SlackGateway
from bot.inbox import EventInbox
from bot.nudges import Nudges
from bot.overlaps.semantic import Encoder, load_encoder
from bot.overlaps.service import Overlaps
from bot.pacing import Pacer
from bot.registry import Registry
from bot.workspaces import Workspaces
from config.policy import Policy, load_policy
from config.settings import Settings
from storage.db import Database


@functools.cache
def shared_encoder() -> Encoder | None:
    """The sentence encoder when the `semantic` extra is installed, loaded once per process."""
    return load_encoder()


@dataclass
class Services:
    settings: Settings
    policy: Policy
    db: Database
    inbox: EventInbox
    workspaces: Workspaces
    registry: Registry
    overlaps: Overlaps
    nudges: Nudges
    pacer: Pacer
    installations: AsyncInstallationStore | None = None

    @classmethod
    def build(
        cls, settings: Settings, db: Database | None = None, pacer: Pacer | None = None
    ) -> Services:
        policy = load_policy(settings.policy_path)
        if settings.hub_channel:
            policy = policy.with_hub_channel(settings.hub_channel)
        db = db or Database(settings.database_url)
        claims, people = Claims(db, policy), People(db, policy)
        registry = Registry(people, Efforts(db), claims)
        installations = None
        if settings.oauth_enabled:
            installations = AsyncSQLAlchemyInstallationStore(
                client_id=settings.slack_client_id, engine=db.engine
            )
        return cls(
            settings=settings,
            policy=policy,
            db=db,
            inbox=EventInbox(db),
            workspaces=Workspaces(db, installations),
            registry=registry,
            overlaps=Overlaps(db, policy, claims, people, shared_encoder()),
            nudges=Nudges(db),
            pacer=pacer or Pacer(),
            installations=installations,
        )

    def gateway(self, client: AsyncWebClient, team_id: str | None) -> SlackGateway:
        return SlackGateway(client, self.pacer, team_id or "")
