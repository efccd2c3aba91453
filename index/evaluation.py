"""Match quality on a labelled query set: nDCG@10, Recall@10, MRR and hit@5 per mode.

A dev-set line: ``{"id": "q01", "q": "...", "thema": "...", "relevant": [ids],
"highly_relevant": [ids]}``; ids are catalogue ids or agenda intervention ids. Highly relevant
items have gain 2, relevant ones gain 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from gka_match.data.bundled import EVAL_DIR
from gka_match.data.jsonl import jsonl_lines

DEFAULT_DEV_SET = EVAL_DIR / "dev.jsonl"


@dataclass
class EvalQuery:
    id: str
    q: str
    thema: str = ""
    relevant: set[str] = field(default_factory=set)
    highly_relevant: set[str] = field(default_factory=set)

    def gain(self, doc_id: str) -> int:
        return 2 if doc_id in self.highly_relevant else 1 if doc_id in self.relevant else 0

    @property
    def all_relevant(self) -> set[str]:
        return self.relevant | self.highly_relevant


def load_dev_set(path: Path | None = None) -> list[EvalQuery]:
    path = path or DEFAULT_DEV_SET
    out = []
    for n, raw, error in jsonl_lines(path.read_text(encoding="utf-8")):
        if error:
            raise ValueError(f"{path}, line {n}: not valid JSON ({error.msg})")
        out.append(EvalQuery(
            id=raw["id"], q=raw["q"], thema=raw.get("thema", ""),
            relevant=set(raw.get("relevant", [])), highly_relevant=set(raw.get("highly_relevant", [])),
        ))
    return out


def query_metrics(ranked: list[str], query: EvalQuery, k: int = 10) -> dict[str, float]:
    gains = [query.gain(d) for d in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((query.gain(d) for d in query.all_relevant), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    first = next((i for i, d in enumerate(ranked) if query.gain(d) > 0), None)
    found = len(set(ranked[:k]) & query.all_relevant)
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "recall@10": found / len(query.all_relevant) if query.all_relevant else 0.0,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "hit@5": 1.0 if first is not None and first < 5 else 0.0,
    }


def mean_metrics(rows: Iterable[dict[str, float]]) -> dict[str, float]:
    rows = list(rows)
    if not rows:
        return {}
    return {key: round(sum(r[key] for r in rows) / len(rows), 4) for key in rows[0]}


def evaluate(engine, queries: list[EvalQuery], modes: Iterable[str] | None = None, k: int = 10) -> dict:
    """Per mode: mean metrics overall and per theme, plus each query's metrics."""
    report: dict = {"n_queries": len(queries), "modes": {}}
    for mode in modes or ("hybrid", "dense", "lexical"):
        per_query = []
        for q in queries:
            ranked = [r.doc.doc_id for r in engine.search(q.q, k=max(k, 10), mode=mode)]
            per_query.append({"id": q.id, "thema": q.thema, **query_metrics(ranked, q, k)})
        metric_rows = [{m: v for m, v in r.items() if m not in ("id", "thema")} for r in per_query]
        themes = sorted({r["thema"] for r in per_query if r["thema"]})
        report["modes"][mode] = {
            "overall": mean_metrics(metric_rows),
            "per_thema": {
                t: mean_metrics({m: v for m, v in r.items() if m not in ("id", "thema")}
                                for r in per_query if r["thema"] == t)
                for t in themes
            },
            "queries": per_query,
        }
    return report


def format_table(report: dict) -> str:
    lines = [f"{report['n_queries']} queries", "", "| mode | nDCG@10 | Recall@10 | MRR | hit@5 |",
             "|---|---|---|---|---|"]
    for mode, res in report["modes"].items():
        o = res["overall"]
        lines.append(f"| {mode} | {o['ndcg@10']:.3f} | {o['recall@10']:.3f} | {o['mrr']:.3f} | {o['hit@5']:.3f} |")
    return "\n".join(lines)
