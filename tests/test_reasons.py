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


def test_the_rarest_matched_word_leads_the_reason():
    from gka_match.index.reasons import matched_concepts

    doc = {"doel": frozenset({"taalachterstand", "begin"})}
    share = {"taalachterstand": 0.02, "begin": 0.2}
    concepts, fields = matched_concepts("Veel kinderen beginnen met een taalachterstand", doc, frozenset(),
                                        lambda token: share.get(token, 1.0))
    assert concepts == ["taalachterstand", "beginnen"] and fields
