"""Reading the lab's checkpoints: one safetensors file whose header metadata holds the JSON of
the run (key ``expressivity_lab``) and whose tensors are the weights, named by their path in the
lab's model (``layers.N.mixer.Softmax.projections.query.weight``, burn's layout: a linear
layer's weight is ``[d_in, d_out]``).

Everything is checked before a weight is used, as the lab's own loader does: the container, the
format tag, every tensor's dtype, shape, bounds and finiteness, and the checksum (FNV-1a 64 over
the metadata's JSON with the checksum field empty, then every tensor's name and bytes in name
order; format v1: over the tensors only). Format v1 names the tensors after the two model
bodies of that version; they are renamed to the current names after the check.
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
from dataclasses import dataclass, field

import numpy as np

FORMAT = "expressivity-lab/checkpoint-v3"
FORMAT_V2 = "expressivity-lab/checkpoint-v2"
FORMAT_V1 = "expressivity-lab/checkpoint-v1"
FORMATS = (FORMAT, FORMAT_V2, FORMAT_V1)
META_KEY = "expressivity_lab"
OPTIMIZER_TENSOR = "__resume__.optimizer"
#: Files larger than this are refused before reading (the lab's own limit).
MAX_BYTES = 256 << 20

_DTYPE_SIZES = {"F32": 4, "U8": 1, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4}


class CheckpointError(ValueError):
    """A file that is not a checkpoint this package can load; the message says why."""


@dataclass
class RawTensor:
    dtype: str
    shape: list
    data: bytes


@dataclass
class Checkpoint:
    """A verified checkpoint: its metadata and its weights (float32 arrays, current names)."""

    meta: dict
    tensors: dict = field(default_factory=dict)

    @property
    def model_config(self) -> dict:
        return self.meta["model"]

    @property
    def vocabulary(self) -> list:
        return list(self.meta["vocabulary"])

    @property
    def task(self) -> dict:
        return self.meta["train"]["task"]


def read_bytes(path) -> bytes:
    """The bytes of a regular file of at most ``MAX_BYTES`` (a device, a pipe or a folder is
    refused without reading it)."""
    try:
        info = os.stat(path)
    except OSError as e:
        raise CheckpointError(f"{path}: {e.strerror or e}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CheckpointError(f"{path}: not a regular file")
    if info.st_size == 0:
        raise CheckpointError(f"{path}: the file is empty")
    if info.st_size > MAX_BYTES:
        raise CheckpointError(
            f"{path}: the file is {info.st_size} bytes; checkpoints larger than {MAX_BYTES} bytes are refused"
        )
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CheckpointError(f"{path}: the file grew past {MAX_BYTES} bytes while being read")
    return data


def parse(data: bytes) -> tuple:
    """The metadata JSON text and the tensors of a safetensors file, bounds checked."""
    if len(data) < 8:
        raise CheckpointError("not a safetensors file (or truncated): shorter than its header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8 or n > 100_000_000:
        raise CheckpointError("not a safetensors file (or truncated): the header runs past the end")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise CheckpointError(f"not a safetensors file (or corrupted): its header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointError("not a safetensors file: its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    text = metadata.get(META_KEY) if isinstance(metadata, dict) else None
    if not isinstance(text, str):
        raise CheckpointError(
            f"this safetensors file has no Expressivity Lab metadata (key `{META_KEY}`); was it written by another program?"
        )
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        try:
            dtype, shape, (begin, end) = info["dtype"], list(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise CheckpointError(f"tensor `{name}`: malformed entry in the header") from None
        if not isinstance(dtype, str) or dtype not in _DTYPE_SIZES:
            raise CheckpointError(f"tensor `{name}` has dtype {dtype}, expected F32")
        if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
            raise CheckpointError(f"tensor `{name}` has an invalid shape {shape}")
        # Python integers: no overflow, however large a dimension the header claims.
        count = math.prod(shape)
        if count * _DTYPE_SIZES[dtype] > len(body):
            raise CheckpointError(f"tensor `{name}` of shape {shape} does not fit in the file")
        if not (type(begin) is int and type(end) is int and 0 <= begin <= end <= len(body)):
            raise CheckpointError(f"tensor `{name}`: its bytes lie outside the file (truncated?)")
        if end - begin != count * _DTYPE_SIZES[dtype]:
            raise CheckpointError(f"tensor `{name}`: {end - begin} bytes for shape {shape} of {dtype}")
        tensors[name] = RawTensor(dtype, shape, bytes(body[begin:end]))
    return text, tensors


class _Fnv1a64:
    def __init__(self):
        self.h = 0xCBF29CE484222325

    def feed(self, data: bytes):
        # Sequential by nature; plain Python hashes about 10 MB a second, enough for the lab's
        # models (a gallery model is under 1 MB).
        h = self.h
        for b in data:
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        self.h = h

    def item(self, name: str, data: bytes):
        self.feed(name.encode("utf-8"))
        self.feed(b"\0")
        self.feed(data)

    def hex(self) -> str:
        return f"{self.h:016x}"


def _fnv_items(items) -> str:
    """FNV-1a 64 over (name, zero byte, data) items."""
    h = _Fnv1a64()
    for name, data in items:
        h.item(name, data)
    return h.hex()


def _checksum_field(meta: dict) -> str:
    return "weights_fnv1a64" if "weights_fnv1a64" in meta and "fnv1a64" not in meta else "fnv1a64"


def _unsigned_json(text: str, key: str, stored: str) -> str:
    """The metadata's JSON with its checksum field empty: the text the lab hashed. The lab
    writes the same struct twice (checksum empty, then filled), so the two texts differ only
    in that field's value."""
    needle = json.dumps(key) + ":" + json.dumps(stored)
    if text.count(needle) != 1:
        raise CheckpointError("the checkpoint's metadata is not valid: its checksum field cannot be located")
    return text.replace(needle, json.dumps(key) + ':""', 1)


def v1_name(old: str):
    """The current name of a format-v1 tensor (the two bodies' paths mapped onto the one body's),
    or ``None``."""
    if old.startswith("Transformer."):
        rest = old[len("Transformer.") :]
        if not rest.startswith("blocks."):
            return rest
        n, _, part = rest[len("blocks.") :].partition(".")
        if not part:
            return None
        if part.startswith("norm_attn."):
            part = "norm." + part[len("norm_attn.") :]
        elif part.startswith("norm_mlp."):
            part = "mlp.norm." + part[len("norm_mlp.") :]
        elif part.startswith("up.") or part.startswith("down."):
            part = "mlp." + part
        elif not part.startswith("mixer."):
            return None
        return f"layers.{n}.{part}"
    if not old.startswith("Recurrent."):
        return None
    rest = old[len("Recurrent.") :]
    if not rest.startswith("layers."):
        return rest
    n, _, part = rest[len("layers.") :].partition(".")
    if not part:
        return None
    if part.startswith("core."):
        part = "mixer." + part[len("core.") :]
    return f"layers.{n}.{part}"


def load_checkpoint(path) -> Checkpoint:
    """Read, check and decode a checkpoint file (any format the lab reads)."""
    return load_bytes(read_bytes(path), name=str(path))


def load_bytes(data: bytes, name: str = "checkpoint") -> Checkpoint:
    try:
        return _load(data)
    except CheckpointError as e:
        raise CheckpointError(f"{name}: {e}") from None


def _load(data: bytes) -> Checkpoint:
    text, raw = parse(data)
    try:
        meta = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise CheckpointError(f"the checkpoint's metadata is not valid: {e}") from None
    if not isinstance(meta, dict):
        raise CheckpointError("the checkpoint's metadata is not a JSON object")
    fmt = meta.get("format")
    if fmt not in FORMATS:
        raise CheckpointError(f"unsupported checkpoint format `{fmt}` (this version reads {', '.join(FORMATS)})")
    if not isinstance(meta.get("model"), dict):
        raise CheckpointError("the checkpoint's metadata is not valid: no `model` object")
    vocabulary = meta.get("vocabulary")
    if not (isinstance(vocabulary, list) and all(isinstance(t, str) for t in vocabulary)):
        raise CheckpointError("the checkpoint's metadata is not valid: `vocabulary` is not a list of token texts")
    task = meta.get("train", {}).get("task") if isinstance(meta.get("train"), dict) else None
    if not (isinstance(task, dict) and isinstance(task.get("task"), str) and type(task.get("size")) is int):
        raise CheckpointError("the checkpoint's metadata is not valid: no `train.task` with a name and a size")
    key = _checksum_field(meta)
    stored = meta.get(key)
    if not isinstance(stored, str):
        raise CheckpointError("the checkpoint's metadata is not valid: no checksum")
    items = sorted(raw.items(), key=lambda kv: kv[0].encode("utf-8"))
    if fmt == FORMAT_V1:
        computed = _fnv_items((n, t.data) for n, t in items)
    else:
        computed = _fnv_items([(META_KEY, _unsigned_json(text, key, stored).encode("utf-8"))] + [(n, t.data) for n, t in items])
    if computed != stored:
        raise CheckpointError(
            f"the checksum does not match (stored {stored}, computed {computed}): the file is corrupted or its metadata was edited"
        )
    optimizer = raw.get(OPTIMIZER_TENSOR)
    fits = optimizer is None or (optimizer.dtype == "U8" and len(optimizer.shape) == 1)
    if (optimizer is not None) != (meta.get("resume") is not None) or not fits:
        raise CheckpointError(
            f"tensor `{OPTIMIZER_TENSOR}` must be one dimension of U8 and come with the metadata's `resume`"
        )
    tensors = {}
    for name, t in raw.items():
        if name == OPTIMIZER_TENSOR:
            continue
        if fmt == FORMAT_V1:
            new = v1_name(name)
            if new is None:
                raise CheckpointError(f"unexpected tensor `{name}` (not a parameter of this model)")
            name = new
        if t.dtype != "F32":
            raise CheckpointError(f"tensor `{name}` has dtype {t.dtype}, expected F32")
        array = np.frombuffer(t.data, dtype="<f4").reshape(t.shape).astype(np.float32)
        if not np.isfinite(array).all():
            raise CheckpointError(f"tensor `{name}` contains NaN or infinite values")
        tensors[name] = array
    return Checkpoint(meta=meta, tensors=tensors)
