"""BM25 over the Dutch-analysed document texts, with weights computed per query.

Scoring follows bm25s's Lucene variant (idf = ln(1 + (N - df + 0.5) / (df + 0.5)), k1 = 1.2,
b = 0.75), but the index stores term *counts*, not precomputed weights: every update changes N,
the document frequencies and the average length, so precomputed weights would all need
redoing (a full re-index took 0.8 s at 10k documents). Here a single-record update touches only
the changed documents:

- a *main segment* holds postings (term -> slots, counts) for the documents present at the last
  merge, plus the same counts per document (to undo document frequencies on removal, and to save);
- documents added since then live in a small *delta* (term -> [(slot, count)]);
- removed documents stay in their slot, marked dead, and drop out through ``order``, which maps
  the engine's positions to slots;
- when the delta or the dead slots grow large, everything is merged back into one main segment.

Documents are term-id arrays, not token lists, which keeps memory at about 6 bytes per
(document, term) pair; the saved file holds the arrays, so loading needs no text analysis.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .text import analyze, words

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75
FILE_NAME = "lexical.npz"
MERGE_MIN_DELTA = 256  # merge once the delta or the dead slots exceed this and a tenth of main


@dataclass
class _Segment:
    """Document-major and term-major views of the same counts, for slots ``0 .. n_slots-1``."""

    doc_ptr: np.ndarray  # int64 (n_slots + 1)
    doc_term: np.ndarray  # int32 term ids
    doc_tf: np.ndarray  # float32 counts
    post_ptr: np.ndarray  # int64 (n_terms + 1)
    post_slot: np.ndarray  # int32 slots
    post_tf: np.ndarray  # float32 counts

    @classmethod
    def from_docs(cls, doc_ptr: np.ndarray, doc_term: np.ndarray, doc_tf: np.ndarray, n_terms: int) -> "_Segment":
        slots = np.repeat(np.arange(len(doc_ptr) - 1, dtype=np.int32), np.diff(doc_ptr))
        by_term = np.argsort(doc_term, kind="stable")  # stable: slots stay ascending per term
        post_ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc_term, minlength=n_terms), out=post_ptr[1:])
        return cls(doc_ptr, doc_term, doc_tf, post_ptr, slots[by_term], doc_tf[by_term])

    @property
    def n_slots(self) -> int:
        return len(self.doc_ptr) - 1

    def doc(self, slot: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.doc_ptr[slot], self.doc_ptr[slot + 1]
        return self.doc_term[a:b], self.doc_tf[a:b]

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term + 1 >= len(self.post_ptr):
            return self.post_slot[:0], self.post_tf[:0]
        a, b = self.post_ptr[term], self.post_ptr[term + 1]
        return self.post_slot[a:b], self.post_tf[a:b]


@dataclass
class _Delta:
    """Documents added since the last merge; small, so plain Python structures suffice."""

    docs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    postings: dict[int, list[tuple[int, float]]] = field(default_factory=dict)


class LexicalIndex:
    def __init__(self, terms: list[str], vocabulary: frozenset[str], main: _Segment, doc_len: np.ndarray):
        """Every slot of ``main`` is a live document, slot = position (as after a merge)."""
        self.terms = terms
        self._term_id = {t: i for i, t in enumerate(terms)}
        self.vocabulary = vocabulary  # corpus words, for the compound splitter
        self._main = main
        self._delta = _Delta()
        self._doc_len = doc_len.astype(np.float32)
        self._alive = np.ones(main.n_slots, dtype=bool)
        self._order = np.arange(main.n_slots, dtype=np.int64)
        self._df = np.bincount(main.doc_term, minlength=len(terms)).astype(np.int64)

    # ---- construction --------------------------------------------------------------------
    @classmethod
    def from_texts(cls, texts: list[str]) -> "LexicalIndex":
        vocabulary = frozenset(w for t in texts for w in words(t))
        return cls.from_tokens([analyze(t, vocabulary) for t in texts], vocabulary)

    @classmethod
    def from_tokens(cls, tokens: list[list[str]], vocabulary: frozenset[str]) -> "LexicalIndex":
        terms: list[str] = []
        term_id: dict[str, int] = {}
        doc_ptr = np.zeros(len(tokens) + 1, dtype=np.int64)
        ids: list[int] = []
        tfs: list[int] = []
        for i, toks in enumerate(tokens):
            for t, c in Counter(toks).items():
                tid = term_id.get(t)
                if tid is None:
                    tid = term_id[t] = len(terms)
                    terms.append(t)
                ids.append(tid)
                tfs.append(c)
            doc_ptr[i + 1] = len(ids)
        main = _Segment.from_docs(doc_ptr, np.asarray(ids, dtype=np.int32), np.asarray(tfs, dtype=np.float32), len(terms))
        doc_len = np.asarray([max(len(t), 1) for t in tokens], dtype=np.float32)  # as bm25s: never 0
        return cls(terms, vocabulary, main, doc_len)

    def __len__(self) -> int:
        return len(self._order)

    # ---- queries ---------------------------------------------------------------------------
    def analyze_query(self, text: str) -> list[str]:
        return analyze(text, self.vocabulary)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document in position order (0 where nothing matches).

        A token repeated in the query counts again, as in bm25s.
        """
        n = len(self._order)
        ids = [self._term_id[t] for t in query_tokens if t in self._term_id]
        if not n or not ids:
            return np.zeros(n, dtype=np.float32)
        avg_len = float(self._doc_len[self._order].mean())
        slot_scores = np.zeros(len(self._alive), dtype=np.float32)
        for term in ids:
            df = self._df[term]
            if df == 0:
                continue
            idf = np.float32(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))
            slots, tf = self._main.postings(term)
            extra = self._delta.postings.get(term)
            if extra:
                slots = np.concatenate([slots, np.fromiter((s for s, _ in extra), np.int32, len(extra))])
                tf = np.concatenate([tf, np.fromiter((c for _, c in extra), np.float32, len(extra))])
            norm = K1 * ((1 - B) + B * self._doc_len[slots] / avg_len)
            slot_scores[slots] += idf * (tf / (norm + tf))  # slots are unique within one term
        return slot_scores[self._order]

    def df_share(self, token: str) -> float:
        term = self._term_id.get(token)
        return float(self._df[term]) / len(self._order) if term is not None and len(self._order) else 0.0

    def specificity(self, query_tokens: list[str]) -> float:
        """How specific the query is: the highest idf among its tokens that the corpus has,
        relative to the idf of a word in one document (0 when the corpus has none)."""
        n = len(self._order)
        dfs = [int(self._df[self._term_id[t]]) for t in query_tokens if t in self._term_id]
        dfs = [df for df in dfs if df > 0]
        if not n or not dfs:
            return 0.0
        return float(np.log(1.0 + (n - min(dfs) + 0.5) / (min(dfs) + 0.5)) / np.log(1.0 + (n - 0.5) / 1.5))

    def coverage(self, query_tokens: list[str], positions: np.ndarray) -> np.ndarray:
        """For each document at ``positions``: the idf-weighted share of the distinct query
        tokens it contains, in [0, 1]. A token the corpus lacks counts with the highest idf, so
        a query of unknown words covers nothing anywhere (how "asdfghjkl" is told apart)."""
        n = len(self._order)
        unique = list(dict.fromkeys(query_tokens))
        out = np.zeros(len(positions), dtype=np.float32)
        if not n or not unique or not len(positions):
            return out
        max_idf = float(np.log(1.0 + (n + 0.5) / 0.5))
        total = 0.0
        slot_of = self._order[positions]
        for token in unique:
            term = self._term_id.get(token)
            df = self._df[term] if term is not None else 0
            if df == 0:
                total += max_idf
                continue
            idf = float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))
            total += idf
            slots, _ = self._main.postings(term)
            extra = self._delta.postings.get(term)
            if extra:
                slots = np.concatenate([slots, np.fromiter((s for s, _ in extra), np.int32, len(extra))])
            out += np.isin(slot_of, slots).astype(np.float32) * idf
        return out / total

    # ---- incremental maintenance -------------------------------------------------------------
    def replace(self, remove_positions: list[int], new_texts: list[str]) -> None:
        """Drop documents at ``remove_positions`` and append ``new_texts`` (order preserved)."""
        if remove_positions:
            gone = self._order[remove_positions]
            for slot in gone:
                self._forget(int(slot))
            self._order = np.delete(self._order, remove_positions)
        if new_texts:
            new_words = {w for text in new_texts for w in words(text)} - self.vocabulary
            if new_words:
                self.vocabulary = self.vocabulary | new_words
            for text in new_texts:
                self._append(analyze(text, self.vocabulary))
        if self._needs_merge():
            self._merge()

    def _forget(self, slot: int) -> None:
        self._alive[slot] = False
        term_ids, _ = self._doc_arrays(slot)
        self._df[term_ids] -= 1

    def _append(self, tokens: list[str]) -> None:
        counts = Counter(tokens)
        for t in counts:
            if t not in self._term_id:
                self._term_id[t] = len(self.terms)
                self.terms.append(t)
        if len(self._df) < len(self.terms):
            self._df = np.concatenate([self._df, np.zeros(len(self.terms) - len(self._df), dtype=np.int64)])
        term_ids = np.fromiter((self._term_id[t] for t in counts), np.int32, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        slot = len(self._alive)
        self._delta.docs.append((term_ids, tf))
        for t, c in zip(term_ids.tolist(), tf.tolist()):
            self._delta.postings.setdefault(t, []).append((slot, c))
        self._df[term_ids] += 1
        self._doc_len = np.append(self._doc_len, np.float32(max(len(tokens), 1)))
        self._alive = np.append(self._alive, True)
        self._order = np.append(self._order, slot)

    def _needs_merge(self) -> bool:
        limit = max(MERGE_MIN_DELTA, self._main.n_slots // 10)
        return len(self._delta.docs) > limit or int((~self._alive).sum()) > limit

    def _merge(self) -> None:
        """Rewrite live documents, in position order, as one main segment (slot = position)."""
        parts = [self._doc_arrays(int(s)) for s in self._order]
        lengths = np.fromiter((len(t) for t, _ in parts), np.int64, len(parts))
        doc_ptr = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=doc_ptr[1:])
        doc_term = np.concatenate([t for t, _ in parts]) if parts else np.zeros(0, np.int32)
        doc_tf = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.float32)
        doc_len = self._doc_len[self._order]
        self._main = _Segment.from_docs(doc_ptr, doc_term.astype(np.int32), doc_tf.astype(np.float32), len(self.terms))
        self._delta = _Delta()
        self._doc_len = doc_len
        self._alive = np.ones(len(parts), dtype=bool)
        self._order = np.arange(len(parts), dtype=np.int64)
        log.debug("lexical index merged: %d documents", len(parts))

    def _doc_arrays(self, slot: int) -> tuple[np.ndarray, np.ndarray]:
        if slot < self._main.n_slots:
            return self._main.doc(slot)
        return self._delta.docs[slot - self._main.n_slots]

    # ---- persistence --------------------------------------------------------------------------
    def save(self, directory: Path) -> list[Path]:
        """One ``.npz`` with the counts in position order (a merge first, so nothing is lost)."""
        if len(self._delta.docs) or not self._alive.all() or not np.array_equal(
            self._order, np.arange(len(self._order))
        ):
            self._merge()
        path = directory / FILE_NAME
        buffer = io.BytesIO()
        m = self._main
        np.savez(
            buffer, doc_ptr=m.doc_ptr, doc_term=m.doc_term, doc_tf=m.doc_tf, post_ptr=m.post_ptr,
            post_slot=m.post_slot, post_tf=m.post_tf, doc_len=self._doc_len,
            terms=np.asarray(self.terms, dtype=str), vocabulary=np.asarray(sorted(self.vocabulary), dtype=str),
        )
        path.write_bytes(buffer.getvalue())
        return [path]

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        with np.load(directory / FILE_NAME, allow_pickle=False) as f:
            main = _Segment(f["doc_ptr"], f["doc_term"], f["doc_tf"], f["post_ptr"], f["post_slot"], f["post_tf"])
            terms, vocabulary, doc_len = f["terms"].tolist(), frozenset(f["vocabulary"].tolist()), f["doc_len"]
        if len(doc_len) != main.n_slots or len(main.post_ptr) != len(terms) + 1:
            raise ValueError("the lexical index arrays disagree in length")
        return cls(terms, vocabulary, main, doc_len)
