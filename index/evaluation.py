"""Match quality, measured on what users see: grouped options through the search core.

A query line: ``{"id": "q01", "q": "...", "thema": "...", "relevant": [ids], "highly_relevant":
[ids]}``; ids are catalogue ids or agenda intervention ids (gain 2 for highly relevant, 1 for
relevant). Results are options (a programme with the agenda items that apply it counts once), so
an option's gain is the best gain among its members, and the ideal ranking groups the judged ids
the same way.

Reported per mode: nDCG@10, Recall@10, MRR, hit@5, distinct options in the top 5, relevant
options in the top 5, and the strength calibration: how many off-topic questions get no result,
and how many labelled queries lose every relevant option to the floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from gka_match.data.bundled import EVAL_DIR
from gka_match.data.jsonl import jsonl_lines

DEFAULT_DEV_SET = EVAL_DIR / "dev.jsonl"
FOREIGN_DIR = EVAL_DIR / "foreign"
OFFTOPIC_SET = EVAL_DIR / "offtopic.jsonl"
MODES = ("hybrid", "dense", "lexical")


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


def load_queries(path: Path | None = None) -> list[EvalQuery]:
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


load_dev_set = load_queries


def option_key(doc_id: str, engine) -> str:
    """The option a judged id belongs to: its programme when an agenda item applies one."""
    doc = engine.doc(doc_id)
    return doc.catalogus_id if doc is not None and doc.kind == "agenda" and doc.catalogus_id else doc_id


def option_gains(query: EvalQuery, engine) -> dict[str, int]:
    gains: dict[str, int] = {}
    for doc_id in query.all_relevant:
        key = option_key(doc_id, engine)
        gains[key] = max(gains.get(key, 0), query.gain(doc_id))
    return gains


def result_gain(result, query: EvalQuery) -> int:
    return max([query.gain(m.doc_id) for m in result.members] + [query.gain(result.lead.doc_id)])


def result_key(result) -> str:
    lead = result.lead
    return lead.catalogus_id if lead.kind == "agenda" and lead.catalogus_id else lead.doc_id


def query_metrics(gains: list[int], keys: list[str], ideal: list[int], k: int = 10) -> dict[str, float]:
    top = gains[:k]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(top))
    ideal = sorted(ideal, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    first = next((i for i, g in enumerate(gains) if g > 0), None)
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "recall@10": sum(1 for g in top if g > 0) / len(ideal) if ideal else 0.0,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "hit@5": 1.0 if first is not None and first < 5 else 0.0,
        "distinct@5": float(len(set(keys[:5]))),
        "relevant@5": float(sum(1 for g in gains[:5] if g > 0)),
    }


def mean_metrics(rows: Iterable[dict[str, float]]) -> dict[str, float]:
    rows = list(rows)
    if not rows:
        return {}
    return {key: round(sum(r[key] for r in rows) / len(rows), 4) for key in rows[0]}


def evaluate(searcher, queries: list[EvalQuery], offtopic: list[EvalQuery] = (), modes: Iterable[str] | None = None,
             k: int = 10) -> dict:
    """Per mode: mean metrics overall and per theme, each query's metrics, and the calibration."""
    from .search import SearchRequest

    report: dict = {"n_queries": len(queries), "n_offtopic": len(offtopic), "modes": {}}
    for mode in modes or MODES:
        per_query, lost = [], 0
        for q in queries:
            answer = searcher.search(SearchRequest(q=q.q, k=k, mode=mode, floor=0.0))
            results = answer.results
            gains = [result_gain(r, q) for r in results]
            metrics = query_metrics(gains, [result_key(r) for r in results],
                                    list(option_gains(q, searcher.engine).values()), k)
            if any(gains):  # with the default floor (and the query gate), is a relevant option left?
                shown = searcher.search(SearchRequest(q=q.q, k=k, mode=mode)).results
                lost += not any(result_gain(r, q) for r in shown)
            per_query.append({"id": q.id, "thema": q.thema, **metrics})
        silent = sum(1 for q in offtopic
                     if searcher.search(SearchRequest(q=q.q, k=k, mode=mode)).no_good_match)
        rows = [{m: v for m, v in r.items() if m not in ("id", "thema")} for r in per_query]
        themes = sorted({r["thema"] for r in per_query if r["thema"]})
        report["modes"][mode] = {
            "overall": {
                **mean_metrics(rows),
                "offtopic_silent": round(silent / len(offtopic), 4) if offtopic else None,
                "lost_all_relevant": round(lost / len(queries), 4) if queries else None,
            },
            "per_thema": {t: mean_metrics(r for r, row in zip(rows, per_query) if row["thema"] == t) for t in themes},
            "queries": per_query,
        }
    return report


COLUMNS = (("ndcg@10", "nDCG@10"), ("recall@10", "Recall@10"), ("mrr", "MRR"), ("hit@5", "hit@5"),
           ("distinct@5", "distinct@5"), ("relevant@5", "relevant@5"),
           ("offtopic_silent", "off-topic zonder resultaat"), ("lost_all_relevant", "vragen die alles verliezen"))


def format_table(report: dict, title: str = "") -> str:
    head = f"{title}: " if title else ""
    lines = [f"{head}{report['n_queries']} queries, {report['n_offtopic']} off-topic questions", "",
             "| mode | " + " | ".join(label for _, label in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for mode, res in report["modes"].items():
        o = res["overall"]
        cells = ["–" if o.get(key) is None else f"{o[key]:.3f}" for key, _ in COLUMNS]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


__all__ = ["EvalQuery", "evaluate", "format_table", "load_queries", "load_dev_set", "FOREIGN_DIR", "OFFTOPIC_SET"]
