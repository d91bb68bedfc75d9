from collections.abc import Callable

import pytest

from bot.arguments import (
    CLAIM_USAGE,
    SILO_SET_USAGE,
    TRANSFER_USAGE,
    WHO_USAGE,
    ArgumentError,
    ChannelRef,
    ClaimArgs,
    InitiativeRef,
    PersonRef,
    SiloAssignment,
    SiloRef,
    TransferArgs,
    closest_names,
    parse_claim,
    parse_silo_assignment,
    parse_target,
    parse_transfer,
)

SOCIAL = ChannelRef(None, "mktg-social")
SOCIAL_ID = ChannelRef("C0123ABCD", "mktg-social")
BRAND = InitiativeRef("Brand sentiment tracking")
MARIA = PersonRef(None, "maria")
BOB = PersonRef(None, "bob")

# Spelled out: ruff flags these characters as look-alikes of ` and :.
LEFT_1 = "\N{LEFT SINGLE QUOTATION MARK}"
RIGHT_1 = "\N{RIGHT SINGLE QUOTATION MARK}"
FULL_COLON = "\N{FULLWIDTH COLON}"


def problem(parse: Callable[[str], object], text: str) -> ArgumentError:
    with pytest.raises(ArgumentError) as raised:
        parse(text)
    return raised.value


# parse_target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#mktg-social", SOCIAL),
        ("  #Mktg-Social  ", SOCIAL),
        ("<#C0123ABCD|mktg-social>", SOCIAL_ID),
        ("<#C0123ABCD>", ChannelRef("C0123ABCD", None)),
        ("<#C0123ABCD|>", ChannelRef("C0123ABCD", None)),
        ("@maria", MARIA),
        ("<@U0123ABCD>", PersonRef("U0123ABCD", None)),
        ("<@W0123ABCD|maria>", PersonRef("W0123ABCD", "maria")),
        ('"Brand sentiment tracking"', BRAND),
        ("“Brand sentiment tracking”", BRAND),
        (f"{LEFT_1}Brand sentiment tracking{RIGHT_1}", BRAND),
        ("PR", SiloRef("PR")),
        ("Customer   Support", SiloRef("Customer Support")),
        ("<!subteam^S0123|@marketing>", SiloRef("marketing", usergroup="S0123")),
        ("<!subteam^S0123>", SiloRef("S0123", usergroup="S0123")),
    ],
)
def test_target_forms(text: str, expected: object) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "   "])
def test_no_target_is_none(text: str) -> None:
    assert parse_target(text) is None


def test_target_keeps_apostrophes_inside_curly_single_quotes() -> None:
    assert parse_target(f"{LEFT_1}Maria{RIGHT_1}s launch{RIGHT_1}") == InitiativeRef(
        f"Maria{RIGHT_1}s launch"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#", "There's a # with no channel name after it."),
        ("@", "There's an @ with no name after it."),
        ("#mktg-social extra", "I can look up one thing at a time; I don't follow “extra”."),
        ('"Brand sentiment', 'The quote that starts “"Brand sentiment” is never closed.'),
        ("s" * 81, "Silo names can be at most 80 characters; this one has 81."),
    ],
)
def test_target_problems(text: str, message: str) -> None:
    error = problem(parse_target, text)
    assert error.problem == message
    assert error.usage == WHO_USAGE


# parse_claim


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#mktg-social", ClaimArgs(SOCIAL)),
        ("#Mktg-Social as PR", ClaimArgs(SOCIAL, "PR")),
        ("#mktg-social AS pr", ClaimArgs(SOCIAL, "pr")),
        (
            "<#C0123ABCD|mktg-social> as Customer Support",
            ClaimArgs(SOCIAL_ID, "Customer Support"),
        ),
        ("<#C0123ABCD> as PR", ClaimArgs(ChannelRef("C0123ABCD", None), "PR")),
        ("#mktg-social -- all posts", ClaimArgs(SOCIAL, None, "all posts")),
        ("#mktg-social: all posts", ClaimArgs(SOCIAL, None, "all posts")),
        ('"Brand sentiment tracking"', ClaimArgs(BRAND)),
        ('"Brand sentiment tracking" -- Listening', ClaimArgs(BRAND, None, "Listening")),
        ('"Brand sentiment tracking" — Listening', ClaimArgs(BRAND, None, "Listening")),
        ('"Brand sentiment tracking": Listening', ClaimArgs(BRAND, None, "Listening")),
        ('"Brand sentiment tracking"—Listening', ClaimArgs(BRAND, None, "Listening")),
        ('"Brand sentiment tracking" as PR -- Listening', ClaimArgs(BRAND, "PR", "Listening")),
        ('"Brand sentiment tracking" as "Customer Support"', ClaimArgs(BRAND, "Customer Support")),
        ("“Brand sentiment tracking” — Listening", ClaimArgs(BRAND, None, "Listening")),
        (f"{LEFT_1}Brand sentiment tracking{RIGHT_1} as PR", ClaimArgs(BRAND, "PR")),
        ("Brand sentiment tracking", ClaimArgs(BRAND)),
        (
            "Brand sentiment tracking -- Listening across social",
            ClaimArgs(BRAND, None, "Listening across social"),
        ),
        ("Brand sentiment tracking — Listening", ClaimArgs(BRAND, None, "Listening")),
    ],
)
def test_claim_forms(text: str, expected: ClaimArgs) -> None:
    assert parse_claim(text) == expected


def test_claim_silo_from_a_user_group_mention() -> None:
    assert parse_claim("#mktg-social as <!subteam^S0123|@pr>").silo == "pr"


def test_claim_description_keeps_later_separators_and_lines() -> None:
    parsed = parse_claim('"Brand sentiment tracking" -- phase 1: listen\nphase 2 -- act')
    assert parsed.description == "phase 1: listen\nphase 2 -- act"


def test_claim_separators_inside_quotes_belong_to_the_title() -> None:
    parsed = parse_claim('"Q3: launch -- social" -- Listening')
    assert parsed == ClaimArgs(InitiativeRef("Q3: launch -- social"), None, "Listening")


def test_unquoted_title_keeps_colons_and_as() -> None:
    parsed = parse_claim("Q3: work as a team")
    assert parsed == ClaimArgs(InitiativeRef("Q3: work as a team"))


def test_claim_title_whitespace_is_collapsed() -> None:
    assert parse_claim('"  Brand \t sentiment\ntracking "').target == BRAND


@pytest.mark.parametrize(
    ("text", "title", "description"),
    [
        ('"ブランド調査 🚀" -- ソーシャル全体', "ブランド調査 🚀", "ソーシャル全体"),
        (f"「ブランド調査」{FULL_COLON}ソーシャル全体", "ブランド調査", "ソーシャル全体"),
        ("『ブランド調査』", "ブランド調査", ""),
        ("🚀 Launch ünïcödé — émoji 🎉", "🚀 Launch ünïcödé", "émoji 🎉"),
    ],
)
def test_claim_unicode_titles(text: str, title: str, description: str) -> None:
    assert parse_claim(text) == ClaimArgs(InitiativeRef(title), None, description)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("#マーケティング", "マーケティング"),
        ("#Café_Ops", "café_ops"),
        ("#cafe\u0301", "café"),
        ("#" + "a" * 80, "a" * 80),
    ],
)
def test_claim_channel_names_are_normalised(text: str, name: str) -> None:
    assert parse_claim(text).target == ChannelRef(None, name)


def test_slack_escapes_are_undone_in_titles_and_descriptions() -> None:
    parsed = parse_claim('"R&amp;D &lt;roadmap&gt;" -- Q&amp;A, &amp;lt; stays')
    assert parsed == ClaimArgs(InitiativeRef("R&D <roadmap>"), None, "Q&A, &lt; stays")


@pytest.mark.parametrize(
    "text",
    [
        '"Sync with <@U0123ABCD> and <!channel>"',
        "Sync with <@U0123ABCD> and <!channel>",
        "Sync with &lt;@U0123ABCD&gt; and &lt;!channel&gt;",
    ],
)
def test_mentions_inside_a_title_stay_text(text: str) -> None:
    parsed = parse_claim(text)
    assert parsed == ClaimArgs(InitiativeRef("Sync with <@U0123ABCD> and <!channel>"))


def test_an_escaped_mention_typed_first_is_a_title_not_a_person() -> None:
    assert parse_claim("&lt;@U0123ABCD&gt; launch").target == InitiativeRef("<@U0123ABCD> launch")


def test_limits_are_inclusive() -> None:
    parsed = parse_claim(f'"{"t" * 200}" as {"s" * 80} -- {"d" * 2000}')
    assert (len(parsed.target.title), len(parsed.silo or ""), len(parsed.description)) == (
        200,
        80,
        2000,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tell me which channel or initiative."),
        ("#", "There's a # with no channel name after it."),
        ("# as PR", "There's a # with no channel name after it."),
        (
            "#mktg.social",
            "“#mktg.social” isn't a channel name: those have only letters, numbers, - and _.",
        ),
        ("#" + "a" * 81, "Channel names can be at most 80 characters; this one has 81."),
        ('"Brand', 'The quote that starts “"Brand” is never closed.'),
        (
            "“Brand sentiment tracking",
            "The quote that starts ““Brand sentiment tracking” is never closed.",
        ),
        ('""', "The title is empty."),
        ('" " -- Listening', "The title is empty."),
        ("-- Listening", "The title is empty."),
        (f'"{"t" * 201}"', "Titles can be at most 200 characters; this one has 201."),
        ("t" * 201, "Titles can be at most 200 characters; this one has 201."),
        (
            f'"Brand" -- {"d" * 2001}',
            "Descriptions can be at most 2000 characters; this one has 2001.",
        ),
        ("#mktg-social as", "Tell me which silo."),
        (
            f"#mktg-social -- {'r' * 501}",
            "Reasons can be at most 500 characters; this one has 501.",
        ),
        ("#mktg-social as -- Listening", "Tell me which silo."),
        (
            f"#mktg-social as {'s' * 81}",
            "Silo names can be at most 80 characters; this one has 81.",
        ),
        ("#mktg-social social", "I don't follow “social”."),
        ('"Brand" Listening across social', "I don't follow “Listening across social”."),
        ("@maria", "You can claim a channel or an initiative, not a person or a group."),
        ("<@U0123ABCD>", "You can claim a channel or an initiative, not a person or a group."),
        (
            "<!subteam^S0123|@pr> plan",
            "You can claim a channel or an initiative, not a person or a group.",
        ),
    ],
)
def test_claim_problems(text: str, message: str) -> None:
    error = problem(parse_claim, text)
    assert error.problem == message
    assert error.usage == CLAIM_USAGE


def test_error_text_is_the_problem_then_the_usage() -> None:
    error = problem(parse_claim, "")
    assert isinstance(error, ValueError)
    assert str(error) == f"Tell me which channel or initiative.\nUsage: {CLAIM_USAGE}"


def test_long_typed_text_is_shortened_in_messages() -> None:
    error = problem(parse_claim, "#mktg-social " + "x" * 100)
    assert error.problem == f"I don't follow “{'x' * 40}…”."


# parse_transfer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#mktg-social @maria", TransferArgs(SOCIAL, MARIA)),
        (
            "<#C0123ABCD|mktg-social> <@U0123ABCD>",
            TransferArgs(SOCIAL_ID, PersonRef("U0123ABCD", None)),
        ),
        (
            '"Brand sentiment tracking" <@U0123ABCD>',
            TransferArgs(BRAND, PersonRef("U0123ABCD", None)),
        ),
        ("“Brand sentiment tracking” @maria", TransferArgs(BRAND, MARIA)),
        ("#mktg-social @maria -- moving to PR", TransferArgs(SOCIAL, MARIA, "moving to PR")),
        ("#mktg-social @maria — moving to PR", TransferArgs(SOCIAL, MARIA, "moving to PR")),
        ("#mktg-social @maria: moving to PR", TransferArgs(SOCIAL, MARIA, "moving to PR")),
        (
            '"Brand sentiment tracking" <@W0123ABCD|Maria Lopez> -- R&amp;D owns it',
            TransferArgs(BRAND, PersonRef("W0123ABCD", "Maria Lopez"), "R&D owns it"),
        ),
        ("Brand sentiment tracking @maria", TransferArgs(BRAND, MARIA)),
        (
            "Brand sentiment tracking <@W0123ABCD|Maria Lopez> -- leaving",
            TransferArgs(BRAND, PersonRef("W0123ABCD", "Maria Lopez"), "leaving"),
        ),
        ("Sync with @bob @maria", TransferArgs(InitiativeRef("Sync with @bob"), MARIA)),
        (  # an admin names whose claim, when the effort has several owners
            "#mktg-social <@U0123ABCD> @maria -- Priya moved to PR",
            TransferArgs(SOCIAL, MARIA, "Priya moved to PR", PersonRef("U0123ABCD", None)),
        ),
        ('"Brand sentiment tracking" @bob @maria', TransferArgs(BRAND, MARIA, "", BOB)),
    ],
)
def test_transfer_forms(text: str, expected: TransferArgs) -> None:
    assert parse_transfer(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tell me what to hand over, and to whom."),
        ("#mktg-social", "Tell me who should take it over, such as @maria."),
        ("#mktg-social maria", "Tell me who should take it over, such as @maria."),
        ("#mktg-social &lt;@U0123ABCD&gt;", "Tell me who should take it over, such as @maria."),
        ("Brand sentiment tracking", "Tell me who should take it over, such as @maria."),
        ("Brand sentiment tracking -- @maria", "Tell me who should take it over, such as @maria."),
        ("email maria@example.com", "Tell me who should take it over, such as @maria."),
        ('"Brand" @', "There's an @ with no name after it."),
        ("@maria #mktg-social", "First tell me which channel or initiative to hand over."),
        ("#mktg-social @maria thanks", "I don't follow “thanks”."),
        ('"Brand', 'The quote that starts “"Brand” is never closed.'),
        (
            f"#mktg-social @maria -- {'r' * 501}",
            "Reasons can be at most 500 characters; this one has 501.",
        ),
    ],
)
def test_transfer_problems(text: str, message: str) -> None:
    error = problem(parse_transfer, text)
    assert error.problem == message
    assert error.usage == TRANSFER_USAGE


# parse_silo_assignment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@maria PR", SiloAssignment(MARIA, "PR")),
        (
            "<@U0123ABCD>   Customer  Support ",
            SiloAssignment(PersonRef("U0123ABCD", None), "Customer Support"),
        ),
        (
            '<@W0123ABCD|maria> "Customer Support"',
            SiloAssignment(PersonRef("W0123ABCD", "maria"), "Customer Support"),
        ),
        ("@maria <!subteam^S0123|@marketing>", SiloAssignment(MARIA, "marketing")),
        ("@maria R&amp;D", SiloAssignment(MARIA, "R&D")),
    ],
)
def test_silo_assignment_forms(text: str, expected: SiloAssignment) -> None:
    assert parse_silo_assignment(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tell me whose silo to set, such as @maria."),
        ("PR @maria", "Tell me whose silo to set, such as @maria."),
        ("@maria", "Tell me which silo."),
        ("@maria  ", "Tell me which silo."),
        (f"@maria {'s' * 81}", "Silo names can be at most 80 characters; this one has 81."),
    ],
)
def test_silo_assignment_problems(text: str, message: str) -> None:
    error = problem(parse_silo_assignment, text)
    assert error.problem == message
    assert error.usage == SILO_SET_USAGE


# closest_names

CHANNELS = ["mktg-social", "mktg-email", "sales", "support"]


def test_closest_names_finds_typos_best_first() -> None:
    assert closest_names("mktg-socail", CHANNELS) == ["mktg-social", "mktg-email"]


def test_closest_names_ignores_case_and_answers_with_the_candidates_spelling() -> None:
    assert closest_names("customer SUPORT", ["Customer Support", "PR"]) == ["Customer Support"]


def test_closest_names_stops_at_n() -> None:
    assert closest_names("mktg-socail", CHANNELS, n=1) == ["mktg-social"]


def test_closest_names_lists_a_name_once_whatever_its_case() -> None:
    assert closest_names("pr", ["PR", "pr", "Pr"]) == ["PR"]


def test_closest_names_without_a_likely_match() -> None:
    assert closest_names("finance", CHANNELS) == []
    assert closest_names("sales", []) == []
