"""A standard-attention model as a TransformerLens ``HookedTransformer``.

The lab's standard transformer is TransformerLens's pre-LN block exactly: ``x + Attn(LN₁ x)``,
then ``x + W_out GELU(W_in LN₂ x)`` (exact GELU), a final LayerNorm and an unembedding with a
bias. Positions added to the embeddings (the sinusoidal code, or none) become the ``W_pos``
table; RoPE becomes TransformerLens's ``rotary`` positions (GPT-NeoX pairs, base 10000, over the
whole head) and ALiBi its ``alibi`` (the same slopes ``2^(−8(h+1)/H)``); the softmax scale ``c``
of ``softmax(c qᵀk / √d_h)`` becomes TransformerLens's ``attn_scale = √d_h / c``. What the block cannot express is refused with the reason: sparse and
linear attention, recurrent layers, saturated and hard attention, and position codes that
depend on the token (index tokens or pairs sharing a position's code).
"""

from __future__ import annotations

import math

import torch

from .model import LabModel, sinusoidal_table


def convertible(model: LabModel):
    """``(True, "")`` or ``(False, why not)``."""
    c = model.config
    if c.architecture != "standard":
        return False, f"only the standard transformer converts (this model is {c.architecture})"
    if model.mode != "softmax":
        return False, f"TransformerLens attention is softmax; this model runs {model.mode} attention"
    if c.index_shares_position or c.pairs_share_position:
        return False, "index tokens or pairs that share a position's code depend on the token, not on a position table"
    if c.positional == "alibi" and c.softmax_scale != 1.0:
        return False, "TransformerLens adds ALiBi's bias after its scale, the lab before its softmax scale: only scale 1 agrees"
    return True, ""


def hooked_config(model: LabModel):
    from transformer_lens import HookedTransformerConfig

    c = model.config
    d_head = c.d_model // c.n_heads
    return HookedTransformerConfig(
        n_layers=c.n_layers,
        d_model=c.d_model,
        n_ctx=c.max_len,
        d_head=d_head,
        n_heads=c.n_heads,
        d_mlp=4 * c.d_model,
        d_vocab=c.vocab_size,
        act_fn="gelu",
        normalization_type="LN",
        positional_embedding_type={"rope": "rotary", "alibi": "alibi"}.get(c.positional, "standard"),
        rotary_dim=d_head if c.positional == "rope" else None,
        rotary_base=10000,
        rotary_adjacent_pairs=False,
        eps=1e-5,
        attn_scale=math.sqrt(d_head) / c.softmax_scale,
        default_prepend_bos=False,
        device="cpu",
        dtype=torch.float32,
    )


def hooked_state_dict(model: LabModel) -> dict:
    """The model's weights under TransformerLens's names and layouts."""
    c = model.config
    d, h = c.d_model, c.n_heads
    dh = d // h
    if model.positions is not None:
        w_pos = model.positions.weight.detach().clone()
    elif c.positional == "sinusoidal":
        w_pos = sinusoidal_table(c.max_len, d)
    else:
        w_pos = torch.zeros(c.max_len, d)
    sd = {
        "embed.W_E": model.embedding.weight.detach().clone(),
        "ln_final.w": model.norm.weight.detach().clone(),
        "ln_final.b": model.norm.bias.detach().clone(),
        "unembed.W_U": model.head.weight.detach().t().contiguous(),
        "unembed.b_U": model.head.bias.detach().clone(),
    }
    if c.positional != "rope":
        # TransformerLens keeps a position table unless its positions are rotary (ALiBi's is unused).
        sd["pos_embed.W_pos"] = w_pos
    for i, layer in enumerate(model.layers):
        a, mlp, p = layer.mixer, layer.mlp, f"blocks.{i}"
        sd[f"{p}.ln1.w"] = layer.norm.weight.detach().clone()
        sd[f"{p}.ln1.b"] = layer.norm.bias.detach().clone()
        for name, linear in (("Q", a.query), ("K", a.key), ("V", a.value)):
            # PyTorch's weight is [d_out, d_in]; head k reads output columns k·dh … (k+1)·dh.
            sd[f"{p}.attn.W_{name}"] = linear.weight.detach().t().reshape(d, h, dh).permute(1, 0, 2).contiguous()
            sd[f"{p}.attn.b_{name}"] = linear.bias.detach().reshape(h, dh).clone()
        sd[f"{p}.attn.W_O"] = a.output.weight.detach().t().reshape(h, dh, d).contiguous()
        sd[f"{p}.attn.b_O"] = a.output.bias.detach().clone()
        sd[f"{p}.ln2.w"] = mlp.norm.weight.detach().clone()
        sd[f"{p}.ln2.b"] = mlp.norm.bias.detach().clone()
        sd[f"{p}.mlp.W_in"] = mlp.up.weight.detach().t().contiguous()
        sd[f"{p}.mlp.b_in"] = mlp.up.bias.detach().clone()
        sd[f"{p}.mlp.W_out"] = mlp.down.weight.detach().t().contiguous()
        sd[f"{p}.mlp.b_out"] = mlp.down.bias.detach().clone()
    return sd


def to_hooked_transformer(model: LabModel):
    """A ``HookedTransformer`` computing the same logits as ``model`` (no weight processing:
    LayerNorms are not folded, so the hooks see the lab's own activations)."""
    ok, why = convertible(model)
    if not ok:
        raise ValueError(f"cannot convert to a HookedTransformer: {why}")
    from transformer_lens import HookedTransformer

    hooked = HookedTransformer(hooked_config(model))
    sd = hooked_state_dict(model)
    missing, unexpected = hooked.load_state_dict(sd, strict=False)
    params = {n for n, _ in hooked.named_parameters()}
    left = sorted(set(missing) & params)
    if left or unexpected:
        raise ValueError(f"conversion left parameters unset {left} or unknown {sorted(unexpected)}")
    hooked.vocabulary = model.vocabulary
    return hooked.eval()
