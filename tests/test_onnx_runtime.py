"""The serving runtime: ONNX export verified against sentence-transformers, a tokenizer identical
to ``tokenizers``, no torch in a searching process, and indexes that never mix runtimes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from gka_match.data.bundled import load_bundled
from gka_match.index.embedder import Embedder, choose_model, default_model_path
from gka_match.index.evaluation import load_dev_set
from gka_match.index.onnx_encoder import EmbeddingRows, OnnxEncoder, read_export
from gka_match.index.onnx_export import FP32_MIN_COSINE, export_model
from gka_match.index.unigram import UnigramTokenizer

from .conftest import ROOT, data_env
from .test_model_conversion import SENTENCES

EDGE_CASES = [
    "", " ", "a <s> b", "</s>", "<unk><pad>", "  dubbel  spatie\t\ttab\n", "emoji 😀😀 x",
    "café naïve Ĳssel ﬁ ½ ①", "\u200bzero\u200dwidth", "▁al▁", "x" * 3000, "日本語のテキスト", "\x01\x02ctrl",
]


@pytest.fixture(scope="module")
def folder(model_dir):
    return default_model_path(model_dir)


def _corpus_texts() -> list[str]:
    catalogue, agendas, _ = load_bundled()
    texts = [q.q for q in load_dev_set()] + SENTENCES + EDGE_CASES
    texts += [json.dumps(c.model_dump(), ensure_ascii=False) for c in catalogue]
    texts += [a.aanleiding_en_uitdagingen for a in agendas]
    return texts


def test_unigram_tokenizer_gives_the_ids_of_the_reference_tokenizer(folder):
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    reference.enable_truncation(512)
    ours = UnigramTokenizer.from_file(folder / "tokenizer.json")
    texts = _corpus_texts()
    assert len(texts) > 300
    for text in texts:
        assert ours.ids(text) == reference.encode(text).ids, repr(text[:80])


def test_unigram_batch_pads_and_masks(folder):
    tok = UnigramTokenizer.from_file(folder / "tokenizer.json")
    ids, mask = tok.batch(["kort", "een wat langere zin over voorlezen"])
    assert ids.shape == mask.shape and ids.dtype == np.int64
    assert mask[0].sum() < mask[1].sum() == ids.shape[1]
    assert (ids[0][mask[0] == 0] == tok.pad_id).all()


def test_export_is_verified_and_cached(folder):
    manifest = read_export(folder)
    assert manifest is not None and set(manifest["graphs"]) == {"fp32", "int8"}
    fp32, int8 = manifest["verification"]["fp32"], manifest["verification"]["int8"]
    assert fp32["n"] >= 50 and fp32["min_cosine"] >= FP32_MIN_COSINE
    assert 0.95 < int8["min_cosine"] < 1.0  # reported: quantised, so close but not equal
    again = export_model(folder, ("fp32", "int8"), say=lambda _: None)
    assert again == manifest  # cached: nothing exported twice


def test_onnx_vectors_equal_sentence_transformers_vectors(folder):
    from gka_match.index.st_encoder import SentenceTransformerEncoder

    texts = ["query: " + s for s in SENTENCES[:20]] + ["passage: " + s for s in SENTENCES[20:]]
    reference = SentenceTransformerEncoder(str(folder)).encode(texts)
    onnx = OnnxEncoder(folder, "fp32").encode(texts)
    assert (np.sum(reference * onnx, axis=1) >= FP32_MIN_COSINE).all()


def test_embedding_rows_read_the_table_of_the_weights_file(folder):
    from safetensors.numpy import load_file

    rows = EmbeddingRows.from_safetensors(folder / "model.safetensors")
    table = load_file(str(folder / "model.safetensors"))["embeddings.word_embeddings.weight"]
    ids = np.array([[0, 5, 250001], [5, 5, 17]])
    assert np.array_equal(rows.lookup(ids), table[ids])


def test_a_search_never_imports_torch(seeded_dir, model_dir):
    script = (
        "import sys\n"
        "from gka_match.cli import main\n"
        "main(['search', 'Er wordt veel gepest in groep 7 en 8', '--json', '--k', '3'])\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'tokenizers') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=data_env(seeded_dir, model_dir),
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout), "the search found nothing"
    assert "HEAVY []" in done.stderr


def test_an_index_built_with_another_runtime_is_rebuilt(settings_env, model_dir):
    from gka_match.config import load_settings
    from gka_match.data.store import Store
    from gka_match.index.engine import Engine
    from gka_match.index.snapshot import IndexProblem

    settings = load_settings()
    store = Store(settings.database_url)
    onnx = Engine.open(settings.index_dir, store, Embedder(choose_model("multilingual-e5-small", model_dir)), model_dir=settings.model_dir)
    assert onnx.embedder.runtime == "onnx"
    torch_embedder = Embedder(choose_model("multilingual-e5-small", model_dir, runtime="torch"))
    with pytest.raises(IndexProblem, match="runtime onnx"):
        Engine(settings.index_dir, store, torch_embedder, model_dir=settings.model_dir).load()
    messages: list[str] = []
    rebuilt = Engine.open(settings.index_dir, store, torch_embedder, say=messages.append, model_dir=settings.model_dir)
    assert messages and "opnieuw opgebouwd" in messages[0] and "torch" in messages[0]
    assert rebuilt.snapshot != onnx.snapshot
    manifest = json.loads((rebuilt.index_dir / rebuilt.snapshot / "manifest.json").read_text())
    assert (manifest["runtime"], manifest["precision"]) == ("torch", "fp32")
    int8 = Embedder(choose_model("multilingual-e5-small", model_dir, precision="int8"))
    assert int8.fingerprint not in (onnx.embedder.fingerprint, torch_embedder.fingerprint)
