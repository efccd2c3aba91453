"""From retrieval evidence to one calibrated number per candidate: P(relevant).

Each candidate is described by a few corpus-independent features (below). A logistic
regression per mode turns them into a probability of being relevant. It was fitted on two
corpora — the bundled catalogue and agendas with the dev queries, and a foreign evaluation
corpus of short descriptions with paraphrased queries — plus off-topic, nonsense and too-vague
questions whose every candidate counts as irrelevant (``python -m bench.fusion``; cross-validated
table in the README). One model therefore does three jobs that used to be separate hand-tuned
rules: it fuses the dense and lexical lists, it knows when nothing fits (low probability
everywhere), and its output is the match strength shown to users.

Why these features and not raw BM25: BM25 scales with the corpus and the query length, cosines
of e5 sit in a narrow band (0.75-0.9) whatever the query. Relative features (gap to the best
cosine, share of the query's idf mass that a document covers, standardised scores within the
query's candidates) mean the same thing on any corpus; the two absolute ones (the cosine itself
and the best cosine of the query) let the model say "nothing here is close".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .candidates import Candidates
from .documents import SearchDoc
from .query_terms import QuerySignals
from .text import fold

MODEL_FILE = Path(__file__).with_name("ranker.json")
BACKGROUND_FILE = Path(__file__).with_name("background_queries.txt")
_QUERY = ("known_share", "specificity", "n_words", "top_coverage", "theme_cues", "age_cue")
FEATURES: dict[str, tuple[str, ...]] = {
    "hybrid": ("cos", "cos_gap", "cos_z", "coverage", "bm25_rel", "lex_z", "name_hit", "age_fit", "top_cos",
               "centroid_cos", "background_gap", *_QUERY),
    "dense": ("cos", "cos_gap", "cos_z", "age_fit", "top_cos", "centroid_cos", "background_gap", "n_words",
              "theme_cues", "age_cue"),

    "lexical": ("coverage", "bm25_rel", "lex_z", "name_hit", "age_fit", *_QUERY),
}
# The query-level view: does this query have an answer in this corpus at all? Built from the
# candidate features (their value for the query, or their best value over the candidates).
QUERY_FEATURES: dict[str, tuple[tuple[str, str], ...]] = {
    "hybrid": (("top_cos", "max"), ("centroid_cos", "max"), ("background_gap", "max"), ("known_share", "max"),
               ("specificity", "max"), ("n_words", "max"), ("top_coverage", "max"), ("lex_z", "max"), ("cos_z", "max"),
               ("theme_cues", "max"), ("age_cue", "max")),
    "dense": (("top_cos", "max"), ("centroid_cos", "max"), ("background_gap", "max"), ("n_words", "max"),
              ("cos_z", "max"), ("theme_cues", "max"), ("age_cue", "max")),
    "lexical": (("known_share", "max"), ("specificity", "max"), ("n_words", "max"), ("top_coverage", "max"),
                ("lex_z", "max"), ("theme_cues", "max"), ("age_cue", "max")),
}
LEX_Z_CLIP = (-2.0, 8.0)  # one rare-word hit among many zeros has a huge z; beyond ~8 it says nothing new


def age_fit(signals: QuerySignals, doc: SearchDoc) -> int:
    """+1 when the ages asked for overlap the ages the document reaches, -1 when they do not,
    0 when either side states no ages."""
    span = doc.age_span()
    if signals.ages is None or span is None:
        return 0
    return 1 if span[0] <= signals.ages[1] and signals.ages[0] <= span[1] else -1


@lru_cache(maxsize=100_000)
def _folded_names(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(n) for n in names if len(n) >= 4)


def _names(doc: SearchDoc) -> tuple[str, ...]:
    names = (doc.name, *doc.extra.get("aliassen", []))
    if doc.extra.get("programma"):
        names += (doc.extra["programma"],)
    return _folded_names(names)


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _whole(name: str, text: str) -> bool:
    """``re.search(r"\b" + re.escape(name) + r"\b", text)`` without compiling a pattern per name
    (a regex per candidate name overflowed re's cache and cost a third of a search)."""
    start = text.find(name)
    first, last = _is_word(name[0]), _is_word(name[-1])
    while start >= 0:
        end = start + len(name)
        before = start > 0 and _is_word(text[start - 1])
        after = end < len(text) and _is_word(text[end])
        if before != first and after != last:
            return True
        start = text.find(name, start + 1)
    return False


def name_hit(folded_query: str, doc: SearchDoc) -> float:
    """1 when the query names the programme (or an alias) as a whole phrase."""
    return float(any(_whole(n, folded_query) for n in _names(doc)))


def _z(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / std if std > 1e-9 else np.zeros_like(values)


def load_background() -> list[str]:
    """Everyday questions about anything but this domain (weather, recipes, software, …)."""
    return [line.strip() for line in BACKGROUND_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def background_vectors(embedder, cache_dir: Path) -> np.ndarray:
    """The background questions as query vectors, cached beside the model (they depend on the
    model, runtime and precision, not on the corpus): computed once, e.g. by `model prepare`."""
    from .embedding_cache import EmbeddingCache

    cache = EmbeddingCache(Path(cache_dir) / "query_vectors.sqlite", embedder.fingerprint, embedder.dim)
    texts = load_background()
    return cache.encode(["\x00query\x00" + t for t in texts], lambda keyed: embedder.encode_queries(
        [k.split("\x00", 2)[2] for k in keyed]))


def feature_matrix(query: str, candidates: Candidates, signals: QuerySignals, mode: str,
                   background: np.ndarray | None = None) -> np.ndarray:
    """Rows = candidates, columns = ``FEATURES[mode]``. ``background``: the vectors of
    :func:`load_background`; "background_gap" is how much closer the query is to the corpus than
    to its nearest everyday question (a weather question is closer to a weather question)."""
    n = len(candidates)
    cols: dict[str, np.ndarray] = {}
    if candidates.cos is not None and n:
        cos = candidates.cos.astype(np.float64)
        cols["cos"] = cos
        cols["cos_gap"] = cos - cos.max()
        cols["cos_z"] = _z(cos)
        cols["top_cos"] = np.full(n, cos.max())
        cols["centroid_cos"] = np.full(n, candidates.centroid_cos)
        gap = 0.0
        if background is not None and len(background) and candidates.query_vec is not None:
            gap = float(cos.max() - (background @ candidates.query_vec).max())
        cols["background_gap"] = np.full(n, gap)
    if candidates.bm25 is not None and n:
        bm25 = candidates.bm25.astype(np.float64)
        top = bm25.max()
        cols["bm25_rel"] = bm25 / top if top > 0 else np.zeros(n)
        cols["lex_z"] = np.clip(_z(bm25), *LEX_Z_CLIP)
        cols["coverage"] = candidates.coverage.astype(np.float64)
        folded = fold(query)
        cols["name_hit"] = np.asarray([name_hit(folded, d) for d in candidates.docs])
        cols["known_share"] = np.full(n, candidates.known_share)
        cols["specificity"] = np.full(n, candidates.specificity)
        cols["top_coverage"] = np.full(n, float(candidates.coverage.max()))
    cols["n_words"] = np.full(n, min(candidates.n_words, 12) / 12)
    # what the query reader recognises of this domain: themes ("armoede", "pesten") and ages
    cols["theme_cues"] = np.full(n, min(len(signals.themas), 3) / 3)
    cols["age_cue"] = np.full(n, float(signals.ages is not None))
    cols["age_fit"] = np.asarray([age_fit(signals, d) for d in candidates.docs], dtype=np.float64)
    return np.column_stack([cols[f] for f in FEATURES[mode]]) if n else np.zeros((0, len(FEATURES[mode])))


SHORT_QUERY_WORDS = 2  # a question of at most two content words must name something specific


def query_row(x: np.ndarray, mode: str) -> np.ndarray:
    """One row of query-level features from a query's candidate feature matrix, plus two
    interactions a linear model cannot form itself: a short question ("kinderen", "KiVa") is
    answerable when its words are rare in the corpus, and only then."""
    cols = FEATURES[mode]
    row = [x[:, cols.index(name)].max() if len(x) else 0.0 for name, _ in QUERY_FEATURES[mode]]
    words = x[0, cols.index("n_words")] * 12 if len(x) else 0.0
    short = float(words <= SHORT_QUERY_WORDS)
    specific = x[0, cols.index("specificity")] if len(x) and "specificity" in cols else 0.0
    return np.asarray([[*row, short, short * specific]])


@dataclass(frozen=True)
class LinearModel:
    """Standardise, weigh, squash: ``sigmoid(((x - mean) / scale) @ coef + intercept)``."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, raw: dict) -> "LinearModel":
        return cls(tuple(raw["features"]), np.asarray(raw["mean"]), np.asarray(raw["scale"]),
                   np.asarray(raw["coef"]), float(raw["intercept"]))


@dataclass(frozen=True)
class Ranker:
    """The fitted models and the strength thresholds calibrated with them.

    Per mode two logistic regressions: ``models`` scores a candidate given the query (its
    confidence, shown as the match strength), and ``query_models`` the query: P(it has an answer
    in this corpus at all). A query below ``query_floor`` gets "geen goede match", however well
    its words happen to match something ("Wat is het weer morgen in Utrecht?")."""

    models: dict[str, LinearModel]
    query_models: dict[str, LinearModel]
    query_floor: float  # a query below this has no good match
    floor: float  # a candidate below this is not shown by default
    fair: float  # from here: "redelijk"
    strong: float  # from here: "sterk"
    evidence_window: float  # options whose probabilities share a window of this width: evidence first
    fitted: dict  # what the fit saw and measured, for the README and `gka-match eval`

    def score(self, query: str, candidates: Candidates, signals: QuerySignals, mode: str,
              background: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """(confidence of every candidate, P(the query has an answer here))."""
        return self.score_features(feature_matrix(query, candidates, signals, mode, background), mode)

    def score_features(self, x: np.ndarray, mode: str) -> tuple[np.ndarray, float]:
        if not len(x):
            return np.zeros(0), 0.0
        return self.models[mode].probability(x), float(self.query_models[mode].probability(query_row(x, mode))[0])

    def strength(self, p: float) -> str:
        return "sterk" if p >= self.strong else "redelijk" if p >= self.fair else "zwak"

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "Ranker":
        raw = json.loads(path.read_text())
        t = raw["thresholds"]
        return cls({m: LinearModel.from_dict(v) for m, v in raw["models"].items()},
                   {m: LinearModel.from_dict(v) for m, v in raw["query_models"].items()}, t["query_floor"], t["floor"], t["fair"],
                   t["strong"], raw.get("evidence_window", 0.0), raw.get("fitted", {}))

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps({
            "models": {m: v.to_dict() for m, v in self.models.items()},
            "query_models": {m: v.to_dict() for m, v in self.query_models.items()},
            "thresholds": {"query_floor": self.query_floor, "floor": self.floor, "fair": self.fair, "strong": self.strong},
            "evidence_window": self.evidence_window, "fitted": self.fitted,
        }, indent=1) + "\n")


__all__ = ["FEATURES", "QUERY_FEATURES", "background_vectors", "load_background", "query_row", "LinearModel", "Ranker", "age_fit", "feature_matrix", "name_hit"]
