"""Dutch text analysis for the lexical index and for match reasons.

Lower-casing, Dutch stop words, Snowball stemming (PyStemmer) and a light compound splitter:
Dutch glues words together ("taalachterstand"), so a query word is also matched by its parts
when both parts are words of the corpus ("taal" + "achterstand").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH

_WORD = re.compile(r"[0-9a-zà-ÿ]+(?:-[0-9a-zà-ÿ]+)*")
_STEMMER = Stemmer.Stemmer("dutch")
# A few words that are frequent in every intervention text and carry no meaning for matching.
STOPWORDS = frozenset(STOPWORDS_DUTCH) | {
    "wij", "we", "onze", "ons", "zijn", "worden", "wordt", "veel", "hebben", "heeft", "kunnen",
    "jaar", "via", "etc", "bijv", "mee", "gaat", "gaan", "zien", "zie", "heel", "erg",
}
_LINKS = ("", "s", "en", "e")  # Dutch linking morphemes between compound parts
MIN_PART = 3


def fold(text: str) -> str:
    """Lower-case and strip accents so 'coöperatie' and 'cooperatie' meet."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Content words (folded, no stop words); hyphenated words also yield their parts."""
    out: list[str] = []
    for w in _WORD.findall(fold(text)):
        parts = w.split("-") if "-" in w else []
        for token in [w.replace("-", ""), *parts]:
            if len(token) >= 2 and token not in STOPWORDS:
                out.append(token)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def split_compound(word: str, vocabulary: frozenset[str] | set[str]) -> list[str]:
    """Split a compound into two known words ('taalachterstand' -> ['taal', 'achterstand'])."""
    if len(word) < 2 * MIN_PART + 1:
        return []
    best: list[str] = []
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:i], word[i:]
        if tail not in vocabulary:
            continue
        for link in _LINKS:
            if link and head.endswith(link) and head[: -len(link)] in vocabulary:
                candidate = [head[: -len(link)], tail]
            elif not link and head in vocabulary:
                candidate = [head, tail]
            else:
                continue
            if len(candidate[0]) >= MIN_PART and (not best or len(candidate[1]) > len(best[1])):
                best = candidate
    return best


def analyze(text: str, vocabulary: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Stemmed tokens; compounds add their stemmed parts when the parts are in ``vocabulary``."""
    tokens: list[str] = []
    for w in words(text):
        tokens.append(stem(w))
        if vocabulary:
            tokens.extend(stem(p) for p in split_compound(w, vocabulary) if p not in STOPWORDS)
    return tokens
