"""A small SentencePiece-Unigram tokenizer for the converted e5 model, in plain Python.

Why not ``tokenizers``: its Unigram model builds a byte trie over all 250,002 pieces and holds
~260 MB resident in the serving process; a dict of pieces holds ~20 MB. This module reproduces
exactly what ``e5_convert.build_tokenizer`` configures in ``tokenizers`` (its normaliser, the
Metaspace pre-tokeniser with ``prepend_scheme="always"``, Viterbi over the pieces with fused
unknowns, ``<s> … </s>``), and ``tests/test_unigram.py`` checks identical ids against
``tokenizers`` on the whole bundled corpus, the dev queries and edge cases.

No piece of this vocabulary holds "▁" after its first character, so a best path always breaks
before every "▁": each word is segmented on its own, which makes a per-word cache exact.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

SPACE = "\u2581"
UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY: an unknown character scores min_score - 10


class UnigramTokenizer:
    def __init__(self, pieces: Sequence[tuple[str, float]], unk_id: int, bos_id: int, eos_id: int, pad_id: int,
                 deleted: str, spaced: str, added: Sequence[str], max_length: int = 512):
        self._pieces = {p: (i, s) for i, (p, s) in enumerate(pieces)}
        if any(SPACE in p[1:] for p in self._pieces):
            raise ValueError("a piece holds '▁' after its first character; per-word segmentation would be wrong")
        self._max_piece = max(len(p) for p in self._pieces)
        self._unk_score = min(s for _, s in pieces) - UNK_PENALTY
        self.unk_id, self.bos_id, self.eos_id, self.pad_id = unk_id, bos_id, eos_id, pad_id
        self.max_length = max_length
        self._delete = re.compile(f"[{re.escape(deleted)}]") if deleted else None
        self._space = re.compile(f"[{re.escape(spaced)}]") if spaced else None
        self._added = {a: self._pieces[a][0] for a in added}
        self._split_added = re.compile("(" + "|".join(map(re.escape, sorted(added, key=len, reverse=True))) + ")")
        self._word_ids = lru_cache(maxsize=50_000)(self._segment)

    @classmethod
    def from_file(cls, path: Path | str, max_length: int = 512) -> "UnigramTokenizer":
        """Read a ``tokenizer.json`` of the shape ``e5_convert.build_tokenizer`` writes."""
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        model = spec["model"]
        if model.get("type") != "Unigram" or model.get("byte_fallback"):
            raise ValueError(f"{path}: not a Unigram tokenizer without byte fallback")
        norms = spec["normalizer"]["normalizers"]
        kinds = [n["type"] for n in norms]
        if kinds != ["Replace", "Replace", "NFKC", "Replace"] or spec["pre_tokenizer"].get("prepend_scheme") != "always":
            raise ValueError(f"{path}: normaliser or pre-tokeniser differs from the converted e5 model's")

        def char_class(pattern: str) -> str:
            return "".join(chr(int(cp, 16)) for cp in re.findall(r"\\x\{([0-9a-f]+)\}", pattern))

        pieces = [(p, float(s)) for p, s in model["vocab"]]
        ids = {p: i for i, (p, _) in enumerate(pieces)}
        return cls(
            pieces, unk_id=model["unk_id"], bos_id=ids["<s>"], eos_id=ids["</s>"], pad_id=ids["<pad>"],
            deleted=char_class(norms[0]["pattern"]["Regex"]), spaced=char_class(norms[1]["pattern"]["Regex"]),
            added=[t["content"] for t in spec.get("added_tokens", [])], max_length=max_length,
        )

    # ---- one text ----------------------------------------------------------------------------
    def _normalize(self, text: str) -> str:
        if self._delete is not None:
            text = self._delete.sub("", text)
        if self._space is not None:
            text = self._space.sub(" ", text)
        text = re.sub(" {2,}", " ", unicodedata.normalize("NFKC", text))
        text = text.replace(" ", SPACE)
        return text if text.startswith(SPACE) else SPACE + text

    def _segment(self, word: str) -> tuple[int, ...]:
        """Viterbi over one word, as tokenizers' ``encode_optimized``: ties keep the earliest start."""
        n = len(word)
        best: list[float | None] = [0.0] + [None] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        pieces, unk = self._pieces, self._unk_score
        for start in range(n):
            here = best[start]
            single = False
            for end in range(start + 1, min(n, start + self._max_piece) + 1):
                hit = pieces.get(word[start:end])
                if hit is None:
                    continue
                score = here + hit[1]
                if best[end] is None or score > best[end]:
                    best[end], back[end] = score, (start, hit[0])
                single = single or end == start + 1
            if not single:
                score = here + unk
                if best[start + 1] is None or score > best[start + 1]:
                    best[start + 1], back[start + 1] = score, (start, self.unk_id)
        ids: list[int] = []
        end = n
        while end > 0:
            start, tid = back[end]
            if not (tid == self.unk_id and ids and ids[-1] == self.unk_id):  # consecutive unknowns fuse
                ids.append(tid)
            end = start
        return tuple(reversed(ids))

    def ids(self, text: str) -> list[int]:
        """Token ids with ``<s>``/``</s>``, truncated to ``max_length`` like the reference."""
        out: list[int] = []
        for part in self._split_added.split(text):
            if not part:
                continue
            if part in self._added:
                out.append(self._added[part])
                continue
            normalized = self._normalize(part)
            for word in normalized.split(SPACE)[1:]:
                out.extend(self._word_ids(SPACE + word))
        return [self.bos_id, *out[: self.max_length - 2], self.eos_id]

    # ---- batches -----------------------------------------------------------------------------
    def batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``input_ids`` and ``attention_mask`` (int64), padded to the longest text."""
        rows = [self.ids(t) for t in texts]
        width = max(map(len, rows))
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return ids, mask


__all__ = ["UnigramTokenizer"]
