"""Overlap detection: efforts (channels and initiatives) that look like the same work.

`text` normalises names and short texts, `lexical` indexes them (TF-IDF, inverted index),
`engine` scores pairs incrementally or in a full scan and groups them, `explain` says why in
words, `evaluate` measures and re-fits the threshold, `audit` runs it all on a Slack export.
"""

from __future__ import annotations

from dataclasses import dataclass

EffortId = int | str  # the ids of one engine are all numbers or all text


@dataclass(frozen=True)
class EffortText:
    """What overlap detection knows of an effort.

    `kind` is "channel" or "initiative"; `name` is the channel name or the initiative title,
    `text` the channel purpose or the initiative description. `silo` is the owning silo when
    known; `members` are people (Slack IDs) taking part; `required_silos` are the silos the
    policy requires for it.
    """

    id: EffortId
    kind: str
    name: str
    text: str
    topic: str = ""
    silo: str | None = None
    members: frozenset[str] = frozenset()
    required_silos: frozenset[str] = frozenset()

    @property
    def is_channel(self) -> bool:
        return self.kind == "channel"

    @property
    def label(self) -> str:
        """How people refer to it: "#name" for a channel, the title for an initiative."""
        return f"#{self.name}" if self.is_channel else self.name

    @property
    def full_text(self) -> str:
        return " ".join(part for part in (self.name, self.text, self.topic) if part)
