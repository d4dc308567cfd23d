"""``python -m expressivity_lab``: the lab's ``predict`` in PyTorch, and a model's summary.

    python -m expressivity_lab predict FILE --input "PROMPT"   # prompt + greedy completion
    python -m expressivity_lab info FILE
"""

from __future__ import annotations

import argparse
import json
import sys

from . import CheckpointError, load
from .model import MODES
from .tasks import PromptError, completion_length


def _predict(args) -> int:
    model = load(args.checkpoint, attention=args.attention)
    prompt = model.encode(args.input)
    if not prompt:
        raise ValueError("the prompt is empty")
    task = model.meta["train"]["task"]["task"]
    words = [model.vocabulary[i] for i in prompt]
    n = args.tokens if args.tokens is not None else completion_length(task, words)
    if n < 0:
        raise ValueError("--tokens must be at least 0")
    ids = model.generate(prompt, n)
    if args.logits:
        import torch

        with torch.no_grad():
            logits = model(ids)[0].tolist()
        print(json.dumps({"text": model.decode(ids), "tokens": ids, "prompt_len": len(prompt), "logits": logits}))
    else:
        print(model.decode(ids))
    return 0


def _info(args) -> int:
    model = load(args.checkpoint)
    c = model.config
    params = sum(p.numel() for p in model.parameters())
    task = model.meta["train"]["task"]
    print(f"{model.meta['format']}: {c.architecture}, {c.n_layers} layers, width {c.d_model}, "
          f"{c.n_heads} heads, {c.attention} attention, {c.positional} positions, context {c.max_len}")
    print(f"task {task['task']} size {task['size']}, vocabulary {len(model.vocabulary)} tokens, {params} parameters")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m expressivity_lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("predict", help="the prompt followed by the model's greedy completion")
    p.add_argument("checkpoint")
    p.add_argument("--input", required=True, help="space-separated prompt tokens (TASKS.md)")
    p.add_argument("--tokens", type=int, help="completion length (default: to the end of the task's answer)")
    p.add_argument("--attention", choices=MODES, help="run under this attention mode")
    p.add_argument("--logits", action="store_true", help="print JSON with the logits at every position")
    p.set_defaults(run=_predict)
    i = sub.add_parser("info", help="what a checkpoint holds")
    i.add_argument("checkpoint")
    i.set_defaults(run=_info)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (CheckpointError, PromptError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
