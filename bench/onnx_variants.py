"""The measurements behind the ONNX runtime's design, in one run on this machine.

    .venv/bin/python -m bench.onnx_variants            # everything (~10 min on 2 cores)

1. Memory and latency of ways to hold the 250,002 × 384 word-embedding table, each in a fresh
   process that loads the model and encodes the 87 dev queries one at a time:
   the whole model in one .onnx file; the same with external data; the table outside the graph
   (``inputs_embeds``), memory-mapped as float32 or float16, or read row by row with ``pread``
   (what the engine does); and the tokenizer of ``tokenizers`` against ``UnigramTokenizer``.
2. Quantisation: fp32, dynamic int8 (per channel, every MatMul), dynamic int8 with the feed-forward
   output MatMuls of the last two layers left in fp32 (the most sensitive ones by the cosine to
   fp32), and static QDQ int8 calibrated on the project's own documents; each with dense
   nDCG@10 on the dev set, the lowest cosine to fp32, and query latency.

The fp16 table, the memory-mapped table and the quantised graphs are written to a temporary
folder; nothing of the engine changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import json, mmap, os, sys, time
import numpy as np, psutil
variant, folder, work = sys.argv[1], sys.argv[2], sys.argv[3]
P = psutil.Process()
queries = json.loads(sys.stdin.read())
import onnxruntime as ort
t0 = time.perf_counter()
options = ort.SessionOptions(); options.intra_op_num_threads = len(os.sched_getaffinity(0))
if variant == "tokenizers":
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(folder + "/tokenizer.json"); tok.enable_truncation(512)
    def ids_of(t): return np.asarray([tok.encode(t).ids], np.int64)
else:
    from gka_match.index.unigram import UnigramTokenizer
    tok = UnigramTokenizer.from_file(folder + "/tokenizer.json")
    def ids_of(t): return np.asarray([tok.ids(t)], np.int64)
lookup = None
if variant in ("single-file", "external-data"):
    sess = ort.InferenceSession(work + ("/full.onnx" if variant == "single-file" else "/full_ext.onnx"), options)
    def run(ids): return sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
else:
    sess = ort.InferenceSession(folder + "/onnx/encoder-fp32.onnx", options)
    if variant in ("mmap-fp32", "mmap-fp16"):
        table = np.load(work + ("/we_f16.npy" if variant == "mmap-fp16" else "/we_f32.npy"), mmap_mode="r")
        lookup = lambda ids: np.asarray(table[ids], dtype=np.float32)
    else:
        from gka_match.index.onnx_encoder import EmbeddingRows
        rows = EmbeddingRows.from_safetensors(__import__("pathlib").Path(folder) / "model.safetensors")
        lookup = rows.lookup
    def run(ids): return sess.run(None, {"inputs_embeds": lookup(ids), "attention_mask": np.ones_like(ids)})[0]
run(ids_of("query: warm-up"))
load_s = time.perf_counter() - t0
lat = []
for q in queries:
    t = time.perf_counter(); run(ids_of("query: " + q)); lat.append(time.perf_counter() - t)
print(json.dumps({"variant": variant, "load_s": round(load_s, 2), "p50_ms": round(1000 * float(np.median(lat)), 1),
                  "rss_mb": round(P.memory_info().rss / 2**20)}))
'''


def _export_full(folder: Path, work: Path) -> None:
    """The whole BertModel (with its word embeddings) as one graph, and with external data."""
    import onnx
    import torch
    from transformers import BertModel

    bert = BertModel.from_pretrained(str(folder)).eval()

    class Full(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            h = self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1).clamp(min=1e-9), p=2, dim=1)

    ids = torch.ones(1, 8, dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(Full(bert), (ids, ids), str(work / "full.onnx"), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"}})
    onnx.save_model(onnx.load(str(work / "full.onnx")), str(work / "full_ext.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="full_ext.onnx.data")
    table = bert.embeddings.word_embeddings.weight.detach().numpy()
    np.save(work / "we_f32.npy", table.astype(np.float32))
    np.save(work / "we_f16.npy", table.astype(np.float16))


def memory_variants(folder: Path, work: Path, queries: list[str]) -> list[dict]:
    _export_full(folder, work)
    out = []
    for variant in ("single-file", "external-data", "mmap-fp32", "mmap-fp16", "pread", "tokenizers"):
        done = subprocess.run([sys.executable, "-c", CHILD, variant, str(folder), str(work)], input=json.dumps(queries),
                              capture_output=True, text=True, cwd=ROOT, check=True)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(out[-1], flush=True)
    return out


class _Calibration:
    """Static quantisation's calibration data: the embedding rows of the project's own documents."""

    def __init__(self, texts: list[str], tokenizer, rows):
        self._feeds = iter([{"inputs_embeds": rows.lookup(ids), "attention_mask": mask}
                            for ids, mask in (tokenizer.batch([t]) for t in texts)])

    def get_next(self):
        return next(self._feeds, None)


def quantisation_variants(folder: Path, work: Path) -> list[dict]:
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_dynamic, quantize_static

    from gka_match.data.bundled import load_bundled
    from gka_match.index.documents import build_documents
    from gka_match.index.evaluation import load_queries
    from gka_match.index.onnx_encoder import EmbeddingRows, OnnxEncoder
    from gka_match.index.unigram import UnigramTokenizer

    fp32 = folder / "onnx" / "encoder-fp32.onnx"
    graph = onnx.load(str(fp32))
    matmuls = [n.name for n in graph.graph.node if n.op_type == "MatMul"]
    sensitive = [n for n in matmuls if ("layer.10/output" in n or "layer.11/output" in n) and "attention" not in n]
    tokenizer = UnigramTokenizer.from_file(folder / "tokenizer.json")
    rows = EmbeddingRows.from_safetensors(folder / "model.safetensors")
    catalogue, agendas, _ = load_bundled()
    docs = build_documents(catalogue, agendas)
    calibration = ["passage: " + d.dense_text for d in docs[::4][:80]]
    quantize_dynamic(str(fp32), str(work / "int8.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    quantize_dynamic(str(fp32), str(work / "int8-keep.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=sensitive)
    quantize_static(str(fp32), str(work / "qdq.onnx"), _Calibration(calibration, tokenizer, rows),
                    quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QInt8,
                    weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                    calibrate_method=CalibrationMethod.MinMax)

    queries = load_queries()
    passages = ["passage: " + d.dense_text for d in docs]
    reference = None
    out = []
    for name, path in (("fp32", fp32), ("dynamic int8", work / "int8.onnx"),
                       (f"dynamic int8, {len(sensitive)} last FFN MatMuls in fp32", work / "int8-keep.onnx"),
                       ("static QDQ int8 (calibrated on 80 bundled documents)", work / "qdq.onnx")):
        export = work / f"export-{len(out)}"
        export.mkdir()
        (export / "encoder-fp32.onnx").write_bytes(path.read_bytes())
        manifest = json.loads((folder / "onnx" / "export.json").read_text())
        (export / "export.json").write_text(json.dumps(manifest))
        enc = OnnxEncoder(folder, "fp32", export_dir=export)
        t0 = time.perf_counter()
        doc_vecs = np.vstack([enc.encode(passages[i:i + 16]) for i in range(0, len(passages), 16)])
        docs_per_s = len(passages) / (time.perf_counter() - t0)
        lat, q_vecs = [], []
        for q in queries:
            t = time.perf_counter()
            q_vecs.append(enc.encode(["query: " + q.q])[0])
            lat.append(time.perf_counter() - t)
        q_vecs = np.vstack(q_vecs)
        ndcg = _dense_ndcg(q_vecs, doc_vecs, docs, queries)
        if reference is None:
            reference = doc_vecs
        cos = float(np.min(np.sum(reference * doc_vecs, axis=1)))
        out.append({"variant": name, "dense_ndcg@10": round(ndcg, 4), "min_cos_to_fp32": round(cos, 4),
                    "query_p50_ms": round(1000 * float(np.median(lat)), 1), "docs_per_s": round(docs_per_s, 1),
                    "file_mb": round(path.stat().st_size / 2**20)})
        print(out[-1], flush=True)
    return out


def _dense_ndcg(q_vecs, doc_vecs, docs, queries) -> float:
    """Plain dense ranking (no grouping): the encoder's own quality, comparable across variants."""
    import math

    ids = [d.doc_id for d in docs]
    scores = []
    for q, v in zip(queries, q_vecs):
        top = np.argsort(-(doc_vecs @ v))[:10]
        gains = [q.gain(ids[i]) for i in top]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted((q.gain(d) for d in q.all_relevant), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        scores.append(dcg / idcg if idcg else 0.0)
    return float(np.mean(scores))


def main() -> int:
    from gka_match.config import load_settings
    from gka_match.index.embedder import default_model_path
    from gka_match.index.evaluation import load_queries

    folder = default_model_path(load_settings().model_dir)
    queries = [q.q for q in load_queries()]
    with tempfile.TemporaryDirectory(prefix="gka-onnx-") as tmp:
        work = Path(tmp)
        report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "memory": memory_variants(folder, work, queries),
                  "quantisation": quantisation_variants(folder, work)}
    out = ROOT / "bench" / "results" / "onnx_variants.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
