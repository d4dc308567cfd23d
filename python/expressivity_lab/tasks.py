"""How long the completion of a prompt is, per task (TASKS.md): what ``predict`` generates, the
length the lab's ``predict`` takes from its task solvers. Only the prompt's shape matters."""

from __future__ import annotations

#: Tasks whose answer is one token after the prompt.
CLASSIFICATION = {"index-lookup", "dyck", "equality", "disjointness", "nearest-neighbor", "majority", "parity"}


class PromptError(ValueError):
    pass


def completion_length(task: str, prompt: list) -> int:
    """Tokens after ``prompt`` (token texts) up to the end of the task's answer."""
    if task in CLASSIFICATION:
        return 1
    if task == "lis":
        if len(prompt) < 2 or prompt[-1] != "<sep>" or "<sep>" in prompt[:-1]:
            raise PromptError("an LIS prompt is n numbers then <sep>")
        return len(prompt) - 1 + 2
    if task == "ed":
        if prompt.count("|") != 1 or prompt[-1] != "<sep>":
            raise PromptError("an edit-distance prompt is `s1 | s2 <sep>`")
        a = prompt.index("|")
        b = len(prompt) - a - 2
        return a * (b + 1) + 2
    if task == "arithmetic":
        steps = arithmetic_steps(prompt)
        return sum(len(s) + 1 for s in steps[:-1]) + 1
    raise PromptError(
        f"the completion length of a `{task}` prompt is not known here: give it (--tokens N)"
    )


def _apply(a: int, op: str, b: int) -> int:
    if op == "+":
        return (a + b) % 11
    if op == "-":
        return (a - b) % 11
    if op == "*":
        return (a * b) % 11
    if b % 11 == 0:
        raise PromptError("division by zero")
    return (a * pow(b, 9, 11)) % 11


def arithmetic_steps(prompt: list) -> list:
    """The chain of thought of an arithmetic prompt (``expr =``) as its steps, each a list of
    token texts, the last one the answer: one operator per step, the leftmost innermost group
    first, inside it the leftmost ``*``/``/``, else the leftmost ``+``/``-``; parentheses left
    around a single number are dropped in the same step."""
    if not prompt or prompt[-1] != "=" or "=" in prompt[:-1]:
        raise PromptError("an arithmetic prompt is an expression then `=`")
    expr = list(prompt[:-1])
    for t in expr:
        if t not in "+-*/()" and not (t.isdigit() and int(t) <= 10):
            raise PromptError(f"unexpected token `{t}` in an arithmetic prompt")
    steps = []
    while any(t in "+-*/" for t in expr):
        close = expr.index(")") if ")" in expr else len(expr)
        open_ = max((i for i in range(close) if expr[i] == "("), default=-1)
        lo, hi = open_ + 1, close
        group = expr[lo:hi]
        ops = [i for i, t in enumerate(group) if t in "*/"] or [i for i, t in enumerate(group) if t in "+-"]
        if not ops:
            raise PromptError("malformed arithmetic expression")
        k = lo + ops[0]
        if k - 1 < lo or k + 1 >= hi:
            raise PromptError("malformed arithmetic expression")
        try:
            value = _apply(int(expr[k - 1]), expr[k], int(expr[k + 1]))
        except ValueError:
            raise PromptError("malformed arithmetic expression") from None
        expr[k - 1 : k + 2] = [str(value)]
        if open_ >= 0 and expr[open_ + 2 : open_ + 3] == [")"]:
            del expr[open_ + 2]
            del expr[open_]
        steps.append(list(expr))
    if len(expr) != 1:
        raise PromptError("malformed arithmetic expression")
    return steps
