"""Match quality on the project's dev set (data/eval/dev.jsonl) for gka-match and the baselines,
on the bundled corpus the dev set was labelled on. The baselines return flat document lists, so
gka-match is measured flat here too (``group=False``, no floor): the same ranking task for all."""

from __future__ import annotations

from typing import Callable

from gka_match.index.evaluation import EvalQuery, load_dev_set, mean_metrics, query_metrics


def flat_metrics(ranked: list[str], query: EvalQuery, k: int = 10) -> dict[str, float]:
    return query_metrics([query.gain(d) for d in ranked], ranked, [query.gain(d) for d in query.all_relevant], k)


def engine_quality(engine) -> dict[str, dict]:
    """Per mode: nDCG@10, Recall@10, MRR, hit@5 of the search core's flat ranking."""
    from gka_match.index.scoring import Ranker
    from gka_match.index.search import SearchRequest, Searcher

    searcher = Searcher(engine, Ranker.load())
    out = {}
    for mode in ("hybrid", "dense", "lexical"):
        out[mode] = ranked_quality(lambda q, k: [r.lead.doc_id for r in searcher.search(
            SearchRequest(q=q, k=k, mode=mode, group=False, floor=0.0)).results])
    return out


def ranked_quality(search: Callable[[str, int], list[str]]) -> dict[str, float]:
    """The same metrics for any ``search(query, k) -> [doc_id]``."""
    return mean_metrics(flat_metrics(search(q.q, 10), q) for q in load_dev_set())
