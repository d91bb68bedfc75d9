"""The tables of Roundtable's domain. Every row belongs to one workspace.

People are referred to by their Slack user ID (`U…`/`W…`) within the workspace: that is what
Slack sends and what claims must survive (a person may be claimed for before the directory knows
them, and stays referred to after they are deactivated).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; every one stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(nullable: bool = False, **kwargs: Any) -> Any:
    default = {} if nullable else {"default_factory": utcnow}
    return Field(sa_type=DateTime(timezone=True), nullable=nullable, **default, **kwargs)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _workspace_ref() -> Any:
    return Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")


class Workspace(SQLModel, table=True):
    """A Slack workspace, or an org-wide install (`team_id` empty) of an Enterprise Grid org."""

    __table_args__ = (UniqueConstraint("enterprise_id", "team_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(default="", max_length=32)
    team_id: str = Field(default="", max_length=32)
    name: str = Field(default="", max_length=200)
    installed_at: datetime = _when()
    uninstalled_at: datetime | None = _when(nullable=True)


class Silo(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    name: str = Field(max_length=80)
    aliases: list[str] = _json_list()
    created_at: datetime = _when()


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "slack_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    slack_id: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    real_name: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=300)
    tz: str = Field(default="", max_length=64)
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False
    updated_at: datetime = _when()


class SiloMembership(SQLModel, table=True):
    """Why a person belongs to a silo. The home silo is the membership of the strongest source:
    admin, then policy, then usergroup, then title."""

    __tablename__ = "silo_membership"
    __table_args__ = (UniqueConstraint("workspace_id", "person_slack_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    person_slack_id: str = Field(max_length=32, index=True)
    silo_id: int = Field(foreign_key="silo.id", ondelete="CASCADE")
    source: str = Field(max_length=16)
    assigned_by: str | None = Field(default=None, max_length=32)
    assigned_at: datetime = _when()


class Effort(SQLModel, table=True):
    """A Slack channel or a named initiative: anything that can be duplicated."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_id"),
        Index("ix_effort_workspace_updated", "workspace_id", "updated_at"),
        # One active initiative per title, compared as `initiative_titled` compares them: two
        # people registering "Zeta" at the same moment get the same initiative.
        Index(
            "uq_effort_active_initiative_title",
            "workspace_id",
            text("lower(title)"),
            unique=True,
            sqlite_where=text("kind = 'initiative' AND status = 'active'"),
            postgresql_where=text("kind = 'initiative' AND status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    kind: str = Field(max_length=16)
    channel_id: str | None = Field(default=None, max_length=32)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    topic: str = Field(default="", max_length=1000)
    tags: list[str] = _json_list()
    status: str = Field(default="active", max_length=16)
    is_private: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="effort.id")
    working_channel_id: str | None = Field(default=None, max_length=32)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class ChannelMember(SQLModel, table=True):
    """A member of a private channel Roundtable is in: only members may see that channel."""

    __tablename__ = "channel_member"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", "person_slack_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    channel_id: str = Field(max_length=32)
    person_slack_id: str = Field(max_length=32, index=True)


class Claim(SQLModel, table=True):
    """A standing claim: this person owns this effort for this silo. Ended claims keep their row;
    what happened to them over time is in ClaimEvent."""

    __table_args__ = (
        # One standing claim per person and effort, however many of their requests race.
        Index(
            "uq_claim_standing",
            "effort_id",
            "owner_slack_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    effort_id: int = Field(foreign_key="effort.id", index=True, ondelete="CASCADE")
    silo_id: int | None = Field(default=None, foreign_key="silo.id")
    owner_slack_id: str = Field(max_length=32, index=True)
    co_owned: bool = False
    since: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)


class ClaimEvent(SQLModel, table=True):
    """Append-only history of claims: claimed, released, transferred, co-owned, orphaned,
    taken over (a departed owner's claim ended by someone claiming the effort)."""

    __tablename__ = "claim_event"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    effort_id: int = Field(foreign_key="effort.id", index=True, ondelete="CASCADE")
    action: str = Field(max_length=16)
    silo_id: int | None = Field(default=None, foreign_key="silo.id")
    person_slack_id: str | None = Field(default=None, max_length=32)
    actor_slack_id: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=500)
    at: datetime = _when()


class Overlap(SQLModel, table=True):
    """Two efforts that look like the same work; `effort_a_id` < `effort_b_id`."""

    __table_args__ = (UniqueConstraint("workspace_id", "effort_a_id", "effort_b_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    effort_a_id: int = Field(foreign_key="effort.id", ondelete="CASCADE")
    effort_b_id: int = Field(foreign_key="effort.id", ondelete="CASCADE")
    score: float
    reasons: list[str] = _json_list()
    state: str = Field(default="open", max_length=16)
    texts_fingerprint: str = Field(default="", max_length=64)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = _when(nullable=True)
    created_at: datetime = _when()


class CoordinationThread(SQLModel, table=True):
    """The thread in the hub channel where one effort's or one overlap's people meet."""

    __tablename__ = "coordination_thread"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    effort_id: int | None = Field(default=None, foreign_key="effort.id", ondelete="CASCADE")
    overlap_id: int | None = Field(default=None, foreign_key="overlap.id", ondelete="CASCADE")
    channel_id: str = Field(max_length=32)
    thread_ts: str = Field(max_length=32)
    opened_at: datetime = _when()


class Invitation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("thread_id", "person_slack_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    thread_id: int = Field(foreign_key="coordination_thread.id", ondelete="CASCADE")
    person_slack_id: str = Field(max_length=32)
    silo_id: int | None = Field(default=None, foreign_key="silo.id")
    status: str = Field(default="invited", max_length=16)
    error: str | None = Field(default=None, max_length=64)
    invited_at: datetime = _when()


class Nudge(SQLModel, table=True):
    """A message sent unasked. `dedup_key` makes sending the same nudge twice impossible."""

    __table_args__ = (UniqueConstraint("workspace_id", "dedup_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    kind: str = Field(max_length=32)
    target: str = Field(max_length=32)
    effort_id: int | None = Field(default=None, foreign_key="effort.id", ondelete="CASCADE")
    dedup_key: str = Field(max_length=200)
    sent_at: datetime | None = _when(nullable=True)
    answer: str | None = Field(default=None, max_length=16)
    answered_at: datetime | None = _when(nullable=True)


class ProcessedEvent(SQLModel, table=True):
    """One row per Events API delivery, keyed by Slack's globally unique `event_id`."""

    __tablename__ = "processed_event"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    event_id: str = Field(max_length=64, unique=True)
    event_type: str = Field(default="", max_length=64)
    status: str = Field(default="started", max_length=16)
    attempts: int = 1
    received_at: datetime = _when()
    finished_at: datetime | None = _when(nullable=True)
    error: str | None = Field(default=None, max_length=500)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_ref()
    actor_slack_id: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=64)
    detail: dict[str, Any] = _json_dict()
    at: datetime = _when()


class EffortVector(SQLModel, table=True):
    """An effort's sentence embedding, computed once when its text is created or edited."""

    __tablename__ = "effort_vector"

    effort_id: int = Field(foreign_key="effort.id", primary_key=True, ondelete="CASCADE")
    workspace_id: int = _workspace_ref()
    model: str = Field(max_length=64)
    vector: bytes
    updated_at: datetime = _when()


class SchedulerLease(SQLModel, table=True):
    """Which worker may run a scheduled job now, and when the job last finished."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(default="", max_length=64)
    expires_at: datetime = _when()
    last_finished_at: datetime | None = _when(nullable=True)
