"""The serving encoder: the default e5 model through ONNX Runtime, with no torch in the process.

Two measured choices (README, "The model, offline"):
- the 250,002 × 384 word-embedding table stays outside the graph. Rows are read with ``pread``
  from the converted model's ``model.safetensors`` and fed as ``inputs_embeds``: only the page
  cache holds the table, not this process (memory-mapping it made the whole table resident,
  because the kernel maps the neighbouring pages of every row it faults in);
- tokenisation is :class:`UnigramTokenizer` (~100 MB less resident than ``tokenizers``).
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

from .unigram import UnigramTokenizer

WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
EXPORT_DIR = "onnx"
EXPORT_MANIFEST = "export.json"
PRECISIONS: tuple[str, ...] = ("fp32", "int8")


def graph_file(precision: str) -> str:
    return f"encoder-{precision}.onnx"


class EmbeddingRows:
    """Rows of a float32 table inside a file, read on demand; thread-safe (positional reads)."""

    def __init__(self, path: Path, offset: int, rows: int, dim: int):
        self._fd = os.open(path, os.O_RDONLY)
        self._offset, self.rows, self.dim = offset, rows, dim
        self._row_bytes = dim * 4

    @classmethod
    def from_safetensors(cls, path: Path, tensor: str = WORD_EMBEDDINGS) -> "EmbeddingRows":
        with open(path, "rb") as f:
            (header_len,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(header_len))
        spec = header.get(tensor)
        if spec is None or spec["dtype"] != "F32" or len(spec["shape"]) != 2:
            raise ValueError(f"{path} holds no float32 matrix {tensor!r}")
        rows, dim = spec["shape"]
        return cls(path, 8 + header_len + spec["data_offsets"][0], rows, dim)

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """``ids`` of any shape → float32 vectors of shape ``ids.shape + (dim,)``."""
        unique, inverse = np.unique(ids, return_inverse=True)
        table = np.empty((len(unique), self.dim), dtype=np.float32)
        for j, token in enumerate(unique.tolist()):
            raw = os.pread(self._fd, self._row_bytes, self._offset + token * self._row_bytes)
            table[j] = np.frombuffer(raw, dtype="<f4")
        return table[inverse.reshape(ids.shape)]

    def close(self) -> None:
        os.close(self._fd)


def read_export(folder: Path, export_dir: Path | None = None) -> dict | None:
    """The export manifest of a converted model folder, or None when it was never exported."""
    path = (export_dir or Path(folder) / EXPORT_DIR) / EXPORT_MANIFEST
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


class OnnxEncoder:
    """Texts in, L2-normalised float32 vectors out (pooling and normalisation are in the graph)."""

    runtime = "onnx"

    def __init__(self, folder: Path, precision: str = "fp32", threads: int | None = None,
                 export_dir: Path | None = None):
        import onnxruntime as ort

        folder = Path(folder)
        export_dir = export_dir or folder / EXPORT_DIR
        manifest = read_export(folder, export_dir)
        if manifest is None or precision not in manifest.get("graphs", {}):
            raise FileNotFoundError(
                f"No ONNX export ({precision}) in {export_dir}; run `gka-match model prepare`"
                + (" --int8" if precision == "int8" else "") + "."
            )
        self.precision = precision
        self.dim = int(manifest["dim"])
        self.prompts: dict[str, str] = dict(manifest["prompts"])
        self._tokenizer = UnigramTokenizer.from_file(folder / "tokenizer.json", max_length=int(manifest["max_length"]))
        self._rows = EmbeddingRows.from_safetensors(folder / "model.safetensors")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(export_dir / graph_file(precision)), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        ids, mask = self._tokenizer.batch(texts)
        feeds = {"inputs_embeds": self._rows.lookup(ids), "attention_mask": mask}
        return self._session.run(["embedding"], feeds)[0].astype(np.float32, copy=False)


__all__ = ["EmbeddingRows", "OnnxEncoder", "PRECISIONS", "read_export"]
