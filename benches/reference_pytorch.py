"""PyTorch speed reference for `lab bench train`: the same standard transformer, trained the
same way, on the same machine (CPU).

Model (mirrors src/models/transformer.rs and block.rs): token embedding + sinusoidal positions,
pre-LayerNorm blocks of causal multi-head softmax attention (q, k, v, o projections with bias)
and a 4x GELU MLP, final LayerNorm, linear read-out. Loss: cross-entropy on the CoT and answer
positions only. AdamW (weight decay 0.01) with gradient-norm clipping at 1.0 (burn clips each
parameter's gradient separately; this does the same). Random token batches of the task's
vocabulary and length: data generation is not what is measured (it is cheap in both).

    target/bench-venv/bin/python benches/reference_pytorch.py --vocab 104 --seq 103 --prompt 52

Prints one line: `pytorch tokens/s: N (ms/step M)`. `scripts/bench` runs it next to ours.
"""

import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm_attn = nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.norm_mlp = nn.LayerNorm(d)
        self.up = nn.Linear(d, 4 * d)
        self.down = nn.Linear(4 * d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        h = self.norm_attn(x)
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        # Written out (scores, mask, softmax) like ours rather than F.scaled_dot_product_attention,
        # so both sides do the same arithmetic; --fused uses the fused kernel instead.
        if ARGS.fused:
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
            a = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
        return x + self.down(F.gelu(self.up(self.norm_mlp(x))))


class Transformer(nn.Module):
    def __init__(self, vocab, seq, d, layers, heads):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        pos = torch.arange(seq).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        table = torch.zeros(seq, d)
        table[:, 0::2] = torch.sin(pos * div)
        table[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("positions", table)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        self.register_buffer("mask", torch.triu(torch.ones(seq, seq, dtype=torch.bool), 1))

    def forward(self, tokens):
        t = tokens.shape[1]
        x = self.embed(tokens) + self.positions[:t]
        for block in self.blocks:
            x = block(x, self.mask[:t, :t])
        return self.head(self.norm(x))


def main():
    if ARGS.threads:
        torch.set_num_threads(ARGS.threads)
    model = Transformer(ARGS.vocab, ARGS.seq, ARGS.width, ARGS.layers, ARGS.heads)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    gen = torch.Generator().manual_seed(1)
    seq = torch.randint(1, ARGS.vocab, (ARGS.batch, ARGS.seq), generator=gen)
    inputs, targets = seq[:, :-1], seq[:, 1:]
    mask = torch.zeros_like(targets, dtype=torch.bool)
    mask[:, ARGS.prompt - 1 :] = True

    def step():
        logits = model(inputs)
        loss = F.cross_entropy(logits[mask], targets[mask])
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
        f"pytorch {torch.__version__} threads {torch.get_num_threads()}"
        f"{' fused-attention' if ARGS.fused else ''}: tokens/s {tokens / seconds:.0f} (ms/step {seconds * 1e3:.1f})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab", type=int, required=True)
    parser.add_argument("--seq", type=int, required=True, help="sequence length (prompt + CoT + answer)")
    parser.add_argument("--prompt", type=int, required=True, help="prompt length (not in the loss)")
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--fused", action="store_true", help="use F.scaled_dot_product_attention")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    ARGS = parser.parse_args()
    main()
