"""Expressivity Lab checkpoints in PyTorch and TransformerLens.

    import expressivity_lab as el
    model = el.load("assets/models/index-lookup-standard.safetensors")
    model(model.encode("a b c d e f g h i j k l m n o p <q> @3"))   # logits [1, T, vocab]

``load`` verifies the file (format v1 to v3, checksum) and returns a ``LabModel``, an
``nn.Module`` with the lab's architecture and weights; ``to_hooked_transformer(model)`` turns a
standard-attention model into a TransformerLens ``HookedTransformer`` with the same logits.
"""

from __future__ import annotations

from typing import Optional

from . import lens
from .checkpoint import Checkpoint, CheckpointError, load_bytes, load_checkpoint
from .model import LabModel, ModelConfig, state_dict_from

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "LabModel",
    "ModelConfig",
    "from_checkpoint",
    "load",
    "lens",
    "load_checkpoint",
    "to_hooked_transformer",
]


def from_checkpoint(checkpoint: Checkpoint, attention: Optional[str] = None) -> LabModel:
    """The model of a verified checkpoint (``attention``: run under another attention mode)."""
    try:
        config = ModelConfig.from_dict(checkpoint.model_config)
        if len(checkpoint.vocabulary) != config.vocab_size:
            raise ValueError(
                f"the vocabulary holds {len(checkpoint.vocabulary)} tokens but the model reads {config.vocab_size}"
            )
        model = LabModel(config, vocabulary=checkpoint.vocabulary, meta=checkpoint.meta, mode=attention)
    except (TypeError, ValueError) as e:
        raise CheckpointError(str(e)) from None
    state = state_dict_from(checkpoint.tensors, model)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing:
        raise CheckpointError(f"tensor for `{missing[0]}` is missing")
    if unexpected:
        raise CheckpointError(f"unexpected tensor `{unexpected[0]}` (not a parameter of this model)")
    for name, value in state.items():
        if tuple(value.shape) != tuple(expected[name].shape):
            raise CheckpointError(
                f"tensor `{name}` has shape {list(value.shape)}, the model needs {list(expected[name].shape)}"
            )
    model.load_state_dict(state, strict=True)
    return model.eval()


def load(path, attention: Optional[str] = None) -> LabModel:
    """Read, verify and build the model of a checkpoint file, in eval mode."""
    return from_checkpoint(load_checkpoint(path), attention=attention)


def to_hooked_transformer(model: LabModel, **kwargs):
    """A TransformerLens ``HookedTransformer`` with this model's weights (standard softmax
    attention only); see ``expressivity_lab.lens``."""
    from .lens import to_hooked_transformer as convert

    return convert(model, **kwargs)
