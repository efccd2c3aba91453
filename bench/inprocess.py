"""In-process measurements on a built engine: the search core's latency per mode (what every
surface calls), its own cost once the query vector is cached, and single-record updates (store
write + ``engine.sync``)."""

from __future__ import annotations

import time

from gka_match.index.documents import lexical_text

from .stats import summary_ms, time_each


def searcher_of(engine):
    from gka_match.index.scoring import Ranker
    from gka_match.index.search import Searcher

    return Searcher(engine, Ranker.load())


def _ask(searcher, q: str, mode: str):
    from gka_match.index.search import SearchRequest

    return searcher.search(SearchRequest(q=q, k=10, mode=mode))


def search_latency(engine, queries: list[str], mode: str, budget_s: float) -> dict:
    """Distinct, never-seen queries: the query encoder runs for every dense/hybrid call."""
    searcher = searcher_of(engine)
    engine.embedder.warm_up()  # clears the query cache
    return summary_ms(time_each(lambda q: _ask(searcher, q, mode), queries, budget_s))


def cached_latency(engine, queries: list[str], budget_s: float) -> dict:
    """Hybrid with the query vector already cached: what the search core adds on top of encoding."""
    searcher = searcher_of(engine)
    for q in queries:
        _ask(searcher, q, "hybrid")
    return summary_ms(time_each(lambda q: _ask(searcher, q, "hybrid"), queries, budget_s))


def update_latency(store, engine, record_ids: list[str], budget_s: float) -> dict:
    """Change one intervention's goal, write it to the store and sync the engine, one at a time.
    Also times the two parts of a sync that grow with the corpus, as evidence for the report."""
    engine.sync()  # catch up with writes made elsewhere (the HTTP run)
    write_s, sync_s = [], []
    start = time.perf_counter()
    for n, rid in enumerate(record_ids):
        rec = store.get_intervention(rid)
        changed = rec.model_copy(update={"doel": f"{rec.doel} Bijgewerkt voor de benchmark ({n}, {time.time():.0f})."})
        t0 = time.perf_counter()
        store.write(interventions=[changed])
        t1 = time.perf_counter()
        engine.sync()
        t2 = time.perf_counter()
        write_s.append(t1 - t0)
        sync_s.append(t2 - t1)
        if n >= 1 and time.perf_counter() - start > budget_s:
            break
    total = summary_ms(w + s for w, s in zip(write_s, sync_s))
    # the parts of a sync: encoding the changed document dominates; the rest grows with the corpus
    doc = engine.docs[-1]
    t0 = time.perf_counter()
    engine.embedder.encode_documents([doc.dense_text + " (meting)"])
    encode_s = time.perf_counter() - t0
    with engine.consistent_view():
        t0 = time.perf_counter()
        engine.lexical.replace([len(engine.docs) - 1], [lexical_text(doc)])
        lexical_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        engine._refresh_maps()
        maps_s = time.perf_counter() - t0
    return {
        "total": total,
        "store_write": summary_ms(write_s),
        "engine_sync": summary_ms(sync_s),
        "parts_ms": {
            "encode_one_document": round(encode_s * 1000, 1),
            "lexical_replace_one": round(lexical_s * 1000, 2),
            "refresh_maps": round(maps_s * 1000, 1),
        },
    }


def search_parts(engine, query: str, repeats: int = 20) -> dict:
    """Where the time of one cached hybrid query goes at this corpus size (evidence for the report)."""
    from gka_match.index.query_terms import expand_abbreviations, read_signals
    from gka_match.index.search import SearchRequest

    expanded = expand_abbreviations(query)
    qv = engine.embedder.encode_query(expanded)
    searcher = searcher_of(engine)
    req = SearchRequest(q=query, k=10)
    out: dict[str, list[float]] = {"dense_faiss": [], "lexical_scores": [], "retrieve": [], "score": [],
                                   "search_core_cached": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine.vectors.search(qv, 100)
        t1 = time.perf_counter()
        engine.lexical.scores(engine.lexical.analyze_query(expanded))
        t2 = time.perf_counter()
        cands = engine.retrieve(query, "hybrid", None, 100)
        t3 = time.perf_counter()
        searcher.ranker.score(query, cands, read_signals(query), "hybrid", searcher.background)
        t4 = time.perf_counter()
        searcher.search(req)
        t5 = time.perf_counter()
        for key, value in zip(out, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            out[key].append(value)
    res = {k: summary_ms(v)["p50_ms"] for k, v in out.items()}
    res["vocabulary_words"] = len(engine.lexical.vocabulary)
    return res


def load_parts(settings, store, embedder) -> dict:
    """What opening a built index costs at this size (the part of a cold start that grows with
    the corpus): checksums, the documents, the lexical arrays, the faiss file; with the
    resident-memory growth of each part."""
    import json

    import psutil

    from gka_match.index.engine import Engine
    from gka_match.index.snapshot import SNAPSHOT_FILES, sha256_file
    from gka_match.index.lexical import LexicalIndex
    from gka_match.index.vector import VectorIndex

    proc = psutil.Process()
    out: dict = {}

    def part(name, fn):
        rss0, t0 = proc.memory_info().rss, time.perf_counter()
        value = fn()
        out[name] = {"s": round(time.perf_counter() - t0, 3),
                     "rss_growth_mb": round((proc.memory_info().rss - rss0) / 2**20, 1)}
        return value

    engine = Engine(settings.index_dir, store, embedder, model_dir=settings.model_dir)
    snap = engine._current_dir()
    part("sha256_all_files", lambda: [sha256_file(snap / n) for n in SNAPSHOT_FILES])
    rows = part("docs_jsonl_parse", lambda: [json.loads(line) for line in (snap / "docs.jsonl").open(encoding="utf-8")])
    lexical = part("lexical_load", lambda: LexicalIndex.load(snap))
    vectors = part("faiss_read", lambda: VectorIndex.load(snap))
    out["snapshot_mb"] = {n: round((snap / n).stat().st_size / 2**20, 1) for n in SNAPSHOT_FILES}
    del rows, lexical, vectors
    fresh = Engine(settings.index_dir, store, embedder, model_dir=settings.model_dir)
    part("engine_load_total", fresh.load)
    del fresh
    return out
