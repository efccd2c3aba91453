"""Dutch text analysis for the lexical index and for match reasons.

Lower-casing, Dutch stop words, Snowball stemming (PyStemmer) and three light rules the Snowball
stemmer lacks, each applied only when the result is a stem of the corpus:
- compounds: a word is also matched by its parts ("taalachterstand" → "taal" + "achterstand");
- past participles: "gepest" → "pest", "gescheiden" → "scheid";
- diminutives: "boekje" → "boek", "groepjes" → "groep".
Primary-school groepen ("groep 6-8", "groep 1 en 2") and bare numbers are not words: the query
reader turns groepen into ages (``query_terms``), so "6-8" never becomes the token "68".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH

_WORD = re.compile(r"[0-9a-zà-ÿ]+(?:-[0-9a-zà-ÿ]+)*")
GROEP_EXPRESSION = re.compile(r"\bgroep(?:en)?\s*\d(?:\s*(?:-|t/m|tot en met|tot|en|/|,)\s*\d)*\b")
# A separable verb's particle before "te" + infinitive is one word again ("uit te vallen" ->
# "uitvallen", "voor te lezen" -> "voorlezen"), so it meets "uitval" and "voorlezen". Not "om",
# whose "om te" is the purpose construction ("om te leren"), nor "over" ("erover te praten").
_SEPARATED = re.compile(
    r"\b(aan|af|bij|door|in|los|mee|na|op|samen|terecht|terug|thuis|toe|uit|vast|voor|weg)\s+te\s+([a-z]+n)\b"
)
_STEMMER = Stemmer.Stemmer("dutch")
# A few words that are frequent in every intervention text and carry no meaning for matching.
STOPWORDS = frozenset(STOPWORDS_DUTCH) | {
    "wij", "we", "onze", "ons", "zijn", "worden", "wordt", "veel", "hebben", "heeft", "kunnen",
    "jaar", "via", "etc", "bijv", "mee", "gaat", "gaan", "zien", "zie", "heel", "erg",
    # filler of how people ask, not of what they ask about
    "weinig", "komen", "komt", "kom", "zoeken", "zoek", "zoekt", "willen", "wil", "wilt", "graag",
    "iets", "doen", "doet", "vaak", "steeds", "manier", "moeten", "moet", "hoe", "welke", "wat",
    "groep", "groepen", "aantal", "echt", "best", "waar", "kunt", "zou", "zouden",
}
# Nouns and adjectives that look like participles ("ge" + stem + t/d/en) but are not.
_NOT_PARTICIPLES = frozenset({
    "gebied", "gebieden", "gezond", "gezin", "gezinnen", "gemeenten", "geleden", "gelden", "geweld",
    "gebed", "gebit", "gebod", "gedicht", "gewicht", "gerecht", "gericht", "gesticht", "gezicht",
    "geluid", "geduld", "gemiddeld", "genoegen", "gebruiken", "gevolgen", "gedachten", "gewend",
})
_DIMINUTIVES = ("etjes", "etje", "tjes", "tje", "pjes", "pje", "jes", "je")
_LINKS = ("", "s", "en", "e")  # Dutch linking morphemes between compound parts
MIN_PART = 3


def fold(text: str) -> str:
    """Lower-case and strip accents so 'coöperatie' and 'cooperatie' meet."""
    if text.isascii():  # most text: nothing to strip
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Content words (folded, no stop words, no groepen or bare numbers); hyphenated words also
    yield their parts."""
    out: list[str] = []
    for w in _WORD.findall(_SEPARATED.sub(r"\1\2", GROEP_EXPRESSION.sub(" ", fold(text)))):
        if w.replace("-", "").isdigit():
            continue
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


@lru_cache(maxsize=8)
def vocabulary_stems(vocabulary: frozenset[str]) -> frozenset[str]:
    """The stems of the corpus words (a frozenset caches its hash, so this lookup is cheap)."""
    return frozenset(stem(w) for w in vocabulary)


def base_stem(word: str, stems: frozenset[str]) -> str | None:
    """The corpus stem behind a past participle or a diminutive, or None."""
    if len(word) >= 6 and word.startswith("ge") and word.endswith(("t", "d", "en")) and word not in _NOT_PARTICIPLES:
        base = stem(word[2:])
        if base in stems and base != stem(word):
            return base
    for suffix in _DIMINUTIVES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_PART:
            base = stem(word[: -len(suffix)])
            if base in stems and base != stem(word):
                return base
    return None


def analyze(text: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Stemmed tokens; participles, diminutives and compounds add the corpus stems behind them."""
    tokens: list[str] = []
    stems = vocabulary_stems(vocabulary) if vocabulary else frozenset()
    for w in words(text):
        tokens.append(stem(w))
        if vocabulary:
            base = base_stem(w, stems)
            if base:
                tokens.append(base)
            tokens.extend(stem(p) for p in split_compound(w, vocabulary) if p not in STOPWORDS)
    return tokens
