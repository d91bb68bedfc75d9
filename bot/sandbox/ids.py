"""Slack-shaped identifiers: a prefix letter and ten uppercase letters or digits."""

import random
import string

_ALPHABET = string.ascii_uppercase + string.digits


class IdFactory:
    """Makes unique ids; seeded, so a sandbox built the same way gets the same ids."""

    def __init__(self, seed: str) -> None:
        self._random = random.Random(seed)
        self._issued: set[str] = set()

    def new(self, prefix: str, length: int = 10) -> str:
        while True:
            candidate = prefix + "".join(self._random.choices(_ALPHABET, k=length))
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate

    def hex(self, length: int) -> str:
        return "".join(self._random.choices("0123456789abcdef", k=length))

    def digits(self, length: int) -> str:
        return "".join(self._random.choices(string.digits, k=length))
