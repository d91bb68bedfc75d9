"""Overlaps as Roundtable lives them: found when efforts appear or change, kept in the
database, answered by people (same effort, related, not a duplicate), and never raised again
once dismissed unless a text changes materially.

Each process keeps one engine per workspace in memory. Before every use it catches up with
the efforts changed in the database since its last look, so several web and worker processes
stay consistent without recomputing anything in bulk. The engine learns the dismissals made
before it was filled; one made since in another process is judged from its overlap row when
the pair is found again, so every process keeps it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.claims import ClaimRefused, Claims, Ownership
from bot.directory import People
from bot.overlaps import EffortText
from bot.overlaps.engine import Match, OverlapEngine, semantic_text
from config.policy import Policy
from storage import members, overlaps
from storage.db import Database
from storage.models import Effort, EffortVector, Overlap, as_utc, utcnow

log = logging.getLogger(__name__)

ANSWERS = {"same": "merged", "related": "linked", "not": "dismissed"}
# Commits of other processes may land a moment after their timestamps: look back this far.
CATCH_UP_SLACK = timedelta(seconds=5)
# When an engine is first filled: efforts whose owners are read per query, texts per encoding.
OWNERSHIP_BATCH = 1000
ENCODING_BATCH = 64


@dataclass(frozen=True)
class OverlapView:
    overlap: Overlap
    a: Ownership
    b: Ownership

    @property
    def band(self) -> str:
        """ "likely the same effort" or "possibly related": stored first among the reasons."""
        return self.overlap.reasons[0] if self.overlap.reasons else ""

    @property
    def reasons(self) -> list[str]:
        return self.overlap.reasons[1:]

    @property
    def cross_silo(self) -> bool:
        return bool(self.a.silos and self.b.silos and self.a.silos != self.b.silos)

    @property
    def newer_into_older(self) -> tuple[Effort, Effort]:
        """What "same effort" does: the newer effort folds into the older one (its claims
        move, it is marked merged)."""
        older, newer = sorted((self.a.effort, self.b.effort), key=lambda effort: effort.id)
        return newer, older

    def involves(self, slack_id: str) -> bool:
        return self.a.owned_by(slack_id) or self.b.owned_by(slack_id)


class PairSettled(Exception):
    """An answer about a pair that no longer stands: `gone` was merged into `merged_into`, or
    is archived or deleted (`merged_into` None)."""

    def __init__(self, gone: Effort, merged_into: Effort | None = None) -> None:
        super().__init__(gone.title)
        self.gone = gone
        self.merged_into = merged_into


@dataclass(frozen=True)
class ScanReport:
    pairs: int
    clusters: list[list[int]]


@dataclass
class _Indexed:
    engine: OverlapEngine
    synced_at: datetime
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Overlaps:
    def __init__(
        self, db: Database, policy: Policy, claims: Claims, people: People, encoder=None
    ) -> None:
        self._db = db
        self._policy = policy
        self._claims = claims
        self._people = people
        self._encoder = encoder
        self._indexes: dict[int, _Indexed] = {}
        self._filling: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def mode(self) -> str:
        return "semantic" if self._encoder else "lexical"

    async def prepare(self, workspace: int) -> None:
        """Fill the workspace's index now (encoding missing vectors) rather than on first use."""
        await self._index(workspace)

    async def check(self, workspace: int, effort: Effort) -> list[OverlapView]:
        """Compare a new or edited effort with all others; record and return its open pairs."""
        if effort.status != "active":
            return []
        indexed = await self._index(workspace)
        async with indexed.lock:
            [text] = await self._admit(workspace, indexed.engine, [effort])
            matches = indexed.engine.check(text)
            rows = await self._record(workspace, indexed.engine, matches)
        return await self._views(rows)

    async def scan(self, workspace: int) -> ScanReport:
        """The full scan: every pair over the threshold, recorded; groups of three or more."""
        indexed = await self._index(workspace)
        async with indexed.lock:
            matches = await asyncio.to_thread(indexed.engine.scan, fresh=True)
            await self._record(workspace, indexed.engine, matches)
        clusters = OverlapEngine.clusters(matches)
        return ScanReport(len(matches), [[int(i) for i in group] for group in clusters])

    async def open_pairs(
        self, workspace: int, effort_ids: list[int] | None = None
    ) -> list[OverlapView]:
        """Open pairs of active efforts (those involving `effort_ids`), ranked as the engine
        ranks them: across silos first, then by score."""
        return await self._active_pairs(workspace, "open", effort_ids)

    async def related_pairs(self, workspace: int, effort_ids: list[int]) -> list[OverlapView]:
        """The pairs involving `effort_ids` that people answered "related" (linked)."""
        return await self._active_pairs(workspace, "linked", effort_ids)

    async def _active_pairs(
        self, workspace: int, state: str, effort_ids: list[int] | None
    ) -> list[OverlapView]:
        async with self._db.session() as session:
            rows = await overlaps.of_state(session, workspace, state, effort_ids)
        views = await self._views(list(rows))
        # A merged, archived or deleted effort is no one's work of its own any more.
        live = [v for v in views if v.a.effort.status == v.b.effort.status == "active"]
        return sorted(live, key=lambda view: (not view.cross_silo, -view.overlap.score))

    async def answered(self) -> list[tuple[float, bool]]:
        """People's answers as labelled pairs, for re-fitting the threshold."""
        async with self._db.session() as session:
            return await overlaps.answered(session)

    async def open_for(self, workspace: int, user: str, scope: str) -> list[OverlapView]:
        """Open pairs involving what the person owns ("mine"), what their silo owns ("silo"),
        or all of them ("all"), that the person may see (`shown_to`)."""
        if scope == "all":
            return await self.shown_to(workspace, user, await self.open_pairs(workspace))
        if scope == "mine":
            owned = await self._claims.efforts_owned_by(workspace, user)
        else:
            silo = await self._people.home_silo(workspace, user)
            owned = await self._claims.efforts_of_silo(workspace, silo.id) if silo else []
        pairs = await self.open_pairs(workspace, [effort.id for effort in owned])
        return await self.shown_to(workspace, user, pairs)

    async def shown_to(
        self, workspace: int, viewer: str, views: list[OverlapView]
    ) -> list[OverlapView]:
        """The pairs `viewer` may see. A pair with a private channel they are not in is left
        out whole: its reasons quote the channel's words, and they could not answer it."""
        ids = [view.a.effort.id for view in views] + [view.b.effort.id for view in views]
        async with self._db.session() as session:
            hidden = await members.hidden(session, workspace, viewer, ids)
        return [v for v in views if v.a.effort.id not in hidden and v.b.effort.id not in hidden]

    async def decide(self, workspace: int, overlap_id: int, actor: str, answer: str) -> OverlapView:
        """An owner of either effort, or an admin, answers: same effort, related, not one.
        The pair may come from an old message: see `_answerable`."""
        async with self._db.session() as session:
            row = await overlaps.get(session, workspace, overlap_id)
        if row is None:
            raise ClaimRefused("That overlap no longer exists.")
        a, b = await self._answerable(row, follow_merges=answer == "same")
        view = await self._view_of(row, a.id, b.id)
        await self._may_answer(workspace, view, actor)
        state = ANSWERS[answer]
        if state == "merged":
            await self._merge(workspace, view, actor)
        fingerprint = ""
        if state == "dismissed":
            fingerprint = await self._dismiss(workspace, view)
        async with self._db.session() as session:
            row = await overlaps.get(session, workspace, overlap_id)
            row.state, row.decided_by, row.decided_at = state, actor, utcnow()
            row.texts_fingerprint = fingerprint
            await session.commit()
        return await self._view_of(row, a.id, b.id)

    async def _answerable(self, row: Overlap, *, follow_merges: bool) -> tuple[Effort, Effort]:
        """The two efforts an answer about `row` applies to. Where one was merged since, "same
        effort" (`follow_merges`) applies to the effort it lives on in; any other answer is
        refused, as is any answer once an effort is archived or deleted, or both are one."""
        found = await self._claims.efforts_by_id([row.effort_a_id, row.effort_b_id])
        shown = found[row.effort_a_id], found[row.effort_b_id]
        live = [await self._live(effort) for effort in shown]
        for effort, now in zip(shown, live, strict=True):
            if now.status != "active":
                raise PairSettled(now)
            if now.id != effort.id and (not follow_merges or live[0].id == live[1].id):
                raise PairSettled(effort, merged_into=now)
        return live[0], live[1]

    async def _live(self, effort: Effort) -> Effort:
        """The effort whose work `effort` now is: itself, or the one it was merged into."""
        while effort.status == "merged" and effort.merged_into_id:
            into = effort.merged_into_id
            effort = (await self._claims.efforts_by_id([into]))[into]
        return effort

    async def _view_of(self, row: Overlap, a: int, b: int) -> OverlapView:
        """`row` answered about efforts `a` and `b` (its own, or where merges took them)."""
        found = await self._claims.efforts_by_id([a, b])
        return OverlapView(row, *await self._claims.ownerships([found[a], found[b]]))

    async def _may_answer(self, workspace: int, view: OverlapView, actor: str) -> None:
        anyone = not view.a.owners and not view.b.owners
        if anyone or view.involves(actor) or await self._claims.is_admin(workspace, actor):
            return
        raise ClaimRefused("Only the owners of these efforts, or an admin, can answer this.")

    async def _merge(self, workspace: int, view: OverlapView, actor: str) -> None:
        merged, kept = view.newer_into_older
        await self._claims.move_claims(workspace, merged, kept, actor)
        indexed = await self._index(workspace)
        async with indexed.lock:
            indexed.engine.remove(merged.id)

    async def _dismiss(self, workspace: int, view: OverlapView) -> str:
        indexed = await self._index(workspace)
        async with indexed.lock:
            a, b = await self._texts(workspace, [view.a.effort, view.b.effort])
            return indexed.engine.dismiss(a, b)

    async def _record(
        self, workspace: int, engine: OverlapEngine, matches: list[Match]
    ) -> list[Overlap]:
        """Store each match as an open overlap, leaving confirmed pairs alone and dismissed
        pairs dismissed unless one of the texts changed materially since. Under the engine's
        lock: the engine is read (and learns dismissals), and may be in use on a thread."""
        kept = []
        async with self._db.session() as session:
            found = [_found(match) for match in matches]
            rows = await overlaps.ensure_pairs(session, workspace, found)
            for pair in found:
                row = rows[overlaps.ordered(pair.a, pair.b)]
                if row.state in {"merged", "linked"}:
                    continue
                if row.state == "dismissed":
                    if _still_dismissed(engine, row):
                        continue
                    row.state, row.decided_by, row.decided_at = "open", None, None
                row.score, row.reasons = pair.score, pair.reasons
                kept.append(row)
            await session.commit()
        return kept

    async def _views(self, rows: list[Overlap]) -> list[OverlapView]:
        if not rows:
            return []
        ids = {i for row in rows for i in (row.effort_a_id, row.effort_b_id)}
        found = await self._claims.efforts_by_id(list(ids))
        ownerships = {o.effort.id: o for o in await self._claims.ownerships(list(found.values()))}
        return [
            OverlapView(row, ownerships[row.effort_a_id], ownerships[row.effort_b_id])
            for row in rows
            if row.effort_a_id in ownerships and row.effort_b_id in ownerships
        ]

    async def _index(self, workspace: int) -> _Indexed:
        """The workspace's engine, filled on first use (once, however many ask at that time),
        then caught up with the database."""
        async with self._filling[workspace]:
            indexed = self._indexes.get(workspace)
            if indexed is None:
                indexed = self._indexes[workspace] = await self._fill(workspace)
                return indexed
        async with indexed.lock:
            await self._catch_up(workspace, indexed)
        return indexed

    async def _fill(self, workspace: int) -> _Indexed:
        started = utcnow() - CATCH_UP_SLACK
        engine = OverlapEngine.from_policy(self._policy, self._encoder)
        async with self._db.session() as session:
            efforts = list(await overlaps.active_efforts(session, workspace))
            dismissed = await overlaps.of_state(session, workspace, "dismissed")
        texts = await self._texts(workspace, efforts)
        vectors = await self._stored_or_encoded(workspace, efforts, texts)
        # Off the event loop: a large workspace takes seconds, and requests must not wait.
        await asyncio.to_thread(engine.load, list(zip(texts, vectors, strict=True)))
        engine.suppress(
            (row.effort_a_id, row.effort_b_id, row.texts_fingerprint)
            for row in dismissed
            if row.texts_fingerprint
        )
        # The index's objects live as long as the process: kept out of the garbage collector's
        # rounds, a full round takes milliseconds rather than most of a second at 100,000.
        # The young generations are collected first (a quick round), so that little garbage is
        # frozen with them.
        gc.collect(1)
        gc.freeze()
        log.info(
            "overlap index of workspace %d: %d efforts (%s)", workspace, len(engine), self.mode
        )
        return _Indexed(engine, started)

    async def _catch_up(self, workspace: int, indexed: _Indexed) -> None:
        since, indexed.synced_at = indexed.synced_at, utcnow() - CATCH_UP_SLACK
        async with self._db.session() as session:
            changed = await overlaps.efforts_changed_since(session, workspace, since)
        for effort in changed:
            if effort.status != "active":
                indexed.engine.remove(effort.id)
        active = [effort for effort in changed if effort.status == "active"]
        await self._admit(workspace, indexed.engine, active)

    async def _admit(
        self, workspace: int, engine: OverlapEngine, efforts: list[Effort]
    ) -> list[EffortText]:
        """Add the efforts the engine does not know as they now are (new, edited, or owned by
        another silo), off the event loop; returns all their texts. Where no stored vector is
        fresh, the engine encodes one, and it is stored."""
        texts = await self._texts(workspace, efforts)
        new = [row for row, text in enumerate(texts) if not engine.knows(text)]
        stored = await self._stored_vectors(workspace, [efforts[row] for row in new])
        added = [(texts[row], vector) for row, vector in zip(new, stored, strict=True)]
        if added:
            await asyncio.to_thread(_add_each, engine, added)
        made = [text.id for text, vector in added if vector is None]
        await self._save_vectors(workspace, [(i, engine.vector(i)) for i in made])
        return texts

    async def _texts(self, workspace: int, efforts: list[Effort]) -> list[EffortText]:
        texts = []
        for start in range(0, len(efforts), OWNERSHIP_BATCH):
            batch = efforts[start : start + OWNERSHIP_BATCH]
            channels = [effort.channel_id for effort in batch if effort.channel_id]
            async with self._db.session() as session:
                members_of = await members.of_channels(session, workspace, channels)
            for ownership in await self._claims.ownerships(batch):
                channel_members = members_of.get(ownership.effort.channel_id or "", set())
                texts.append(self._text(ownership, channel_members))
        return texts

    def _text(self, ownership: Ownership, channel_members: set[str]) -> EffortText:
        """What the engine knows of an effort. Its members are the people taking part: its
        owners, and the members of its channel where Roundtable knows them (private ones)."""
        effort = ownership.effort
        body = " ".join(part for part in (effort.description, " ".join(effort.tags)) if part)
        required = {
            silo
            for rule in self._policy.rules_matching(f"{effort.title} {body}")
            for silo in rule.require
        }
        return EffortText(
            id=effort.id,
            kind=effort.kind,
            name=effort.title,
            text=body,
            topic=effort.topic,
            silo=ownership.silos[0] if ownership.silos else None,
            members=frozenset(channel_members | {owner.slack_id for owner in ownership.present}),
            required_silos=frozenset(required),
        )

    async def _stored_or_encoded(
        self, workspace: int, efforts: list[Effort], texts: list[EffortText]
    ) -> list:
        """Each of the workspace's efforts' sentence vectors, for a fill: the stored one unless
        the effort changed since, else encoded off the event loop and stored, a batch at a time
        (a first fill of a large workspace takes minutes: what is done is kept)."""
        vectors = await self._stored_vectors(workspace, efforts, whole_workspace=True)
        if not self._encoder:
            return vectors
        stale = [row for row, vector in enumerate(vectors) if vector is None]
        for start in range(0, len(stale), ENCODING_BATCH):
            rows = stale[start : start + ENCODING_BATCH]
            sentences = [semantic_text(texts[row]) for row in rows]
            encoded = await asyncio.to_thread(self._encoder.encode, sentences)
            for row, vector in zip(rows, encoded, strict=True):
                vectors[row] = vector
            await self._save_vectors(workspace, [(efforts[row].id, vectors[row]) for row in rows])
        return vectors

    async def _stored_vectors(
        self, workspace: int, efforts: list[Effort], *, whole_workspace: bool = False
    ) -> list:
        """Each effort's stored sentence vector, None where the effort changed since it was
        made (and in lexical mode). `whole_workspace`: the efforts are all of the workspace's,
        whose vectors are then read in one query."""
        if not self._encoder or not efforts:
            return [None] * len(efforts)
        async with self._db.session() as session:
            ids = None if whole_workspace else [effort.id for effort in efforts]
            stored = await overlaps.vectors(session, workspace, self._encoder.model, ids)
        return [_fresh_vector(stored.get(effort.id), effort) for effort in efforts]

    async def _save_vectors(self, workspace: int, made: list[tuple[int, Any]]) -> None:
        """Store the vectors just made, by effort ID (none in lexical mode)."""
        blobs = [(effort_id, vector.tobytes()) for effort_id, vector in made if vector is not None]
        if blobs:
            async with self._db.session() as session:
                await overlaps.save_vectors(session, workspace, self._encoder.model, blobs)


def _add_each(engine: OverlapEngine, added: list[tuple[EffortText, Any]]) -> None:
    for text, vector in added:
        engine.add(text, vector)


def _still_dismissed(engine: OverlapEngine, row: Overlap) -> bool:
    """Whether neither text of the dismissed pair changed materially since, judged from the
    fingerprint stored with the dismissal, whichever process made it. The engine learns it,
    so its next checks and scans leave the pair out."""
    engine.suppress([(row.effort_a_id, row.effort_b_id, row.texts_fingerprint)])
    return engine.is_suppressed(engine.effort(row.effort_a_id), engine.effort(row.effort_b_id))


def _found(match: Match) -> overlaps.FoundPair:
    reasons = [match.band, *match.reasons]
    return overlaps.FoundPair(int(match.a), int(match.b), round(match.score, 4), reasons)


def _fresh_vector(stored: EffortVector | None, effort: Effort):
    """The stored vector if the effort has not changed since it was made."""
    if stored and as_utc(stored.updated_at) >= as_utc(effort.updated_at):
        return _vector_from(stored.vector)
    return None


def _vector_from(blob: bytes):
    import numpy  # present whenever an encoder is: the `semantic` extra brings both

    return numpy.frombuffer(blob, dtype=numpy.float32)
