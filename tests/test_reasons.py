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
