import datetime as dt
import textwrap
from pathlib import Path

import pytest

from config.policy import (
    EXAMPLE_POLICY_PATH,
    Digest,
    PolicyError,
    QuietHours,
    Silo,
    default_policy,
    load_policy,
    parse_policy,
)

VALID = textwrap.dedent(
    """\
    hub_channel = "C0HUB000001"
    leadership = ["U0LEAD00001"]
    admins = ["U0ADMN00001"]

    [[silos]]
    name = "Marketing"
    aliases = ["mktg"]
    usergroup = "S0MKTG00001"

    [[silos]]
    name = "PR"
    aliases = ["comms"]
    members = ["U0PRPR00001"]

    [[rules]]
    name = "social media"
    match = ["social", "x.com"]
    require = ["Marketing", "PR"]

    [nudges]
    unclaimed_after = "3d"
    quiet_hours = "19:00-08:00"
    digest = "mon 09:00"

    [overlap]
    threshold = 0.6
    """
)


def problems_in(text: str) -> list[str]:
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, source="policy.toml")
    return str(raised.value).splitlines()


def line_of(text: str, fragment: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(lines) == 1, f"{fragment!r} must occur once in the test policy"
    return lines[0]


def test_the_shipped_example_parses_with_its_silos_and_rules():
    policy = load_policy(EXAMPLE_POLICY_PATH)

    assert policy.hub_channel == "C0HUB000001"
    assert policy.silo_names() == ["Marketing", "PR", "Customer Support", "Legal"]
    assert policy.silo_named("Customer Support").usergroup == "S0SUPP00001"
    assert policy.silo_named("PR").members == ("U0PRPR00001", "U0PRPR00002")
    assert [rule.name for rule in policy.rules] == ["social media", "customer feedback"]
    assert policy.rules[0].require == ("Marketing", "PR", "Customer Support", "Legal")
    assert policy.rules[1].require == ("Customer Support", "Marketing")
    assert policy.nudges == default_policy().nudges
    assert policy.overlap == default_policy().overlap


def test_without_a_file_the_defaults_apply():
    policy = load_policy(None)

    assert policy == default_policy() == parse_policy("")
    assert (policy.hub_channel, policy.admins, policy.silos, policy.rules) == (None, (), (), ())
    assert policy.nudges.unclaimed_after == dt.timedelta(days=3)
    assert policy.nudges.stale_after == dt.timedelta(days=30)
    assert policy.nudges.max_per_person_per_day == 2
    assert policy.nudges.quiet_hours == QuietHours(dt.time(19, 0), dt.time(8, 0))
    assert policy.nudges.digest == Digest(weekday=0, time=dt.time(9, 0))
    assert policy.overlap.threshold == 0.6


def test_keys_left_out_keep_their_defaults():
    policy = parse_policy('[nudges]\nstale_after = "2w"\n')

    assert policy.nudges.stale_after == dt.timedelta(weeks=2)
    assert policy.nudges.unclaimed_after == dt.timedelta(days=3)


def test_a_missing_file_is_named(tmp_path: Path):
    missing = tmp_path / "nowhere.toml"

    with pytest.raises(PolicyError) as raised:
        load_policy(missing)

    assert str(raised.value).startswith(f"{missing}: policy file not found")


def test_a_toml_syntax_error_gives_line_and_column(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text('hub_channel = "C0HUB000001"\nadmins = [\n  "U0ADMN00001"\n  oops\n')

    with pytest.raises(PolicyError) as raised:
        load_policy(path)

    assert str(raised.value).startswith(f"{path}: not valid TOML: ")
    assert "line 4, column 3" in str(raised.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'require = ["Marketing", "PR"]',
            'require = ["Markting", "PR"]',
            'rules[0] "social media" requires unknown silo "Markting" '
            '(known: Marketing, PR; did you mean "Marketing"?)',
        ),
        (
            'aliases = ["comms"]',
            'aliases = ["comms", "MKTG"]',
            'silos[1].aliases: "MKTG" is already an alias of silos[0] "Marketing"',
        ),
        (
            'unclaimed_after = "3d"',
            'unclaimed_after = "3x"',
            'nudges.unclaimed_after = "3x": expected a duration such as 90m, 12h, 3d or 2w',
        ),
        (
            'quiet_hours = "19:00-08:00"',
            'quiet_hours = "25:00-08:00"',
            'nudges.quiet_hours = "25:00-08:00": expected HH:MM-HH:MM',
        ),
        (
            'digest = "mon 09:00"',
            'digest = "someday 09:00"',
            'nudges.digest = "someday 09:00": expected a weekday and a time such as "mon 09:00"',
        ),
        (
            'hub_channel = "C0HUB000001"',
            'hub_chanel = "C0HUB000001"',
            "hub_chanel: unknown key (known: hub_channel, leadership, admins, silos, rules, "
            'nudges, overlap; did you mean "hub_channel"?)',
        ),
        (
            'unclaimed_after = "3d"',
            'unclaimed_afer = "3d"',
            "nudges.unclaimed_afer: unknown key (known: unclaimed_after, stale_after, "
            "max_per_person_per_day, quiet_hours, digest; did you mean",
        ),
        (
            'members = ["U0PRPR00001"]',
            'member = ["U0PRPR00001"]',
            "silos[1].member: unknown key (known: name, aliases, usergroup, members, "
            'representatives; did you mean "members"?)',
        ),
        (
            'aliases = ["mktg"]',
            'aliases = "mktg"',
            "silos[0].aliases: expected a list of strings, got a string",
        ),
        (
            'hub_channel = "C0HUB000001"',
            'hub_channel = "general"',
            'hub_channel = "general": expected a Slack channel ID such as C0123ABCD',
        ),
        (
            'admins = ["U0ADMN00001"]',
            'admins = ["U0ADMN00001", "@alice"]',
            'admins[1] = "@alice": expected a Slack user ID such as U0123ABCD',
        ),
        (
            'usergroup = "S0MKTG00001"',
            'usergroup = "marketing-team"',
            'silos[0].usergroup = "marketing-team": expected a Slack user group ID',
        ),
        (
            "threshold = 0.6",
            "threshold = 1.5",
            "overlap.threshold = 1.5: expected a number from 0 to 1",
        ),
        (
            "threshold = 0.6",
            'threshold = "high"',
            'overlap.threshold = "high": expected a number from 0 to 1',
        ),
    ],
)
def test_each_problem_names_the_key_and_the_line(old: str, new: str, expected: str):
    text = VALID.replace(old, new, 1)

    [problem] = problems_in(text)

    assert problem.startswith(f"policy.toml line {line_of(text, new)}: {expected}")


def test_the_line_of_a_value_inside_a_multiline_list_is_found():
    text = VALID.replace('require = ["Marketing", "PR"]', 'require = [\n    "PR",\n    "Legal",\n]')

    [problem] = problems_in(text)

    assert problem.startswith(f"policy.toml line {line_of(text, 'Legal')}: rules[0] ")
    assert "(known: Marketing, PR)" in problem


def test_a_rule_without_terms_or_silos_is_rejected():
    text = VALID + '\n[[rules]]\nname = "empty"\nmatch = []\n'

    problems = problems_in(text)

    header = line_of(text, '"empty"') - 1
    assert problems == [
        f'policy.toml line {header}: rules[1]: "require" is missing or empty',
        f'policy.toml line {line_of(text, "match = []")}: rules[1]: "match" is missing or empty',
    ]


def test_two_silos_may_not_share_a_name_in_any_case():
    text = VALID + '\n[[silos]]\nname = "pr"\n'

    [problem] = problems_in(text)

    line = line_of(text, 'name = "pr"')
    assert problem == f'policy.toml line {line}: silos[2]: two silos are named "pr" (also silos[1])'


def test_silos_written_as_one_table_are_rejected():
    [problem] = problems_in('[silos]\nname = "PR"\n')

    assert problem == "policy.toml: silos: expected tables written [[silos]], got a table"


def test_all_problems_are_reported_together_in_file_order():
    text = (
        VALID.replace("threshold = 0.6", "threshold = -1")
        .replace('digest = "mon 09:00"', 'digest = "mon"')
        .replace('leadership = ["U0LEAD00001"]', 'leadership = ["lead"]')
    )

    problems = problems_in(text)

    assert [problem.split(":")[0] for problem in problems] == [
        f"policy.toml line {line_of(text, 'leadership')}",
        f"policy.toml line {line_of(text, 'digest')}",
        f"policy.toml line {line_of(text, 'threshold')}",
    ]


@pytest.mark.parametrize(
    ("window", "moment", "quiet"),
    [
        ("19:00-08:00", dt.time(19, 0), True),
        ("19:00-08:00", dt.time(23, 59), True),
        ("19:00-08:00", dt.time(0, 0), True),
        ("19:00-08:00", dt.time(7, 59), True),
        ("19:00-08:00", dt.time(8, 0), False),
        ("19:00-08:00", dt.time(12, 0), False),
        ("12:00-13:30", dt.time(12, 45), True),
        ("12:00-13:30", dt.time(13, 30), False),
        ("12:00-13:30", dt.time(23, 0), False),
        ("00:00-00:00", dt.time(3, 0), False),
    ],
)
def test_quiet_hours_may_wrap_past_midnight(window: str, moment: dt.time, quiet: bool):
    policy = parse_policy(f'[nudges]\nquiet_hours = "{window}"\n')

    assert policy.nudges.quiet_hours.contains(moment) is quiet


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("90m", dt.timedelta(minutes=90)),
        ("12h", dt.timedelta(hours=12)),
        ("3d", dt.timedelta(days=3)),
        ("2w", dt.timedelta(weeks=2)),
        (" 1D ", dt.timedelta(days=1)),
    ],
)
def test_durations(text: str, duration: dt.timedelta):
    assert parse_policy(f'[nudges]\nunclaimed_after = "{text}"\n').nudges.unclaimed_after == (
        duration
    )


@pytest.mark.parametrize("text", ["3", "3 days", "d", "1.5h", "-2d"])
def test_malformed_durations_are_rejected(text: str):
    [problem] = problems_in(f'[nudges]\nstale_after = "{text}"\n')

    assert f'line 2: nudges.stale_after = "{text}": expected a duration' in problem


@pytest.mark.parametrize(
    ("text", "digest"),
    [
        ("fri 17:30", Digest(weekday=4, time=dt.time(17, 30))),
        ("Sunday 8:05", Digest(weekday=6, time=dt.time(8, 5))),
        ("off", None),
    ],
)
def test_digest(text: str, digest: Digest | None):
    assert parse_policy(f'[nudges]\ndigest = "{text}"\n').nudges.digest == digest


def test_silos_are_found_by_name_or_alias_in_any_case():
    policy = parse_policy(VALID)

    assert policy.silo_named("mktg") == policy.silo_named("MARKETING") == policy.silos[0]
    assert policy.silo_named(" Comms ") == policy.silos[1]
    assert policy.silo_named("Legal") is None


def test_rules_may_require_silos_by_alias():
    policy = parse_policy(
        VALID.replace('require = ["Marketing", "PR"]', 'require = ["COMMS", "PR"]')
    )

    assert policy.rules[0].require == ("PR",)


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Social listening for the launch", ["social media"]),
        ("our X.com account", ["social media"]),
        ("mktg_social-ads", ["social media"]),
        ("netflix.com promo", []),
        ("socialize the roadmap", []),
        ("customer NPS survey about social", ["social media", "customer feedback"]),
        ("quarterly NPS report", ["customer feedback"]),
    ],
)
def test_rules_match_whole_terms(text: str, matched: list[str]):
    policy = load_policy(EXAMPLE_POLICY_PATH)

    assert [rule.name for rule in policy.rules_matching(text)] == matched


def test_leadership_admins_and_export():
    policy = parse_policy(VALID)

    assert policy.is_leadership("U0LEAD00001") and not policy.is_admin("U0LEAD00001")
    assert policy.is_admin("U0ADMN00001") and not policy.is_leadership("U0ADMN00001")
    assert policy.can_export("U0LEAD00001") and policy.can_export("U0ADMN00001")
    assert not policy.can_export("U0PRPR00001")


def test_the_hub_channel_can_be_overridden():
    policy = parse_policy(VALID)

    assert policy.with_hub_channel("C0OTHER0001").hub_channel == "C0OTHER0001"
    assert policy.hub_channel == "C0HUB000001"
    assert policy.with_hub_channel(None) is policy


def test_a_silo_is_called_by_its_name_and_aliases_only():
    silo = Silo(name="Customer Support", aliases=("cs",))

    assert silo.is_called("customer support") and silo.is_called("CS")
    assert not silo.is_called("support")
