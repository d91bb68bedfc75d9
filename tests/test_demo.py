"""The demo tells its story end to end on the sandbox: the README's first command."""

from __future__ import annotations

from bot.demo import run_demo


async def test_demo_shows_the_cross_silo_story_and_writes_the_transcript(tmp_path, capsys):
    assert await run_demo(tmp_path) == 0
    printed = capsys.readouterr().out
    saved = (tmp_path / "transcript.txt").read_text()
    assert saved.strip() in printed
    assert "sam created channel #cs-social-complaints" in saved
    assert "*Contested* between Marketing and PR" in saved
    assert "#mktg-social is now co-owned by Marketing and PR" in saved
    assert "left the workspace: orphaned" in saved
    assert "Roundtable published the App Home of priya" in saved
    assert "#cs-social-complaints looks like work that already exists" in saved
    assert "sam clicked [Related]" in saved
    assert "related: linked" in saved
    assert "ada: /coe dupes all" in saved and "*All possible duplicates*" in saved
