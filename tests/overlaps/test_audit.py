"""`python -m bot audit PATH [--json]` on Slack exports and initiative lists, offline."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bot.overlaps.audit import AuditError, load_export, main, run_audit
from config.policy import Policy, default_policy, load_policy

DATA = Path(__file__).parents[1] / "data"
CHANNELS = json.loads((DATA / "houstondatavis_slack.json").read_text(encoding="utf-8"))
USERS = json.loads((DATA / "houstondatavis_slack_users.json").read_text(encoding="utf-8"))

INITIATIVES = [
    {
        "title": "Social listening",
        "description": "Monitor brand mentions on Twitter",
        "silo": "Marketing",
    },
    {
        "title": "Complaints on social",
        "description": "Track complaints on Twitter and social media",
        "silo": "Customer Support",
    },
    {
        "title": "Brand sentiment tracking",
        "description": "Measure public sentiment about the brand across social media",
        "silo": "PR",
    },
    {"title": "Quarterly tax filing", "description": "File sales tax returns on time"},
]


def as_export(channel: dict[str, Any]) -> dict[str, Any]:
    """A channel as Slack's export writes it: purpose and topic as objects, is_archived."""
    return {
        "id": channel["id"],
        "name": channel["name"],
        "created": channel["created"],
        "creator": channel["creator"],
        "is_archived": channel["archived"],
        "is_general": channel["is_general"],
        "members": [],
        "purpose": {"value": channel["purpose"] or "", "creator": "", "last_set": 0},
        "topic": {"value": channel["topic"] or "", "creator": "", "last_set": 0},
    }


@pytest.fixture
def export_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "houstondatavis"
    folder.mkdir()
    (folder / "channels.json").write_text(json.dumps([as_export(c) for c in CHANNELS]))
    (folder / "users.json").write_text(json.dumps(USERS))
    return folder


@pytest.fixture
def export_zip(export_folder: Path, tmp_path: Path) -> Path:
    archive = tmp_path / "houstondatavis.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in export_folder.iterdir():
            zipped.write(file, f"houstondatavis Slack export/{file.name}")
    return archive


def test_an_export_folder_gives_one_effort_per_channel_but_general(export_folder: Path) -> None:
    efforts = load_export(export_folder)
    assert len(efforts) == len(CHANNELS) - 1
    assert {effort.kind for effort in efforts} == {"channel"}
    tools = next(effort for effort in efforts if effort.name == "tools")
    assert tools.text.startswith("a place to share libraries, packages, and products")
    assert "&amp;" not in next(effort.text for effort in efforts if effort.name == "talks")


@pytest.mark.parametrize("source", ["export_folder", "export_zip"])
def test_the_json_report_pairs_channel_names(source: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(source)
    report = json.loads(run_audit(path, default_policy(), json_output=True))
    assert list(report) == ["pairs"]
    pairs = report["pairs"]
    assert pairs, "the export has near-duplicate channels"
    for pair in pairs:
        assert set(pair) == {"a", "b", "score", "reasons"}
        assert not pair["a"].startswith("#") and 0 <= pair["score"] <= 1 and pair["reasons"]
    assert {"meetup", "meetup-"} in [{pair["a"], pair["b"]} for pair in pairs]


def test_the_plain_channel_list_reads_like_the_export(export_folder: Path) -> None:
    listed = json.loads(run_audit(DATA / "houstondatavis_slack.json", default_policy(), True))
    exported = json.loads(run_audit(export_folder, default_policy(), True))
    assert listed == exported


def test_the_readable_report_says_why_without_bare_numbers(export_folder: Path) -> None:
    report = run_audit(export_folder, default_policy(), json_output=False)
    assert report.startswith(f"Roundtable audit of {export_folder}")
    assert "15 channels (9 archived), 71 people" in report
    assert "#meetup- and #meetup (archived): likely the same effort" in report
    assert "similar names: #meetup- and #meetup" in report
    assert "0." not in report


def test_initiatives_of_three_silos_are_one_cluster(tmp_path: Path) -> None:
    path = tmp_path / "initiatives.json"
    path.write_text(json.dumps(INITIATIVES))
    policy: Policy = load_policy("config/policy.example.toml")
    report = run_audit(path, policy, json_output=False)
    assert "4 initiatives: 3 overlapping pairs." in report
    assert "Cluster 1: one effort in 3 places: " in report
    assert (
        "Social listening and Complaints on social: likely the same effort "
        "(Marketing / Customer Support)\n    - both mention twitter and social"
    ) in report
    assert "Quarterly tax filing" not in report
    pairs = json.loads(run_audit(path, policy, json_output=True))["pairs"]
    assert {pair["a"] for pair in pairs} | {pair["b"] for pair in pairs} == {
        "Social listening",
        "Complaints on social",
        "Brand sentiment tracking",
    }


def test_what_cannot_be_audited_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "object.json").write_text('{"channels": []}')
    for path, message in (
        (tmp_path / "missing", "no such file or folder"),
        (tmp_path / "empty", "no channels.json in this folder"),
        (tmp_path / "broken.json", "not valid JSON"),
        (tmp_path / "object.json", "expected a JSON list of channels or of initiatives"),
    ):
        with pytest.raises(AuditError, match=message):
            run_audit(path, default_policy(), json_output=True)
    assert main(str(tmp_path / "missing"), True, default_policy()) == 2
    assert "error:" in capsys.readouterr().err


def damaged_copies(export_zip: Path, tmp_path: Path) -> dict[str, Path]:
    """The export zip with a flipped byte in channels.json, cut in half, and not UTF-8 at all."""
    data = export_zip.read_bytes()
    with zipfile.ZipFile(export_zip) as opened:
        member = opened.infolist()[0]
    flipped = bytearray(data)
    flipped[member.header_offset + 30 + len(member.filename.encode()) + 5] ^= 0xFF
    damaged = {
        "bad_crc.zip": bytes(flipped),
        "truncated.zip": data[: len(data) // 2],
        "latin1.json": '[{"title": "Café"}]'.encode("latin-1"),
    }
    for name, content in damaged.items():
        (tmp_path / name).write_bytes(content)
    return {name: tmp_path / name for name in damaged}


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("bad_crc.zip", "cannot be unzipped (Bad CRC-32 for file "),
        ("truncated.zip", "a zip file cut short or damaged"),
        ("latin1.json", "not JSON: not UTF-8 text"),
    ],
)
def test_a_damaged_file_is_one_line_naming_it(
    name: str,
    problem: str,
    export_zip: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = damaged_copies(export_zip, tmp_path)[name]

    assert main(str(path), False, default_policy()) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {path}")
    assert problem in captured.err
    assert captured.err.count("\n") == 1
