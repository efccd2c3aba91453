"""When two agenda interventions are the same or an equivalent programme (see the package docstring)."""

from __future__ import annotations

import re

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from ..text import fold
from .records import EQUIVALENT_COSINE, NAME_SIMILARITY, NAMED_COSINE, Item


def normalise_name(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", fold(text)))


def strip_gemeente(naam: str, gemeente: str) -> str:
    """The normalised name without the municipality's name, which says nothing about the programme."""
    name = normalise_name(naam)
    for part in normalise_name(gemeente).split():
        name = re.sub(rf"(?<![0-9a-z]){re.escape(part)}(?![0-9a-z])", " ", name)
    return " ".join(name.split()) or normalise_name(naam)


def contains_phrase(haystack: str, needle: str) -> bool:
    return len(needle) >= 4 and re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", haystack) is not None


class Equivalence:
    """Relations between agenda interventions, from two item-by-item matrices computed once:
    the cosine of the stored vectors and of the names (character n-gram TF-IDF)."""

    def __init__(self, items: list[Item], programme_names: dict[str, list[str]]):
        self.programme_names = programme_names
        self._item_pos = {id(i): n for n, i in enumerate(items)}
        if items:
            names = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(
                [strip_gemeente(i.naam, i.gemeente) for i in items])
            self.item_cos = cosine_similarity(np.vstack([i.vector for i in items]))
            self.name_sim = cosine_similarity(names)
        else:
            self.item_cos = self.name_sim = np.zeros((0, 0))

    def _mentions_programme(self, item: Item, programme_id: str | None) -> bool:
        if not programme_id:
            return False
        name = normalise_name(item.naam)
        return any(contains_phrase(name, n) for n in self.programme_names.get(programme_id, []))

    def relation(self, x: Item, y: Item, cos: float, name_sim: float) -> tuple[str, float] | None:
        """How two agenda interventions relate, with a strength for the assignment; None if not."""
        if x.catalogus_id and x.catalogus_id == y.catalogus_id:
            return "zelfde programma", 3.0 + cos
        if x.catalogus_id and y.catalogus_id and x.linked and y.linked:
            return None  # two different programmes, however alike their descriptions
        if (not y.linked and self._mentions_programme(y, x.catalogus_id)) or (
            not x.linked and self._mentions_programme(x, y.catalogus_id)
        ):
            return "zelfde programma (lokale naam)", 2.0 + cos
        if cos >= NAMED_COSINE and name_sim >= 0.99:
            return "zelfde naam", 1.0 + cos
        if cos >= EQUIVALENT_COSINE or (cos >= NAMED_COSINE and name_sim >= NAME_SIMILARITY):
            return "vergelijkbaar", cos
        return None

    def relations(self, xs: list[Item], ys: list[Item]) -> tuple[dict[tuple[int, int], str], np.ndarray, np.ndarray]:
        """Every related pair (i, j) -> relation, with the strength and cosine matrices."""
        if not xs or not ys:
            empty = np.zeros((len(xs), len(ys)))
            return {}, empty, empty
        rows = [self._item_pos[id(x)] for x in xs]
        cols = [self._item_pos[id(y)] for y in ys]
        cos = self.item_cos[np.ix_(rows, cols)]
        name_sim = self.name_sim[np.ix_(rows, cols)]
        strength = np.zeros_like(cos)
        relations: dict[tuple[int, int], str] = {}
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                rel = self.relation(x, y, float(cos[i, j]), float(name_sim[i, j]))
                if rel:
                    relations[(i, j)], strength[i, j] = rel
        return relations, strength, cos

    def match_items(self, xs: list[Item], ys: list[Item]) -> list[tuple[int, int, str, float]]:
        """One-to-one pairs of equivalent interventions (index in xs, index in ys, relation, cosine),
        chosen by maximum total strength (the assignment problem, scipy's Hungarian solver)."""
        relations, strength, cos = self.relations(xs, ys)
        if not relations:
            return []
        rows, cols = linear_sum_assignment(-strength)
        return [(int(i), int(j), relations[(i, j)], round(float(cos[i, j]), 4))
                for i, j in zip(rows, cols) if (i, j) in relations]
