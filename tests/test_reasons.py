"""The 'who already does this' point of a reason: one entry per municipality."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gka_match.index.reasons import runners_point

pytestmark = pytest.mark.fast
PROGRAMME, LOCAL = SimpleNamespace(kind="catalogue"), SimpleNamespace(kind="agenda")


def test_a_municipality_with_a_real_and_an_invented_item_counts_once_and_real():
    assert runners_point([("Apeldoorn", False), ("Apeldoorn", True)], PROGRAMME) == "Ook in 1 gemeente: Apeldoorn"
    assert runners_point([("Apeldoorn", True), ("Apeldoorn", True), ("Zwolle", False)], PROGRAMME) == \
        "Ook in 2 gemeenten: Apeldoorn (illustratief) en Zwolle"


def test_a_local_approach_names_its_own_agenda_and_long_lists_are_cut():
    assert runners_point([("Breda", False)], LOCAL) == "Uit de GKA-agenda van Breda"
    six = [(g, False) for g in ("A", "B", "C", "D", "E", "F")]
    assert runners_point(six, PROGRAMME) == "Ook in 6 gemeenten: A, B, C, D en 2 andere"
    assert runners_point([], PROGRAMME) == ""


def test_municipality_labels_mark_only_wholly_invented_municipalities():
    from gka_match.index.reasons import municipality_labels

    assert municipality_labels([("Sittard-Geleen", True), ("Leiden", False), ("Leiden", True)]) == \
        ["Sittard-Geleen (illustratief)", "Leiden"]


def test_the_age_label_says_what_the_record_says():
    from gka_match.index.reasons import age_label

    bands = SimpleNamespace(leeftijd_van=None, leeftijd_tot=None, doelgroep=["ouders", "0-4 jaar"])
    explicit = SimpleNamespace(leeftijd_van=2, leeftijd_tot=6, doelgroep=["0-4 jaar"], age_span=lambda: (2, 6))
    open_ended = SimpleNamespace(leeftijd_van=12, leeftijd_tot=None, doelgroep=[], age_span=lambda: (12, 30))
    assert (age_label(bands), age_label(explicit), age_label(open_ended)) == ("0-4 jaar", "2-6 jaar", "vanaf 12 jaar")


def test_a_general_word_alone_is_no_reason_but_a_compound_pair_is():
    """'beginnen' shared with 'Goed beginnen' says nothing; 'zitten thuis' against
    'Thuiszitterspact' does, and 'uit te vallen' meets 'uitvallen'."""
    from gka_match.index.reasons import matched_concepts
    from gka_match.index.text import analyze, words

    text = {"naam": "Thuiszitterspact", "omschrijving": "Voor jongeren die dreigen uit te vallen en opnieuw beginnen."}
    vocabulary = frozenset(w for t in text.values() for w in words(t))
    stems = {name: frozenset(analyze(t, vocabulary)) for name, t in text.items()}
    rare = lambda token: 0.0  # noqa: E731 - every word counts as rare here
    concepts, fields = matched_concepts("Jongeren zitten thuis en dreigen uit te vallen", stems, vocabulary, rare)
    assert concepts == ["zitten thuis", "uitvallen"] and fields == ["naam", "omschrijving"]
    assert matched_concepts("Kinderen beginnen moeilijk en dreigen", stems, vocabulary, rare) == ([], [])


def test_a_separated_verb_is_one_word_but_the_purpose_construction_is_not():
    from gka_match.index.text import words

    assert words("dreigen uit te vallen, voor te lezen en mee te doen") == ["dreigen", "uitvallen", "voorlezen", "meedoen"]
    assert "omleren" not in words("om te leren") and "leren" in words("om te leren")
