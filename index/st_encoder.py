"""The reference encoder: any sentence-transformers model, run by torch.

It serves every ``GKA_MODEL`` other than the default (and the default with ``GKA_RUNTIME=torch``),
and it is what the ONNX export is verified against. Importing this module does not import torch;
loading a model does.
"""

from __future__ import annotations

import numpy as np


class SentenceTransformerEncoder:
    """Texts in, L2-normalised float32 vectors out; prompts are the caller's business."""

    runtime = "torch"

    def __init__(self, target: str, precision: str = "fp32", threads: int | None = None,
                 allow_download: bool = False):
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(target, device="cpu", local_files_only=not allow_download)
        self.precision = precision
        if precision == "int8":
            self._quantize_int8()
        dim_of = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self.prompts: dict[str, str] = dict(getattr(self.model, "prompts", {}) or {})

    def _quantize_int8(self) -> None:
        """Dynamic int8 linear layers (torch's fbgemm kernels); queries and documents both use it."""
        import warnings

        import torch

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch points to torchao for new code; this API still works
            torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(texts, batch_size=len(texts) or 1, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


__all__ = ["SentenceTransformerEncoder"]
