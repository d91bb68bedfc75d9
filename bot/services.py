"""The domain services one app instance shares, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.inbox import EventInbox
from config.policy import Policy, load_policy
from config.settings import Settings
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    policy: Policy
    db: Database
    inbox: EventInbox

    @classmethod
    def build(cls, settings: Settings, db: Database | None = None) -> Services:
        policy = load_policy(settings.policy_path)
        if settings.hub_channel:
            policy = policy.with_hub_channel(settings.hub_channel)
        db = db or Database(settings.database_url)
        return cls(settings=settings, policy=policy, db=db, inbox=EventInbox(db))
