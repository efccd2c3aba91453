"""Match quality on the project's dev set (data/eval/dev.jsonl) for gka-match and the baselines,
on the bundled corpus the dev set was labelled on, with the project's own metrics."""

from __future__ import annotations

from typing import Callable

from gka_match.index.evaluation import evaluate, load_dev_set, mean_metrics, query_metrics


def engine_quality(engine) -> dict[str, dict]:
    """Per mode: nDCG@10, Recall@10, MRR, hit@5 (``gka_match.index.evaluation.evaluate``)."""
    report = evaluate(engine, load_dev_set(), modes=("hybrid", "dense", "lexical"), k=10)
    return {mode: res["overall"] for mode, res in report["modes"].items()}


def ranked_quality(search: Callable[[str, int], list[str]]) -> dict[str, float]:
    """The same metrics for any ``search(query, k) -> [doc_id]``."""
    rows = [query_metrics(search(q.q, 10), q, 10) for q in load_dev_set()]
    return mean_metrics(rows)
