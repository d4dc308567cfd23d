"""PyTorch speed reference for `lab bench train` and `lab bench decode`: the same models, run
the same way, on the same machine (CPU).

Model (mirrors src/models/model.rs, layer.rs, mixer.rs, mlp.rs, positional.rs): token embedding
+ sinusoidal positions (every architecture, recurrent ones included), a stack of pre-LayerNorm
residual layers `x + Mixer(LN(x))`, followed for attention mixers (only) by the 4x GELU MLP
`x + W2 GELU(W1 LN(x))`, then a final LayerNorm and a linear read-out. Mixers:
  standard  causal multi-head softmax attention (q, k, v, o projections with bias), written out
            (scores, mask, softmax) like ours; --fused uses F.scaled_dot_product_attention
  linear    causal linear attention, phi(x) = elu(x) + 1 (parallel form to train, recurrent to decode)
  lstm      nn.LSTM(d, d, batch_first=True): PyTorch's fused cell and whole-sequence input
            projection (ours: gates [i, f, g, o] = W_x x + b + W_h h, the same order and cell)
  gru       nn.GRU(d, d, batch_first=True) (ours: [r, z, n], n = tanh(W_xn x + b + r (W_hn h + b_h)),
            h' = (1 - z) n + z h: the same cell as PyTorch's, biases included)
Training: cross-entropy on the CoT and answer positions only, and like ours (`forward_at`) the
last layer and the read-out compute only those positions (the other positions' queries, MLP and
logits feed no loss), AdamW (weight decay 0.01) with
gradient-norm clipping at 1.0 (burn clips each parameter's gradient separately; this does the
same). Random token batches of the task's vocabulary and length: data generation is not what is
measured (it is cheap in both).

    ~/.cache/expressivity-lab/python-venv/bin/python benches/reference_pytorch.py --vocab 104 --seq 103 --prompt 52
    ~/.cache/expressivity-lab/python-venv/bin/python benches/reference_pytorch.py --arch lstm --vocab 104 --seq 103 --prompt 52
    ~/.cache/expressivity-lab/python-venv/bin/python benches/reference_pytorch.py --decode

Training prints one line: `pytorch V threads N arch A: tokens/s N (ms/step M)`.
--decode prints one line per architecture (vocab 32, batch 1, like `lab bench decode`):
`pytorch-decode standard t=64 0.341 t=256 0.402 t=1024 0.487` (ms per token).
`scripts/bench` runs both next to ours.
"""

import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal(length, d):
    """`[length, d]`: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...)."""
    pos = torch.arange(length).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    table = torch.zeros(length, d)
    table[:, 0::2] = torch.sin(pos * div)
    table[:, 1::2] = torch.cos(pos * div)
    return table


def phi(x):
    return F.elu(x) + 1.0


class Block(nn.Module):
    """A pre-LN attention layer with its MLP: `x + Attn(LN(x))`, then `x + MLP(LN(x))`."""

    def __init__(self, d, heads, linear=False):
        super().__init__()
        self.heads = heads
        self.linear = linear
        self.norm_attn = nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.norm_mlp = nn.LayerNorm(d)
        self.up = nn.Linear(d, 4 * d)
        self.down = nn.Linear(4 * d, d)

    def split(self, y):
        b, t, d = y.shape
        return y.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def mlp(self, x):
        return x + self.down(F.gelu(self.up(self.norm_mlp(x))))

    def forward(self, x, mask, rows=None):
        """`rows`: only these positions' outputs (the queries there, the MLP on them)."""
        if rows is not None:
            x_rows, mask = x[:, rows], mask[rows]
        else:
            x_rows = x
        b, t, d = x_rows.shape
        h = self.norm_attn(x)
        q = self.split(self.q(h if rows is None else h[:, rows]))
        k, v = self.split(self.k(h)), self.split(self.v(h))
        # Written out (scores, mask, softmax) like ours rather than F.scaled_dot_product_attention,
        # so both sides do the same arithmetic; --fused uses the fused kernel instead.
        if self.linear:
            # The parallel form of linear.rs: causal phi(q) phi(k)^T, rows normalised.
            w = (phi(q) @ phi(k).transpose(-2, -1)).masked_fill(mask, 0.0)
            a = (w / (w.sum(-1, keepdim=True) + 1e-6)) @ v
        elif ARGS.fused:
            causal = {"is_causal": True} if rows is None else {"attn_mask": ~mask}
            a = F.scaled_dot_product_attention(q, k, v, **causal)
        else:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
            a = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x_rows + self.o(a.transpose(1, 2).reshape(b, t, d))
        return self.mlp(x)

    def empty_state(self, batch, d):
        if not self.linear:
            return None  # the KV cache starts empty: grown with torch.cat below
        dh = d // self.heads
        return (torch.zeros(batch, self.heads, dh, dh), torch.zeros(batch, self.heads, 1, dh))

    def step(self, x, state):
        """One token `[B, 1, d]` → (`[B, 1, d]`, the new state).

        Softmax attention: the incremental decoder a PyTorch user writes, a per-layer (k, v)
        cache grown with torch.cat every token (the copy grows with the position; ours writes
        in place into a doubling buffer). Linear attention: S += phi(k)^T v, z += phi(k),
        out = phi(q) S / (phi(q) . z + 1e-6), as src/models/attention/linear.rs.
        """
        b, _, d = x.shape
        h = self.norm_attn(x)
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        if self.linear:
            s, z = state
            q, k = phi(q), phi(k)
            s = s + k.transpose(-2, -1) @ v
            z = z + k
            den = (q * z).sum(-1, keepdim=True) + 1e-6
            a, state = (q @ s) / den, (s, z)
        else:
            if state is not None:
                k = torch.cat([state[0], k], dim=2)
                v = torch.cat([state[1], v], dim=2)
            state = (k, v)
            if ARGS.fused:
                a = F.scaled_dot_product_attention(q, k, v)
            else:
                scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
                a = scores.softmax(-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, 1, d))
        return self.mlp(x), state


class Recurrent(nn.Module):
    """A pre-LN recurrent layer, no MLP: `x + RNN(LN(x))` with nn.LSTM or nn.GRU."""

    def __init__(self, d, kind):
        super().__init__()
        self.kind = kind
        self.norm = nn.LayerNorm(d)
        cell = nn.LSTM if kind == "lstm" else nn.GRU
        self.rnn = cell(d, d, batch_first=True)

    def forward(self, x, mask, rows=None):
        y = x + self.rnn(self.norm(x))[0]
        return y if rows is None else y[:, rows]

    def empty_state(self, batch, d):
        zeros = torch.zeros(1, batch, d)
        return (zeros, zeros.clone()) if self.kind == "lstm" else zeros

    def step(self, x, state):
        y, state = self.rnn(self.norm(x), state)
        return x + y, state


class Model(nn.Module):
    def __init__(self, arch, vocab, seq, d, layers, heads):
        super().__init__()
        self.d = d
        self.embed = nn.Embedding(vocab, d)
        self.register_buffer("positions", sinusoidal(seq, d))

        def layer():
            if arch in ("lstm", "gru"):
                return Recurrent(d, arch)
            return Block(d, heads, linear=arch == "linear")

        self.blocks = nn.ModuleList(layer() for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        self.register_buffer("mask", torch.triu(torch.ones(seq, seq, dtype=torch.bool), 1))

    def forward(self, tokens, rows=None):
        """Logits at every position, or at `rows` only (the last layer computes just those)."""
        t = tokens.shape[1]
        x = self.embed(tokens) + self.positions[:t]
        for i, block in enumerate(self.blocks):
            last = i == len(self.blocks) - 1
            x = block(x, self.mask[:t, :t], rows if last else None)
        return self.head(self.norm(x))

    def empty_cache(self, batch):
        return [block.empty_state(batch, self.d) for block in self.blocks]

    def step(self, tokens, position, cache):
        """`tokens: [B]` at `position` → logits `[B, V]`; `cache` is updated in place."""
        x = self.embed(tokens).unsqueeze(1) + self.positions[position]
        for i, block in enumerate(self.blocks):
            x, cache[i] = block.step(x, cache[i])
        return self.head(self.norm(x))[:, 0]


def train():
    torch.manual_seed(1)
    model = Model(ARGS.arch, ARGS.vocab, ARGS.seq, ARGS.width, ARGS.layers, ARGS.heads)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    gen = torch.Generator().manual_seed(1)
    seq = torch.randint(1, ARGS.vocab, (ARGS.batch, ARGS.seq), generator=gen)
    inputs, targets = seq[:, :-1], seq[:, 1:]
    # The graded positions (CoT and answer): the only logits the loss reads.
    rows = torch.arange(ARGS.prompt - 1, ARGS.seq - 1)
    graded = targets[:, rows]

    def step():
        logits = model(inputs, rows)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), graded.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        for p in model.parameters():
            torch.nn.utils.clip_grad_norm_([p], 1.0)
        opt.step()
        return loss

    for _ in range(2):
        step()
    start = time.perf_counter()
    for _ in range(ARGS.steps):
        loss = step()
    loss.item()
    seconds = (time.perf_counter() - start) / ARGS.steps
    tokens = ARGS.batch * (ARGS.seq - 1)
    print(
        f"pytorch {torch.__version__} threads {torch.get_num_threads()} arch {ARGS.arch}"
        f"{' fused-attention' if ARGS.fused and ARGS.arch == 'standard' else ''}:"
        f" tokens/s {tokens / seconds:.0f} (ms/step {seconds * 1e3:.1f})"
    )


@torch.inference_mode()
def decode():
    """Per-token decode time like `lab bench decode`: vocab 32, batch 1; at each position p the
    cache is first filled up to p, then `--tokens` steps are timed. The token fed at position i
    is i % 32 (as ours: the bench times the decoder, not a sampling rule), and each step's
    logits are read back (as ours), which also ends the step's work."""
    positions = sorted(ARGS.positions)
    max_len = positions[-1] + ARGS.tokens + 1
    vocab = 32
    for arch in ARGS.decode_arch:
        torch.manual_seed(1)
        model = Model(arch, vocab, max_len, ARGS.width, ARGS.layers, ARGS.heads).eval()
        cache = model.empty_cache(1)
        position = 0

        def one():
            nonlocal position
            token = torch.tensor([position % vocab])
            model.step(token, position, cache).numpy()
            position += 1

        times = []
        for p in positions:
            while position < p:
                one()
            start = time.perf_counter()
            for _ in range(ARGS.tokens):
                one()
            times.append((time.perf_counter() - start) * 1e3 / ARGS.tokens)
        cells = " ".join(f"t={p} {ms:.4f}" for p, ms in zip(positions, times))
        print(
            f"pytorch-decode {arch} {cells} (ms/token; torch {torch.__version__},"
            f" threads {torch.get_num_threads()}, width {ARGS.width}, {ARGS.layers} layers,"
            f" {ARGS.heads} heads{', fused attention' if ARGS.fused else ''})",
            flush=True,
        )


def main():
    if ARGS.threads:
        torch.set_num_threads(ARGS.threads)
    if ARGS.decode:
        decode()
    else:
        for name in ("vocab", "seq", "prompt"):
            if getattr(ARGS, name) is None:
                raise SystemExit(f"--{name} is required for training (or pass --decode)")
        if ARGS.arch not in ("standard", "linear", "lstm", "gru"):
            raise SystemExit(f"--arch {ARGS.arch}: training takes standard, linear, lstm or gru")
        train()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="standard", help="standard, linear, lstm or gru (training)")
    parser.add_argument("--vocab", type=int)
    parser.add_argument("--seq", type=int, help="sequence length (prompt + CoT + answer)")
    parser.add_argument("--prompt", type=int, help="prompt length (not in the loss)")
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--fused", action="store_true", help="use F.scaled_dot_product_attention")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    parser.add_argument("--decode", action="store_true", help="time per-token decoding instead")
    parser.add_argument(
        "--decode-arch",
        type=lambda s: s.split(","),
        default=["standard", "linear", "lstm", "gru"],
        help="architectures for --decode (comma-separated: standard, linear, lstm, gru)",
    )
    parser.add_argument("--positions", type=lambda s: [int(p) for p in s.split(",")], default=[64, 256, 1024])
    parser.add_argument("--tokens", type=int, default=64, help="tokens timed at each position")
    ARGS = parser.parse_args()
    main()
