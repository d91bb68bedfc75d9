"""What a person is told when their request cannot be done, and what the operator is told."""

from __future__ import annotations

import logging

from bot import messages
from bot.arguments import ArgumentError
from bot.blocks import Message, escape
from bot.claims import ClaimRefused
from bot.efforts import EffortNotFound
from bot.gateway import SlackFailure
from bot.overlaps.service import PairSettled
from bot.registry import PersonNotFound

log = logging.getLogger(__name__)


def explain(error: Exception) -> Message:
    if isinstance(error, ArgumentError):
        return messages.refused(f"{escape(error.problem)}\nUsage: `{error.usage}`")
    if isinstance(error, EffortNotFound):
        return messages.not_found(error.kind, error.typed, error.suggestions)
    if isinstance(error, PersonNotFound):
        return messages.not_found("person", error.typed, error.suggestions, error.why)
    if isinstance(error, PairSettled):
        return messages.pair_settled(error.gone, error.merged_into)
    if isinstance(error, ClaimRefused):
        return messages.refused(escape(str(error)))
    if isinstance(error, SlackFailure):
        return messages.refused(error.advice)
    log.exception("unexpected error while answering a request")
    return messages.refused("Something went wrong on my side. The operator has been told.")
