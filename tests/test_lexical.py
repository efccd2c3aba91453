"""The incremental BM25 index scores exactly as a full bm25s re-index would, after any updates."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from gka_match.data.bundled import load_bundled
from gka_match.index.documents import build_documents, lexical_text
from gka_match.index.lexical import LexicalIndex
from gka_match.index.text import analyze

pytestmark = pytest.mark.fast


QUERIES = [
    "taalachterstand bij peuters en laaggeletterde ouders",
    "schoolverzuim en voortijdig schoolverlaten",
    "armoede: kinderen kunnen niet sporten",
    "ouderbetrokkenheid ouderbetrokkenheid",  # a repeated token counts twice, as in bm25s
    "huiswerkbegeleiding rekenen",
    "xyzzy onbekend woord",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    catalogue, agendas, _ = load_bundled()
    return [lexical_text(d) for d in build_documents(catalogue, agendas)]


def bm25s_scores(texts: list[str], vocabulary: frozenset[str], query_tokens: list[str]) -> np.ndarray:
    """Reference: a fresh bm25s index over the same analysed texts."""
    ref = bm25s.BM25(k1=1.2, b=0.75)
    ref.index([analyze(t, vocabulary) or ["\u2205"] for t in texts], show_progress=False)
    known = [t for t in query_tokens if t in ref.vocab_dict]
    return np.zeros(len(texts)) if not known else np.asarray(ref.get_scores(known))


def assert_same_as_bm25s(index: LexicalIndex, texts: list[str]) -> None:
    assert len(index) == len(texts)
    for query in QUERIES:
        tokens = index.analyze_query(query)
        expected = bm25s_scores(texts, index.vocabulary, tokens)
        np.testing.assert_allclose(index.scores(tokens), expected, rtol=1e-4, atol=1e-4, err_msg=query)


def test_fresh_index_matches_bm25s(texts):
    index = LexicalIndex.from_texts(texts)
    assert_same_as_bm25s(index, texts)
    assert index.scores(index.analyze_query("voorlezen")).max() > 0


def test_updates_match_a_full_reindex_through_merges(texts, monkeypatch):
    # A small merge threshold makes the delta, dead slots and merges all happen in this run.
    monkeypatch.setattr("gka_match.index.lexical.MERGE_MIN_DELTA", 8)
    rng = random.Random(7)
    index = LexicalIndex.from_texts(texts)
    current = list(texts)
    merges_seen = 0
    for step in range(120):
        remove = sorted(rng.sample(range(len(current)), rng.randint(0, 3)))
        new = [rng.choice(texts) + f" nieuwwoord{step}" for _ in range(rng.randint(0, 3))]
        main_before = index._main
        index.replace(remove, new)
        merges_seen += index._main is not main_before
        dropped = set(remove)
        current = [t for i, t in enumerate(current) if i not in dropped] + new
        if step % 20 == 19:
            assert_same_as_bm25s(index, current)
    assert merges_seen >= 2
    index.replace([], ["Zwemles voor nieuwkomers"])
    scores = index.scores(index.analyze_query("zwemles"))
    assert int(np.argmax(scores)) == len(index) - 1 and scores[-1] > 0


def test_save_and_load_keep_every_score(texts, tmp_path):
    index = LexicalIndex.from_texts(texts)
    index.replace([0, 5, 9], ["Voorleesproject voor peuters in de bibliotheek", ""])
    tokens = index.analyze_query("voorlezen peuters bibliotheek")
    before = index.scores(tokens)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == len(index) == len(texts) - 1
    np.testing.assert_allclose(loaded.scores(tokens), before, rtol=1e-6)
    assert loaded.vocabulary == index.vocabulary


def test_empty_index_and_empty_documents():
    index = LexicalIndex.from_tokens([], frozenset())
    assert len(index) == 0 and index.scores(["taal"]).shape == (0,)
    index.replace([], ["", "taal en rekenen"])
    scores = index.scores(index.analyze_query("taal"))
    assert scores[0] == 0 and scores[1] > 0
