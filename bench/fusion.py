"""Fit and cross-validate the ranker (``index/ranker.json``) on two corpora.

    .venv/bin/python -m bench.fusion            # CV table only
    .venv/bin/python -m bench.fusion --write    # also refit on everything and write index/ranker.json

Corpora: the store of ``$GKA_DATA_DIR`` (the bundled data) with ``data/eval/dev.jsonl``, and the
foreign corpus ``data/eval/foreign`` with its own queries; the off-topic questions of
``data/eval/offtopic.jsonl`` are asked of both, every candidate irrelevant. For every query the
candidates of each mode are retrieved once; a document is relevant when it, or the programme it
applies, is judged relevant.

Compared on the same candidates, with the same grouping into options (``Searcher``):
- ``learned``: logistic regression on ``scoring.FEATURES``, 5-fold CV by query over both corpora,
  and trained on one corpus, tested on the other;
- ``zscore``: the former default, 0.55 × z(cosine) + 0.45 × z(BM25), a missing score at its
  list's lowest z, a list with < 2 hits weighted 0;
- ``rrf``: reciprocal rank fusion, k = 60, equal weights.

Thresholds are calibrated on the out-of-fold probabilities: the floor is the highest value at
which at most 3 % of the labelled queries lose every relevant option in their top 10; "sterk"
and "redelijk" start where at least 70 % and 40 % of the options above them are relevant. The
evidence window (options whose probabilities fall in the same window of that width are
ordered by erkenning) is the widest of a few that costs at most 0.002 nDCG@10.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace

import numpy as np

from gka_match.config import load_settings
from gka_match.index.evaluation import (
    FOREIGN_DIR, OFFTOPIC_SET, EvalQuery, load_queries, option_key, query_metrics, result_gain, result_key,
)
from gka_match.index.query_terms import read_signals
from gka_match.index.scoring import (
    FEATURES, QUERY_FEATURES, LinearModel, Ranker, background_vectors, feature_matrix, query_row,
)
from gka_match.index.search import SearchRequest, Searcher
from gka_match.runtime import open_embedder, open_engine, open_foreign_corpus

MODES = ("hybrid", "dense", "lexical")
PROBES = OFFTOPIC_SET.with_name("probes.jsonl")
EVIDENCE_WINDOWS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.1)
MAX_LOST = 0.03


@dataclass
class Corpus:
    name: str
    engine: object
    queries: list[EvalQuery]  # the labelled queries: what the metrics and the loss budget count
    offtopic: list[EvalQuery]
    probes: list[EvalQuery]  # short specific questions: training data only


@dataclass
class Sample:
    corpus: str
    query: EvalQuery
    offtopic: bool
    X: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    probe: bool = False


def _relevant(query: EvalQuery, engine, doc) -> bool:
    judged = {option_key(d, engine) for d in query.all_relevant} | query.all_relevant
    return doc.doc_id in judged or bool(doc.catalogus_id and doc.catalogus_id in judged)


def probes_for(probes: list[EvalQuery], corpus: str) -> list[EvalQuery]:
    """Short, specific questions (a programme's name, one rare word) for the given corpus."""
    return [q for q in probes if q.thema == corpus]


def collect(corpus: Corpus) -> list[Sample]:
    out = []
    background = background_vectors(corpus.engine.embedder, corpus.engine.model_dir)
    for query, off in [(q, False) for q in corpus.queries + corpus.probes] + [(q, True) for q in corpus.offtopic]:
        signals = read_signals(query.q)
        X, y = {}, {}
        for mode in MODES:
            cands = corpus.engine.retrieve(query.q, mode, None, n=100)
            X[mode] = feature_matrix(query.q, cands, signals, mode, background)
            y[mode] = np.asarray([not off and _relevant(query, corpus.engine, d) for d in cands.docs], dtype=int)
        out.append(Sample(corpus.name, query, off, X, y, query in corpus.probes))
    return out


def _logistic(X: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=1.0, max_iter=2000).fit((X - mean) / scale, y)
    return LinearModel(names, mean, scale, lr.coef_[0], float(lr.intercept_[0]))


def fit(samples: list[Sample], mode: str) -> tuple[LinearModel, LinearModel]:
    """The candidate model (labelled queries, not the probes: a one-word probe's broad labels would
    teach it that sharing a theme is relevance) and the query model (labelled and probes vs off-topic)."""
    labelled = [s for s in samples if not s.offtopic and not s.probe]
    cand = _logistic(np.vstack([s.X[mode] for s in labelled]), np.concatenate([s.y[mode] for s in labelled]),
                     FEATURES[mode])
    rows = [s for s in samples if len(s.X[mode])]
    query = _logistic(np.vstack([query_row(s.X[mode], mode) for s in rows]),
                      np.asarray([0 if s.offtopic else 1 for s in rows]),
                      tuple(f"{agg}_{name}" for name, agg in QUERY_FEATURES[mode]) + ("short", "short_specificity"))
    return cand, query


class Fused(Ranker):
    """A baseline fusion in the ranker's place (scores are not probabilities; no floor)."""

    def __init__(self, kind: str):
        super().__init__({}, {}, 0.0, 0.0, 1.0, 1.0, 0.0, {})
        object.__setattr__(self, "kind", kind)

    def score(self, query, cands, signals, mode, background=None):
        return self._fused(cands), 1.0

    def _fused(self, cands) -> np.ndarray:
        if self.kind == "rrf":
            score = np.zeros(len(cands))
            for ranks in (cands.dense_rank, cands.lexical_rank):
                score += np.where(ranks > 0, 1.0 / (60 + ranks), 0.0)
            return score
        parts = []
        for scores, ranks, w in ((cands.cos, cands.dense_rank, 0.55), (cands.bm25, cands.lexical_rank, 0.45)):
            inside = ranks > 0
            if scores is None or inside.sum() < 2:
                continue
            vals = scores[inside].astype(np.float64)
            z = (scores - vals.mean()) / (vals.std() or 1.0)
            parts.append(w * np.where(inside, z, z[inside].min()))
        return np.sum(parts, axis=0) if parts else np.zeros(len(cands))


def metrics_for(corpus: Corpus, ranker: Ranker, mode: str, queries: list[EvalQuery] | None = None) -> dict:
    searcher = Searcher(corpus.engine, ranker, floor=0.0)  # background vectors come from the cache
    rows = []
    for q in queries if queries is not None else corpus.queries:
        results = searcher.search(SearchRequest(q=q.q, k=10, mode=mode)).results
        ideal = {}
        for d in q.all_relevant:
            key = option_key(d, corpus.engine)
            ideal[key] = max(ideal.get(key, 0), q.gain(d))
        rows.append(query_metrics([result_gain(r, q) for r in results], [result_key(r) for r in results],
                                  list(ideal.values())))
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def ranker_of(models: dict[str, tuple[LinearModel, LinearModel]], evidence_window: float = 0.0) -> Ranker:
    return Ranker({m: c for m, (c, _) in models.items()}, {m: q for m, (_, q) in models.items()},
                  0.0, 0.0, 1.0, 1.0, evidence_window, {})


def cross_validate(samples: list[Sample], corpora: dict[str, Corpus], folds: int = 5, seed: int = 7):
    """Out-of-fold metrics per corpus and mode, and out-of-fold probabilities for calibration."""
    labelled = [s for s in samples if not s.offtopic]
    rng = np.random.default_rng(seed)
    fold_of = {id(s): int(f) for s, f in zip(labelled, rng.permutation(len(labelled)) % folds)}
    off = [s for s in samples if s.offtopic]
    off_fold = {id(s): int(f) for s, f in zip(off, rng.permutation(len(off)) % folds)}
    fold_of.update(off_fold)
    per = {c: {m: [] for m in MODES} for c in corpora}
    oof: list[tuple[Sample, np.ndarray]] = []
    for f in range(folds):
        train = [s for s in samples if fold_of[id(s)] != f]
        ranker = ranker_of({m: fit(train, m) for m in MODES})
        for s in samples:
            if fold_of[id(s)] != f:
                continue
            oof.append((s, *ranker.score_features(s.X["hybrid"], "hybrid")))
            if not s.offtopic and s.query in corpora[s.corpus].queries:
                for m in MODES:
                    per[s.corpus][m].append(metrics_for(corpora[s.corpus], ranker, m, [s.query]))
    return {c: {m: {k: float(np.mean([r[k] for r in rows])) for k in rows[0]} for m, rows in modes.items()}
            for c, modes in per.items()}, oof


def calibrate(oof: list[tuple[Sample, np.ndarray, float]]) -> tuple[float, float, float, float, dict]:
    """The query floor as high as the loss budget allows, then the candidate floor as high as the
    same budget still allows (queries the gate loses are often the ones a floor would lose too)."""
    # The loss budget is counted on the labelled queries of both corpora; the short probes are
    # training data for the query model, not part of that budget.
    labelled = [(s, p, a) for s, p, a in oof if not s.offtopic and s.y["hybrid"].any() and not s.probe]
    offtopic = [(p, a) for s, p, a in oof if s.offtopic]

    def lost(qf: float, cf: float) -> float:
        return sum(1 for s, p, a in labelled if a < qf or not (p[s.y["hybrid"] == 1] >= cf).any()) / len(labelled)

    query_floor = max([t for t in np.arange(0.0, 0.99, 0.005) if lost(t, 0.0) <= MAX_LOST] or [0.0])
    floor = max([t for t in np.arange(0.0, 0.9, 0.005) if lost(query_floor, t) <= MAX_LOST] or [0.0])
    silent = sum(1 for p, a in offtopic if a < query_floor or not (p >= floor).any()) / max(len(offtopic), 1)
    p_all = np.concatenate([p for s, p, _ in oof if not s.offtopic])
    y_all = np.concatenate([s.y["hybrid"] for s, _, _ in oof if not s.offtopic])

    def precision_from(level: float) -> float:
        hit = p_all >= level
        return float(y_all[hit].mean()) if hit.any() else 1.0

    fair = next((float(t) for t in np.arange(floor, 1, 0.01) if precision_from(t) >= 0.5), floor)
    strong = next((float(t) for t in np.arange(fair, 1, 0.01) if precision_from(t) >= 0.75), 0.99)
    return round(float(query_floor), 3), round(float(floor), 3), round(fair, 3), round(strong, 3), {
        "offtopic_silent_oof": round(silent, 3), "lost_all_relevant_oof": round(lost(query_floor, floor), 3), "precision_above_fair": round(precision_from(fair), 3),
        "precision_above_strong": round(precision_from(strong), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="refit on everything and write index/ranker.json")
    args = parser.parse_args()
    t0 = time.perf_counter()
    settings = load_settings()
    embedder = open_embedder(settings)
    offtopic = load_queries(OFFTOPIC_SET)
    probes = load_queries(PROBES)
    corpora = {
        "bundled": Corpus("bundled", open_engine(settings), load_queries(), offtopic, probes_for(probes, "bundled")),
        "foreign": Corpus("foreign", open_foreign_corpus(settings, embedder), load_queries(FOREIGN_DIR / "queries.jsonl"),
                          offtopic, probes_for(probes, "foreign")),
    }
    samples = [s for c in corpora.values() for s in collect(c)]
    cv, oof = cross_validate(samples, corpora)
    print("| corpus | fusion | mode | nDCG@10 | Recall@10 | MRR | hit@5 | relevant@5 |\n|---|---|---|---|---|---|---|---|")
    for name, corpus in corpora.items():
        for mode in MODES:
            r = cv[name][mode]
            print(f"| {name} | learned (5-fold CV) | {mode} | {r['ndcg@10']:.3f} | {r['recall@10']:.3f} | {r['mrr']:.3f} | {r['hit@5']:.3f} | {r['relevant@5']:.2f} |")
        other = [s for s in samples if s.corpus != name]
        transfer = ranker_of({m: fit(other, m) for m in MODES})
        r = metrics_for(corpus, transfer, "hybrid")
        print(f"| {name} | learned, trained on the other corpus | hybrid | {r['ndcg@10']:.3f} | {r['recall@10']:.3f} | {r['mrr']:.3f} | {r['hit@5']:.3f} | {r['relevant@5']:.2f} |")
        for kind in ("zscore", "rrf"):
            r = metrics_for(corpus, Fused(kind), "hybrid")
            print(f"| {name} | {kind} | hybrid | {r['ndcg@10']:.3f} | {r['recall@10']:.3f} | {r['mrr']:.3f} | {r['hit@5']:.3f} | {r['relevant@5']:.2f} |")
    query_floor, floor, fair, strong, calib = calibrate(oof)
    print(f"\nthresholds (out-of-fold): query {query_floor}, floor {floor}, redelijk {fair}, sterk {strong}; {calib}")
    models = {m: fit(samples, m) for m in MODES}
    base = {name: metrics_for(c, ranker_of(models), "hybrid")["ndcg@10"] for name, c in corpora.items()}
    evidence = 0.0
    for w in EVIDENCE_WINDOWS:
        cost = max(base[n] - metrics_for(c, ranker_of(models, w), "hybrid")["ndcg@10"] for n, c in corpora.items())
        print(f"evidence window {w}: nDCG@10 cost {cost:+.4f}")
        if cost <= 0.002:
            evidence = w
    print(f"evidence window chosen: {evidence}; {time.perf_counter() - t0:.0f} s")
    if args.write:
        fitted = {"date": time.strftime("%Y-%m-%d"), "queries": {n: len(c.queries) for n, c in corpora.items()},
                  "offtopic": len(offtopic), "cv": cv, "calibration": calib}
        final = ranker_of(models, evidence)
        replace(final, query_floor=query_floor, floor=floor, fair=fair, strong=strong, fitted=fitted).save()
        print("written: index/ranker.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
