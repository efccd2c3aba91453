"""The ranker's features against reference implementations."""

from __future__ import annotations

import pytest

import random
import re

from gka_match.index.scoring import name_hit
from gka_match.index.text import fold


pytestmark = pytest.mark.fast


class Doc:
    def __init__(self, name: str, aliases: list[str] = ()) -> None:
        self.name, self.extra = name, {"aliassen": list(aliases)}


def reference(query: str, doc: Doc) -> float:
    names = [fold(n) for n in [doc.name, *doc.extra["aliassen"]] if len(n) >= 4]
    return float(any(re.search(r"\b" + re.escape(n) + r"\b", fold(query)) for n in names))


def test_name_hit_is_a_whole_phrase_match_as_re_word_boundaries_define_it():
    cases = [("Wij doen KiVa al", "KiVa"), ("kivaschool", "KiVa"), ("VVE Thuis!", "VVE Thuis"),
             ("vve thuiszorg", "VVE Thuis"), ("opstap(je) in de wijk", "Opstap(je)"),
             ("Samen-Sterk in de wijk", "Samen-Sterk"), ("de coöperatie", "Cooperatie"), ("x (abcd) y", "(abcd)")]
    for query, name in cases:
        assert name_hit(fold(query), Doc(name)) == reference(query, Doc(name)), (query, name)
    assert name_hit(fold("Wij doen KiVa al"), Doc("KiVa")) == 1.0
    assert name_hit(fold("kivaschool"), Doc("KiVa")) == 0.0
    rnd = random.Random(7)
    alphabet = "ab _-.()kivé"
    for _ in range(5000):
        name = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(4, 6)))
        query = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        assert name_hit(fold(query), Doc(name)) == reference(query, Doc(name)), (query, name)
