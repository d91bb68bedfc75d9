"""Normalisation of Slack names and short texts."""

from __future__ import annotations

import pytest

from bot.overlaps.text import Normaliser, fingerprint, load_abbreviations, resemblance, stem


@pytest.fixture(scope="module")
def plain() -> Normaliser:
    return Normaliser()


def test_a_channel_name_loses_its_year_and_region(plain: Normaliser) -> None:
    assert plain.tokens("mktg-social-2024-emea", name=True) == plain.tokens("marketing social")


def test_silo_prefixes_are_dropped_from_channel_names_only() -> None:
    normaliser = Normaliser(["Marketing", "mktg", "Customer Support", "cs"])
    assert normaliser.tokens("mktg-social-listening", name=True) == ["social", "listen"]
    assert normaliser.tokens("cs-social-listening", name=True) == ["social", "listen"]
    assert normaliser.tokens("customer-support-social", name=True) == ["social"]
    assert normaliser.tokens("marketing", name=True) == ["market"]  # nothing would be left
    assert normaliser.tokens("Marketing plan") == ["market", "plan"]  # a text keeps its words


@pytest.mark.parametrize(
    ("short", "spelled_out"),
    [
        ("mktg", "marketing"),
        ("cs", "customer support"),
        ("cx", "customer experience"),
        ("l10n", "localization"),
        ("a11y", "accessibility"),
        ("kb", "knowledge base"),
        ("hr", "human resources"),
        ("SEO", "search engine optimisation"),
    ],
)
def test_abbreviations_read_as_what_they_stand_for(
    plain: Normaliser, short: str, spelled_out: str
) -> None:
    assert plain.tokens(short) == plain.tokens(spelled_out)


def test_the_dictionary_is_general_and_lowercase() -> None:
    abbreviations = load_abbreviations()
    assert {"mktg", "cs", "cx", "l10n", "a11y", "kb", "hr", "okr", "kpi"} <= abbreviations.keys()
    assert "it" not in abbreviations  # also an English word
    assert all(short == short.lower() for short in abbreviations)


def test_words_split_at_separators_case_and_digits(plain: Normaliser) -> None:
    assert plain.tokens("growth_funnel.tracking/v2") == ["growth", "funnel", "track"]
    assert plain.tokens("SalesOps SOC2") == ["sal", "operat", "soc"]


def test_stop_words_numbers_and_container_words_go(plain: Normaliser) -> None:
    assert plain.tokens("The team channel for our new project in Q3 FY25, 30 days") == ["day"]


def test_accents_and_case_do_not_matter(plain: Normaliser) -> None:
    assert plain.tokens("Café Résumé") == plain.tokens("cafe RESUME")


@pytest.mark.parametrize(
    "forms",
    [
        ("tracking", "tracks", "tracked", "track"),
        ("hiring", "hires", "hire", "hired"),
        ("optimisation", "optimization", "optimize", "optimising"),
        ("recruiting", "recruiter", "recruitment"),
        ("automation", "automated", "automate"),
        ("planning", "plans", "plan"),
    ],
)
def test_the_stemmer_makes_forms_of_a_word_meet(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1


def test_terms_keep_the_written_word_and_share_an_abbreviations_weight(
    plain: Normaliser,
) -> None:
    human, resources = plain.terms("HR")
    assert (human.stem, human.word) == ("human", "human")
    assert human.weight == resources.weight < 1
    (tracking,) = plain.terms("tracking")
    assert (tracking.stem, tracking.word, tracking.weight) == ("track", "tracking", 1.0)


def test_fingerprints_estimate_how_much_of_a_text_is_the_same() -> None:
    words = [f"word{i}" for i in range(20)]
    assert resemblance(fingerprint(words), fingerprint(reversed(words))) == 1.0
    assert resemblance(fingerprint(words), fingerprint(words[:19])) > 0.6
    assert resemblance(fingerprint(words), fingerprint(f"other{i}" for i in range(20))) < 0.3
    assert len(fingerprint(words)) == 32
