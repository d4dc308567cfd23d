"""The lab's one model body in PyTorch: token embedding plus positions, a stack of pre-LN
residual layers that differ only in their mixer (softmax-style attention over a dense or sparse
pattern in softmax, saturated or hard mode; linear attention; LSTM; GRU; a selective SSM),
attention layers followed by a GELU MLP, then a final LayerNorm and a linear read-out.

The arithmetic mirrors ``src/models`` of the lab line by line (see each class's docstring for
the file), so that the logits agree with ``lab predict --logits`` to float32 rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

#: Scores closer than this to the row maximum count as maximal (saturated and hard modes).
TIE_TOLERANCE = 1e-5
#: The score a blocked key gets (``attention/mode.rs``).
BLOCKED_SCORE = -1.0e9
#: Keeps linear attention's normaliser away from zero (``attention/linear.rs``).
LINEAR_EPS = 1e-6
#: burn's LayerNorm epsilon.
LN_EPS = 1e-5

ARCHITECTURES = ("standard", "sparse", "linear", "lstm", "gru", "ssm")
MODES = ("softmax", "saturated", "hard")
POSITIONALS = ("none", "learned", "sinusoidal", "rope", "alibi")
#: RoPE's base (``attention/relative.rs``).
ROPE_BASE = 10000.0


@dataclass
class ModelConfig:
    """The ``model`` object of a checkpoint's metadata (``src/models/config.rs``)."""

    architecture: str = "standard"
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    attention: str = "softmax"
    softmax_scale: float = 1.0
    positional: str = "sinusoidal"
    block_size: Optional[int] = None
    state_size: int = 16
    index_shares_position: bool = False
    sparse_window: bool = False
    pairs_share_position: bool = False
    vocab_size: int = 16
    max_len: int = 64
    index_tokens: Optional[dict] = None
    paired: Optional[dict] = None

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        if not isinstance(d, dict):
            raise ValueError("the checkpoint's model config is not a JSON object")
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        config = cls(**known)
        config.validate()
        return config

    def validate(self):
        """The checks of the lab's ``ModelConfig::validate`` (``src/models/config.rs``)."""

        def bad(msg):
            raise ValueError(f"the checkpoint's model config is invalid: {msg}")

        def count(name, value, lo, hi):
            if type(value) is not int or not lo <= value <= hi:
                bad(f"{name} must be an integer between {lo} and {hi}, got {value!r}")

        for name, value, known in (
            ("architecture", self.architecture, ARCHITECTURES),
            ("attention mode", self.attention, MODES),
            ("positional encoding", self.positional, POSITIONALS),
        ):
            if value not in known:
                bad(f"unknown {name} `{value}` (known: {', '.join(known)})")
        count("vocabulary size", self.vocab_size, 2, 1 << 16)
        count("max length", self.max_len, 2, 4096)
        count("width", self.d_model, 4, 1024)
        count("layers", self.n_layers, 1, 12)
        if self.has_attention:
            count("heads", self.n_heads, 1, 64)
            if self.d_model % self.n_heads:
                bad(f"width {self.d_model} is not divisible by the number of heads {self.n_heads}")
        if self.positional in ("rope", "alibi") and self.architecture not in ("standard", "sparse"):
            bad(f"{self.positional} positions need a standard or sparse transformer, not {self.architecture}")
        if self.positional == "rope" and (self.d_model // self.n_heads) % 2:
            bad("RoPE needs an even head dimension")
        if self.block_size is not None:
            count("block size", self.block_size, 1, self.max_len)
        if self.architecture == "ssm":
            count("state size", self.state_size, 1, 64)
        if not (isinstance(self.softmax_scale, (int, float)) and math.isfinite(self.softmax_scale) and self.softmax_scale > 0):
            bad("the softmax scale must be a positive finite number")
        for flag in ("index_shares_position", "sparse_window", "pairs_share_position"):
            if not isinstance(getattr(self, flag), bool):
                bad(f"`{flag}` must be true or false")
        if self.index_shares_position and self.index_tokens is None:
            bad("index tokens share the position code but the task has none")
        if self.index_tokens is not None:
            t = self.index_tokens
            if not isinstance(t, dict):
                bad("`index_tokens` must be an object")
            count("index tokens", t.get("count"), 1, 4096)
            count("first index token", t.get("first"), 0, self.vocab_size)
            if t["first"] + t["count"] > self.vocab_size:
                bad("the index tokens lie outside the vocabulary")
        if self.pairs_share_position and self.paired is None:
            bad("pairs share the position code but the task has no two halves")
        if self.paired is not None:
            if not isinstance(self.paired, dict):
                bad("`paired` must be an object")
            count("pairs", self.paired.get("n"), 1, (self.max_len - 1) // 2)

    @property
    def has_attention(self) -> bool:
        return self.architecture in ("standard", "sparse", "linear")

    @property
    def block(self) -> int:
        """The sparse block size actually used: the configured one or ⌈√max_len⌉."""
        b = self.block_size if self.block_size is not None else math.ceil(math.sqrt(self.max_len))
        return max(int(b), 1)

    @property
    def pattern(self) -> str:
        if self.architecture != "sparse":
            return "dense"
        return "window" if self.sparse_window else "sparse"


def sinusoidal_table(length: int, d: int) -> torch.Tensor:
    """``[length, d]``: ``PE[p, 2i] = sin(p / 10000^(2i/d))``, ``PE[p, 2i+1] = cos(…)``,
    computed in float64 and rounded to float32 as the lab does."""
    p = np.arange(length, dtype=np.float64)[:, None]
    i = np.arange(d)
    freq = 1.0 / np.power(10000.0, (2 * (i // 2)).astype(np.float64) / d)
    angle = p * freq[None, :]
    table = np.where(i % 2 == 0, np.sin(angle), np.cos(angle))
    return torch.from_numpy(table.astype(np.float32))


def rope_tables(positions, dh: int):
    """``(cos, sin)``, each ``[len(positions), dh/2]``: the angle of position ``p`` and pair
    ``k`` is ``p / 10000^(2k/dh)`` (float64, rounded to float32, as the lab)."""
    p = np.asarray(positions, dtype=np.float64)[:, None]
    k = np.arange(dh // 2, dtype=np.float64)[None, :]
    angle = p / np.power(ROPE_BASE, 2 * k / dh)
    return torch.from_numpy(np.cos(angle).astype(np.float32)), torch.from_numpy(np.sin(angle).astype(np.float32))


def rotate(x: torch.Tensor, positions) -> torch.Tensor:
    """RoPE on ``x: [B, H, T, dh]`` (the GPT-NeoX layout: dimension ``k`` pairs with ``k + dh/2``)."""
    dh = x.shape[-1]
    cos, sin = (t.to(x.device, x.dtype) for t in rope_tables(positions, dh))
    first, second = x[..., : dh // 2], x[..., dh // 2 :]
    return torch.cat([first * cos - second * sin, second * cos + first * sin], dim=-1)


def alibi_slopes(n_heads: int) -> list:
    """Head ``h``'s slope ``2^(−8(h+1)/H)``."""
    return [2.0 ** (-8.0 * (h + 1) / n_heads) for h in range(n_heads)]


def alibi_bias(n_heads: int, t: int) -> torch.Tensor:
    """``[1, H, T, T]``: ``−m_h (i − j)`` for ``j ≤ i``, zero above the diagonal."""
    i = np.arange(t, dtype=np.float64)[:, None]
    j = np.arange(t, dtype=np.float64)[None, :]
    distance = np.maximum(i - j, 0.0)
    bias = np.stack([-m * distance for m in alibi_slopes(n_heads)]).astype(np.float32)
    return torch.from_numpy(bias)[None]


def allowed(pattern: str, block: int, t: int) -> torch.Tensor:
    """``[t, t]`` booleans: may query ``i`` read key ``j`` (``attention/mask.rs``)."""
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    causal = j <= i
    if pattern == "dense":
        return causal
    block_end = (j % block) == block - 1
    if pattern == "sparse":
        return causal & ((j // block == i // block) | block_end)
    return causal & (((i - j) < block) | block_end)


def _heads(y: torch.Tensor, h: int) -> torch.Tensor:
    b, t, d = y.shape
    return y.reshape(b, t, h, d // h).transpose(1, 2)


def _merge(y: torch.Tensor) -> torch.Tensor:
    b, h, t, dh = y.shape
    return y.transpose(1, 2).reshape(b, t, h * dh)


def mode_weights(scores: torch.Tensor, mode: str, scale: float) -> torch.Tensor:
    """Scores (blocked keys already at ``BLOCKED_SCORE``) → weights (``attention/mode.rs``)."""
    if mode == "softmax":
        return torch.softmax(scores * scale, dim=-1)
    maximal = scores >= (scores.amax(dim=-1, keepdim=True) - TIE_TOLERANCE)
    if mode == "saturated":
        m = maximal.to(scores.dtype)
        return m / m.sum(dim=-1, keepdim=True)
    # Hard: all weight on the leftmost maximal score.
    first = maximal.to(torch.int8).argmax(dim=-1)
    return F.one_hot(first, scores.shape[-1]).to(scores.dtype)


class SoftmaxAttention(nn.Module):
    """Causal multi-head softmax-style attention, dense or sparse (``attention/softmax.rs``)."""

    def __init__(self, d: int, h: int, pattern: str, block: int, mode: str, scale: float, positional: str = "none"):
        super().__init__()
        self.query, self.key, self.value, self.output = (nn.Linear(d, d) for _ in range(4))
        self.n_heads, self.pattern, self.block, self.mode, self.scale = h, pattern, block, mode, scale
        self.positional = positional

    def forward(self, x: torch.Tensor):
        t = x.shape[1]
        q, k, v = (_heads(p(x), self.n_heads) for p in (self.query, self.key, self.value))
        if self.positional == "rope":
            q, k = rotate(q, range(t)), rotate(k, range(t))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        if self.positional == "alibi":
            scores = scores + alibi_bias(self.n_heads, t).to(scores.device, scores.dtype)
        blocked = ~allowed(self.pattern, self.block, t).to(x.device)
        scores = scores.masked_fill(blocked, BLOCKED_SCORE)
        w = mode_weights(scores, self.mode, self.scale)
        return self.output(_merge(w @ v)), w


class LinearAttention(nn.Module):
    """Causal linear attention with φ(x) = elu(x) + 1 (``attention/linear.rs``)."""

    def __init__(self, d: int, h: int):
        super().__init__()
        self.query, self.key, self.value, self.output = (nn.Linear(d, d) for _ in range(4))
        self.n_heads = h

    def forward(self, x: torch.Tensor):
        t = x.shape[1]
        q, k, v = (_heads(p(x), self.n_heads) for p in (self.query, self.key, self.value))
        q, k = F.elu(q) + 1.0, F.elu(k) + 1.0
        a = (q @ k.transpose(-1, -2)).masked_fill(~allowed("dense", 1, t).to(x.device), 0.0)
        w = a / (a.sum(dim=-1, keepdim=True) + LINEAR_EPS)
        return self.output(_merge(w @ v)), w


class Lstm(nn.Module):
    """``[i, f, g, o] = x W_x + b + h W_h`` (``recurrent/lstm.rs``)."""

    def __init__(self, d: int):
        super().__init__()
        self.input = nn.Linear(d, 4 * d)
        self.hidden = nn.Linear(d, 4 * d, bias=False)
        self.d = d

    def forward(self, x: torch.Tensor):
        b, t, d = x.shape
        gates_x = self.input(x)
        h = x.new_zeros(b, d)
        c = x.new_zeros(b, d)
        outs, cells = [], []
        for s in range(t):
            i, f, g, o = (gates_x[:, s] + self.hidden(h)).split(d, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outs.append(h)
            cells.append(c)
        return torch.stack(outs, 1), torch.stack(cells, 1)


class Gru(nn.Module):
    """``r, z = σ(…)``, ``n = tanh(x_n + r (h W_n + b_n))``, ``h' = (1 − z) n + z h``
    (``recurrent/gru.rs``)."""

    def __init__(self, d: int):
        super().__init__()
        self.input = nn.Linear(d, 3 * d)
        self.hidden = nn.Linear(d, 3 * d)
        self.d = d

    def forward(self, x: torch.Tensor):
        b, t, d = x.shape
        gates_x = self.input(x)
        h = x.new_zeros(b, d)
        outs = []
        for s in range(t):
            xr, xz, xn = gates_x[:, s].split(d, dim=-1)
            hr, hz, hn = self.hidden(h).split(d, dim=-1)
            r = torch.sigmoid(xr + hr)
            z = torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = (1.0 - z) * n + z * h
            outs.append(h)
        y = torch.stack(outs, 1)
        return y, y


class Ssm(nn.Module):
    """The selective SSM (``recurrent/ssm.rs``): ``h_t = exp(Δ_t A) ⊙ h_{t−1} + (Δ_t x_t) B_tᵀ``,
    ``y_t = h_t C_t + D x_t``, ``out = W_out (y ⊙ silu(z))``, ``[x, z] = W_in u``."""

    def __init__(self, d: int, inner: int, state: int):
        super().__init__()
        self.in_proj = nn.Linear(d, 2 * inner)
        self.dt_proj = nn.Linear(inner, inner)
        self.b_proj = nn.Linear(inner, state)
        self.c_proj = nn.Linear(inner, state)
        self.a_log = nn.Parameter(torch.zeros(inner, state))
        self.d_skip = nn.Parameter(torch.ones(inner))
        self.out_proj = nn.Linear(inner, d)
        self.inner, self.state = inner, state

    def forward(self, u: torch.Tensor):
        b, t, _ = u.shape
        x, z = self.in_proj(u).split(self.inner, dim=-1)
        dt = F.softplus(self.dt_proj(x))
        bs, cs = self.b_proj(x), self.c_proj(x)
        a = -torch.exp(self.a_log)[None]
        h = u.new_zeros(b, self.inner, self.state)
        ys, states = [], []
        for s in range(t):
            xs, dts = x[:, s], dt[:, s]
            h = torch.exp(dts[:, :, None] * a) * h + (dts * xs)[:, :, None] * bs[:, s][:, None, :]
            ys.append((h * cs[:, s][:, None, :]).sum(-1) + xs * self.d_skip[None])
            states.append(h)
        return self.out_proj(torch.stack(ys, 1) * F.silu(z)), torch.stack(states, 1)


class Mlp(nn.Module):
    """``x + W₂ GELU(W₁ LN(x))``, hidden width 4d, exact GELU (``mlp.rs``)."""

    def __init__(self, d: int):
        super().__init__()
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.up = nn.Linear(d, 4 * d)
        self.down = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.down(F.gelu(self.up(self.norm(x))))


class Layer(nn.Module):
    """``x + Mixer(LN(x))``, then the MLP for attention mixers (``layer.rs``)."""

    def __init__(self, config: ModelConfig, mode: str):
        super().__init__()
        d, h = config.d_model, config.n_heads
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        arch = config.architecture
        if arch in ("standard", "sparse"):
            self.mixer = SoftmaxAttention(
                d, h, config.pattern, config.block, mode, config.softmax_scale, config.positional
            )
        elif arch == "linear":
            self.mixer = LinearAttention(d, h)
        elif arch == "lstm":
            self.mixer = Lstm(d)
        elif arch == "gru":
            self.mixer = Gru(d)
        else:
            self.mixer = Ssm(d, 2 * d, config.state_size)
        self.mlp = Mlp(d) if config.has_attention else None

    def forward(self, x):
        mixed, inside = self.mixer(self.norm(x))
        x = x + mixed
        return (self.mlp(x) if self.mlp is not None else x), inside


class LabModel(nn.Module):
    """A checkpoint's model (``model.rs``). ``forward(tokens)`` → logits ``[B, T, vocab]``;
    ``run_with_trace(tokens)`` also returns each layer's attention weights ``[B, H, T, T]`` (or
    recurrent states) and residual stream."""

    def __init__(self, config: ModelConfig, vocabulary=None, meta=None, mode: Optional[str] = None):
        super().__init__()
        self.config = config
        self.mode = mode or config.attention
        if self.mode not in MODES:
            raise ValueError(f"unknown attention mode `{self.mode}` (known: {', '.join(MODES)})")
        self.vocabulary = list(vocabulary) if vocabulary is not None else None
        self.meta = meta or {}
        d = config.d_model
        self.embedding = nn.Embedding(config.vocab_size, d)
        self.positions = nn.Embedding(config.max_len, d) if config.positional == "learned" else None
        self.layers = nn.ModuleList(Layer(config, self.mode) for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.head = nn.Linear(d, config.vocab_size)
        self._index = {t: i for i, t in enumerate(self.vocabulary or [])}

    # -- positions -------------------------------------------------------------------------
    def _codes(self, positions: torch.Tensor, count: int) -> torch.Tensor:
        """The position code of each entry of ``positions`` (in ``0..count``): a row of the
        learned table (clamped to it), else the sinusoidal code (also without positions)."""
        if self.positions is not None:
            return self.positions(positions.clamp(0, self.config.max_len - 1))
        table = sinusoidal_table(count, self.config.d_model).to(positions.device)
        return table[positions.clamp(0, count - 1)]

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token embeddings with the index-token and pair codes, then the positions."""
        b, t = tokens.shape
        x = self.embedding(tokens)
        # Applied whenever the config names them, as the lab does (it sets them only with the flags).
        paired = self.config.paired
        if paired:
            n = int(paired["n"])
            p = torch.arange(t, device=tokens.device)
            pair = torch.where(p < n, p, torch.where((p > n) & (p <= 2 * n), p - n - 1, torch.zeros_like(p)))
            mask = ((p < n) | ((p > n) & (p <= 2 * n))).to(x.dtype)
            x = x + (self._codes(pair, n) * mask[:, None])[None]
        index = self.config.index_tokens
        if index:
            first, count = int(index["first"]), int(index["count"])
            offset = tokens - first
            is_index = ((offset >= 0) & (offset < count)).to(x.dtype)
            x = x + self._codes(offset, count) * is_index[..., None]
        if self.config.positional == "learned":
            x = x + self.positions(torch.arange(t, device=tokens.device))[None]
        elif self.config.positional == "sinusoidal":
            x = x + sinusoidal_table(t, self.config.d_model).to(x.device)[None]
        return x

    # -- forward ---------------------------------------------------------------------------
    def _as_batch(self, tokens) -> torch.Tensor:
        if isinstance(tokens, str):
            tokens = self.encode(tokens)
        tokens = torch.as_tensor(tokens, dtype=torch.long, device=self.embedding.weight.device)
        if tokens.dim() == 1:
            tokens = tokens[None]
        if tokens.dim() != 2:
            raise ValueError(f"tokens must be [T] or [B, T], got shape {list(tokens.shape)}")
        if tokens.shape[1] > self.config.max_len:
            raise ValueError(f"{tokens.shape[1]} tokens but the model's context is {self.config.max_len}")
        if tokens.numel() and (tokens.min() < 0 or tokens.max() >= self.config.vocab_size):
            raise ValueError(f"token ids must be in 0..{self.config.vocab_size}")
        return tokens

    def run_with_trace(self, tokens):
        """(logits ``[B, T, V]``, per layer: attention weights ``[B, H, T, T]`` or the recurrent
        states ``[B, T, …]``, per layer: the residual stream after it ``[B, T, d]``)."""
        x = self.embed(self._as_batch(tokens))
        insides, residuals = [], []
        for layer in self.layers:
            x, inside = layer(x)
            insides.append(inside)
            residuals.append(x)
        return self.head(self.norm(x)), insides, residuals

    def forward(self, tokens) -> torch.Tensor:
        return self.run_with_trace(tokens)[0]

    # -- text ------------------------------------------------------------------------------
    def encode(self, text: str) -> list:
        """Space-separated token texts → ids (the checkpoint's vocabulary)."""
        if self.vocabulary is None:
            raise ValueError("this model has no vocabulary")
        ids = []
        for token in text.split():
            if token not in self._index:
                raise ValueError(f"unknown token `{token}` (not in the checkpoint's vocabulary)")
            ids.append(self._index[token])
        return ids

    def decode(self, ids) -> str:
        vocab = self.vocabulary or []
        return " ".join(vocab[i] if 0 <= i < len(vocab) else "?" for i in (int(i) for i in ids))

    @torch.no_grad()
    def generate(self, prompt, new_tokens: int) -> list:
        """The prompt and ``new_tokens`` greedy tokens after it (ids)."""
        ids = list(prompt if not isinstance(prompt, str) else self.encode(prompt))
        if not ids:
            raise ValueError("the prompt is empty")
        if len(ids) + new_tokens > self.config.max_len:
            raise ValueError(
                f"the prompt and its completion take {len(ids) + new_tokens} tokens but the model's context is {self.config.max_len}"
            )
        for _ in range(new_tokens):
            logits = self.forward([ids])
            ids.append(int(logits[0, -1].argmax()))
        return ids


def _torch_name(name: str) -> str:
    """Our tensor name → the module's parameter name."""
    parts = name.split(".")
    if parts[:2] == ["positions", "learned"]:
        parts = ["positions"] + parts[2:]
    # `layers.N.mixer.<Variant>.[projections.]…`: the variant and the projections holder go.
    if len(parts) > 3 and parts[0] == "layers" and parts[2] == "mixer":
        rest = parts[4:]
        if rest and rest[0] == "projections":
            rest = rest[1:]
        parts = parts[:3] + rest
    if parts[-1] == "gamma":
        parts[-1] = "weight"
    elif parts[-1] == "beta":
        parts[-1] = "bias"
    return ".".join(parts)


def state_dict_from(tensors: dict, model: LabModel) -> dict:
    """Our tensors (burn's layout) → the module's state dict: a linear layer's weight is
    transposed (burn stores ``[d_in, d_out]``, PyTorch ``[d_out, d_in]``)."""
    linear = {n for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    out = {}
    for name, array in tensors.items():
        target = _torch_name(name)
        value = torch.from_numpy(np.ascontiguousarray(array))
        owner, _, leaf = target.rpartition(".")
        if owner in linear and leaf == "weight":
            value = value.t().contiguous()
        out[target] = value
    return out
