"""Messages echo names people wrote (here, an admin's policy file) without letting them mention
anyone or break Slack's markup, in the blocks and in the plain-text fallback alike."""

from __future__ import annotations

import json

from bot import messages
from bot.directory import DirectorySummary, SiloSummary


def test_silo_names_are_escaped_in_the_silo_list_and_its_fallback() -> None:
    summary = DirectorySummary((SiloSummary("R&D <!channel>", 3, ()),), unassigned=1)
    shown = messages.silo_list(summary, "T1", "A1")
    assert shown["text"] == "Silos: R&amp;D &lt;!channel&gt; (3)"
    blocks = json.dumps(shown["blocks"])
    assert "R&amp;D &lt;!channel&gt;" in blocks and "<!channel>" not in blocks
