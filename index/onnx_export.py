"""Prepare time: export the converted e5 model to ONNX and verify it against sentence-transformers.

The graph takes ``inputs_embeds`` (the word-embedding rows, looked up outside the graph by
:class:`.onnx_encoder.EmbeddingRows`) and ``attention_mask``; it holds the rest of the
``BertModel``, mean pooling and L2 normalisation. It is exported with torch's TorchScript
exporter (``dynamo=False``, opset 17, dynamic batch and sequence axes). ``int8`` is ONNX
Runtime's dynamic quantisation of every MatMul (QInt8 weights, per channel); the README's table
shows what it costs and why it is not the default.

The export is cached in ``<model>/onnx`` and redone only when the weights change or when asked.
It is verified on Dutch sentences (the dev queries and the catalogue's descriptions): fp32 must
reach cosine ≥ 0.999 to the reference on every sentence, other precisions are reported.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .e5_convert import PROMPTS
from .embedder import weights_fingerprint
from .onnx_encoder import EXPORT_DIR, EXPORT_MANIFEST, OnnxEncoder, graph_file, read_export

EXPORT_FORMAT = 1
OPSET = 17
MAX_LENGTH = 512
FP32_MIN_COSINE = 0.999


def verification_texts(limit: int = 120) -> list[str]:
    """Prompted Dutch texts from the packaged data: dev queries, then catalogue descriptions."""
    from gka_match.data.bundled import load_bundled
    from gka_match.index.evaluation import load_dev_set

    queries = [PROMPTS["query"] + q.q for q in load_dev_set()]
    catalogue, _, _ = load_bundled()
    passages = [PROMPTS["document"] + f"{c.naam}. {c.korte_omschrijving}" for c in catalogue]
    half = limit // 2
    return queries[:half] + passages[: limit - min(half, len(queries))]


def _export_graph(model_folder: Path, out: Path) -> None:
    import torch
    from transformers import BertModel

    bert = BertModel.from_pretrained(str(model_folder)).eval()

    class PooledEncoder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, inputs_embeds, attention_mask):
            hidden = self.model(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    dim = bert.config.hidden_size
    example = (torch.zeros(2, 8, dim), torch.ones(2, 8, dtype=torch.long))
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about the attention implementation
        torch.onnx.export(
            PooledEncoder(bert), example, str(out), dynamo=False, opset_version=OPSET,
            input_names=["inputs_embeds", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"inputs_embeds": {0: "batch", 1: "sequence"},
                          "attention_mask": {0: "batch", 1: "sequence"}, "embedding": {0: "batch"}},
        )


def _quantize_int8(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])


def compare(reference: np.ndarray, candidate: np.ndarray) -> dict[str, float]:
    cos = np.sum(reference * candidate, axis=1)
    return {"n": int(len(cos)), "min_cosine": round(float(cos.min()), 6), "mean_cosine": round(float(cos.mean()), 6)}


def export_model(model_folder: Path, precisions: tuple[str, ...] = ("fp32",), force: bool = False,
                 say: Callable[[str], None] = print) -> dict:
    """Export (if needed), verify and return the export manifest. Atomic: temp dir + rename."""
    model_folder = Path(model_folder)
    source = weights_fingerprint(str(model_folder))
    current = read_export(model_folder)
    if (current and not force and current.get("format") == EXPORT_FORMAT and current.get("source") == source
            and all(p in current.get("graphs", {}) for p in precisions)):
        return current
    wanted = tuple(dict.fromkeys(("fp32", *precisions)))  # int8 is quantised from the fp32 graph
    work = Path(tempfile.mkdtemp(prefix=".onnx-export-", dir=model_folder))
    try:
        t0 = time.perf_counter()
        _export_graph(model_folder, work / graph_file("fp32"))
        if "int8" in wanted:
            _quantize_int8(work / graph_file("fp32"), work / graph_file("int8"))
        manifest = {
            "format": EXPORT_FORMAT, "source": source, "opset": OPSET, "dim": None, "max_length": MAX_LENGTH,
            "prompts": PROMPTS, "graphs": {p: graph_file(p) for p in wanted},
            "export_seconds": round(time.perf_counter() - t0, 1), "verification": {},
        }
        say(f"ONNX export written in {manifest['export_seconds']} s; verifying against sentence-transformers…")
        texts = verification_texts()
        from .st_encoder import SentenceTransformerEncoder

        reference = SentenceTransformerEncoder(str(model_folder)).encode(texts)
        manifest["dim"] = int(reference.shape[1])
        (work / EXPORT_MANIFEST).write_text(json.dumps(manifest, indent=1))  # what OnnxEncoder reads
        for precision in wanted:
            onnx = OnnxEncoder(model_folder, precision, export_dir=work).encode(texts)
            manifest["verification"][precision] = compare(reference, onnx)
        (work / EXPORT_MANIFEST).write_text(json.dumps(manifest, indent=1))
        fp32 = manifest["verification"]["fp32"]
        if fp32["min_cosine"] < FP32_MIN_COSINE:
            raise RuntimeError(f"The fp32 ONNX export differs from sentence-transformers (lowest cosine "
                               f"{fp32['min_cosine']} < {FP32_MIN_COSINE} on {fp32['n']} sentences); not used.")
        final = model_folder / EXPORT_DIR
        shutil.rmtree(final, ignore_errors=True)
        work.rename(final)
        work = final
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    for precision, result in manifest["verification"].items():
        say(f"ONNX {precision}: cosine to sentence-transformers min {result['min_cosine']}, "
            f"mean {result['mean_cosine']} on {result['n']} Dutch sentences.")
    return manifest


__all__ = ["export_model", "verification_texts", "compare", "FP32_MIN_COSINE"]
