"""The Python loader against the real `lab` binary: every architecture, attention mode, sparse
pattern and positional option gives the lab's logits (max |Δ| ≤ 1e-4 on 100 held-out sequences,
from `lab predict --held-out 100 --logits`), `python -m expressivity_lab predict` prints what
`lab predict` prints, damaged files are refused, and (when TransformerLens is installed) the
HookedTransformer of a standard model gives the same logits.

    LAB=path/to/lab python -m unittest discover -s tests/python   (scripts/test-python does this)
"""

import contextlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

import expressivity_lab as el  # noqa: E402
from expressivity_lab.__main__ import main as cli  # noqa: E402

LAB = os.environ.get("LAB", "lab")
TOLERANCE = 1e-4
HELD_OUT = 100

# Checkpoints trained here for a few steps (weights away from their initialisation, no exact
# ties): one per option the gallery does not cover.
TRAINED = {
    "standard-saturated": "--task majority --size 9 --arch standard --attention saturated --positional none",
    "standard-hard": "--task equality --size 6 --arch standard --attention hard --positional learned",
    "standard-scale-4": "--task lis --size 5 --arch standard --softmax-scale 4",
    "standard-learned": "--task arithmetic --size 2 --arch standard --positional learned",
    "standard-index-sinusoidal": "--task index-lookup --size 8 --arch standard --index-positions",
    "standard-index-learned": "--task index-lookup --size 8 --arch standard --index-positions --positional learned",
    "standard-pairs": "--task equality --size 6 --arch standard --pair-positions",
    "standard-pairs-learned": "--task disjointness --size 5 --arch standard --pair-positions --positional learned",
    "sparse-block-3": "--task ed --size 3 --arch sparse --block 3",
    "sparse-window": "--task lis --size 8 --arch sparse --window --block 3",
    "sparse-saturated": "--task arithmetic --size 3 --arch sparse --attention saturated",
    "sparse-hard-window": "--task ed --size 3 --arch sparse --attention hard --window",
    "linear-learned": "--task nearest-neighbor --size 3 --arch linear --positional learned",
    "lstm-index": "--task index-lookup --size 8 --arch lstm --index-positions",
    "gru": "--task dyck --size 8 --arch gru",
    "gru-pairs": "--task equality --size 5 --arch gru --pair-positions",
    "ssm": "--task ed --size 3 --arch ssm",
    "ssm-learned": "--task parity --size 7 --arch ssm --positional learned",
    "standard-rope": "--task lis --size 5 --arch standard --positional rope",
    "standard-alibi": "--task index-lookup --size 8 --arch standard --positional alibi",
    "standard-alibi-hard": "--task equality --size 6 --arch standard --positional alibi --attention hard",
    "sparse-rope-window": "--task ed --size 3 --arch sparse --window --positional rope",
    "sparse-alibi": "--task arithmetic --size 3 --arch sparse --positional alibi --attention saturated",
}
# Constructions: hand-set weights with exact ties and large scores (saturated and hard heads,
# learned positions sharing codes, an LSTM stack).
CONSTRUCTED = {
    "majority": 9,
    "index-lookup": 8,
    "dyck": 8,
    "equality": 6,
    "disjointness": 6,
    "nearest-neighbor": 3,
}


def lab(*args: str) -> str:
    done = subprocess.run([LAB, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"lab {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def lab_logits(path: Path, *extra: str) -> list:
    out = lab("predict", str(path), "--logits", *extra)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def compare(name: str, path: Path, forward, count: int, attention=None) -> tuple:
    """(max |Δ| between ``forward(tokens)`` and the lab's logits over ``count`` held-out
    sequences, what is allowed). Allowed: 1e-4; for hand-set weights, whose logits reach the
    thousands, also twice the float32 rounding error of the computation itself when that is
    larger (measured: the same model in float64): an error of logic is far above both."""
    exact = el.load(path, attention=attention).double()
    extra = ("--attention", attention) if attention else ()
    diff = rounding = 0.0
    lines = lab_logits(path, "--held-out", str(count), *extra)
    assert lines, f"{name}: lab printed no sequence"
    for line in lines:
        with torch.no_grad():
            got = forward(line["tokens"]).double()
            reference = exact(line["tokens"])[0]
        want = torch.tensor(line["logits"], dtype=torch.float64)
        assert got.shape == want.shape, f"{name}: shape {tuple(got.shape)} vs {tuple(want.shape)}"
        diff = max(diff, (got - want).abs().max().item())
        rounding = max(rounding, (got - reference).abs().max().item())
    return diff, max(TOLERANCE, 2 * rounding) if name.startswith("constructed/") else TOLERANCE


class Checkpoints:
    """Every checkpoint the tests compare: the gallery, the v1 fixtures, trained and constructed."""

    dir = None
    files = {}

    @classmethod
    def build(cls):
        if cls.dir is not None:
            return cls.files
        cls.dir = Path(tempfile.mkdtemp(prefix="el-python-"))
        for f in sorted((ROOT / "assets/models").glob("*.safetensors")):
            cls.files[f"gallery/{f.stem}"] = f
        for f in sorted((ROOT / "tests/fixtures/v1").glob("*.safetensors")):
            cls.files[f"v1/{f.stem}"] = f
        for name, args in TRAINED.items():
            out = cls.dir / f"{name}.safetensors"
            lab("train", *args.split(), "--width", "16", "--layers", "2", "--heads", "2", "--steps", "40",
                "--eval-every", "40", "--eval-examples", "8", "--lr", "0.01", "--save", str(out))
            cls.files[f"trained/{name}"] = out
        for name, size in CONSTRUCTED.items():
            out = cls.dir / f"construct-{name}.safetensors"
            lab("construct", name, "--size", str(size), "--examples", "16", "--out", str(out))
            cls.files[f"constructed/{name}"] = out
        return cls.files


def tearDownModule():
    if Checkpoints.dir is not None:
        shutil.rmtree(Checkpoints.dir, ignore_errors=True)


class SameLogits(unittest.TestCase):
    def test_every_architecture_gives_the_labs_logits_on_held_out_sequences(self):
        files = Checkpoints.build()
        seen = set()
        report = []
        for name, path in files.items():
            with self.subTest(checkpoint=name):
                model = el.load(path)
                seen.add((model.config.architecture, model.mode, model.config.pattern, model.config.positional))
                diff, allowed = compare(name, path, lambda t: model(t)[0], HELD_OUT)
                report.append((diff, name, allowed))
                self.assertLessEqual(diff, allowed, f"{name}: max |Δ| = {diff:.3g} (allowed {allowed:.3g})")
        archs = {s[0] for s in seen}
        self.assertEqual(archs, {"standard", "sparse", "linear", "lstm", "gru", "ssm"})
        self.assertTrue({"softmax", "saturated", "hard"} <= {s[1] for s in seen})
        self.assertTrue({"dense", "sparse", "window"} <= {s[2] for s in seen})
        self.assertTrue({"none", "learned", "sinusoidal", "rope", "alibi"} <= {s[3] for s in seen})
        within = sum(d <= TOLERANCE for d, _, _ in report)
        diff, name, allowed = max(report)
        print(f"\n{len(report)} checkpoints × {HELD_OUT} held-out sequences: {within} within {TOLERANCE:g}; "
              f"largest max |Δ| {diff:.3g} ({name}, float32 rounding allows {allowed:.3g})")

    def test_another_attention_mode_at_run_time_agrees_too(self):
        path = ROOT / "assets/models/majority-softmax.safetensors"
        for mode in ("saturated", "hard"):
            model = el.load(path, attention=mode)
            diff, allowed = compare("gallery/majority-softmax", path, lambda t: model(t)[0], 20, attention=mode)
            self.assertLessEqual(diff, allowed, f"{mode}: max |Δ| = {diff:.3g}")


class SamePredictions(unittest.TestCase):
    def test_predict_prints_what_lab_predict_prints(self):
        files = Checkpoints.build()
        for name, path in files.items():
            prompts = [line["tokens"][: line["prompt_len"]] for line in lab_logits(path, "--held-out", "3")]
            model = el.load(path)
            for ids in prompts:
                prompt = model.decode(ids)
                with self.subTest(checkpoint=name, prompt=prompt):
                    expected = lab("predict", str(path), "--input", prompt)
                    out = io.StringIO()
                    with contextlib.redirect_stdout(out):
                        self.assertEqual(cli(["predict", str(path), "--input", prompt]), 0)
                    self.assertEqual(out.getvalue(), expected)

    def test_the_module_runs_as_a_program(self):
        path = ROOT / "assets/models/lis-standard.safetensors"
        prompt = "60 100 70 80 200 <sep>"
        expected = lab("predict", str(path), "--input", prompt)
        done = subprocess.run(
            [sys.executable, "-m", "expressivity_lab", "predict", str(path), "--input", prompt],
            capture_output=True, text=True, cwd=ROOT / "python",
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, expected)
        # A token outside the vocabulary: a clear error, exit 1.
        done = subprocess.run(
            [sys.executable, "-m", "expressivity_lab", "predict", str(path), "--input", "60 x <sep>"],
            capture_output=True, text=True, cwd=ROOT / "python",
        )
        self.assertEqual(done.returncode, 1)
        self.assertIn("unknown token `x`", done.stderr)


class RefusedFiles(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="el-bad-"))
        self.good = (ROOT / "assets/models/majority-softmax.safetensors").read_bytes()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def refused(self, data: bytes, message: str):
        """The loader refuses `data` with `message`, and so does lab."""
        path = self.loader_refuses(data, message)
        done = subprocess.run([LAB, "predict", str(path), "--held-out", "1"], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0, f"lab accepted a file the loader refused ({message})")

    def loader_refuses(self, data: bytes, message: str) -> Path:
        """The loader refuses `data` with an error containing `message`; the file's path."""
        path = self.dir / "refused.safetensors"
        path.write_bytes(data)
        with self.assertRaises(el.CheckpointError) as caught:
            el.load(path)
        self.assertIn(message, str(caught.exception))
        return path

    def test_a_flipped_weight_byte_fails_the_checksum(self):
        data = bytearray(self.good)
        data[-3] ^= 0x40
        self.refused(bytes(data), "checksum does not match")

    def test_edited_metadata_fails_the_checksum(self):
        (n,) = struct.unpack("<Q", self.good[:8])
        # Same length (the header must stay the size it declares): another seed.
        header = self.good[8 : 8 + n].replace(b'\\"seed\\":1', b'\\"seed\\":2', 1)
        self.assertNotEqual(header, self.good[8 : 8 + n])
        self.refused(self.good[:8] + header + self.good[8 + n :], "checksum does not match")

    def test_a_cut_file_and_other_files_are_refused(self):
        self.refused(self.good[: len(self.good) // 2], "outside the file")
        self.refused(b"not a model at all, just text", "not a safetensors file")
        self.refused(b"", "empty")

    def rewritten(self, edit_header=None, edit_meta=None) -> bytes:
        """The good file with its header or metadata edited, re-checksummed as the lab would."""
        from expressivity_lab import checkpoint as ck

        (n,) = struct.unpack("<Q", self.good[:8])
        header = json.loads(self.good[8 : 8 + n])
        meta = json.loads(header["__metadata__"][ck.META_KEY])
        body = self.good[8 + n :]
        if edit_meta:
            edit_meta(meta)
        meta["fnv1a64"] = ""
        text = json.dumps(meta, separators=(",", ":"))
        tensors = sorted((k, v) for k, v in header.items() if k != "__metadata__")
        items = [(ck.META_KEY, text.encode())] + [(k, body[v["data_offsets"][0] : v["data_offsets"][1]]) for k, v in tensors]
        text = text.replace('"fnv1a64":""', f'"fnv1a64":"{ck._fnv_items(items)}"')
        header["__metadata__"] = {ck.META_KEY: text}
        if edit_header:
            edit_header(header)
        raw = json.dumps(header).encode()
        return struct.pack("<Q", len(raw)) + raw + body


    def test_a_resigned_file_loads_and_bad_configs_in_it_are_refused_with_a_reason(self):
        # The re-signing itself is right: the unedited file loads.
        path = self.dir / "same.safetensors"
        path.write_bytes(self.rewritten())
        self.assertEqual(el.load(path).config.d_model, 32)

        def setter(key, value):
            return lambda meta: meta["model"].__setitem__(key, value)

        for key, value, message in (
            ("d_model", 32.5, "width must be an integer"),
            ("n_heads", 5, "not divisible"),
            ("block_size", 0, "block size"),
            ("architecture", "mamba2", "unknown architecture"),
            ("softmax_scale", -1, "softmax scale"),
            ("paired", {"n": 40}, "pairs must be"),
            ("index_tokens", {"first": 3, "count": 9}, "index tokens"),
        ):
            with self.subTest(key=key, value=value):
                self.loader_refuses(self.rewritten(edit_meta=setter(key, value)), message)
        self.loader_refuses(self.rewritten(edit_meta=lambda m: m.__setitem__("model", [1])), "no `model` object")
        self.loader_refuses(self.rewritten(edit_meta=lambda m: m.__setitem__("vocabulary", ["a", "b"])), "vocabulary")
        self.loader_refuses(self.rewritten(edit_meta=lambda m: m["train"].__setitem__("task", 3)), "train.task")

    def test_malformed_headers_are_refused_with_a_reason(self):
        first = lambda h: next(k for k in h if k != "__metadata__")  # noqa: E731
        for edit, message in (
            (lambda h: h[first(h)].__setitem__("dtype", ["F32"]), "dtype"),
            (lambda h: h[first(h)].__setitem__("shape", [2**70, 4]), "does not fit"),
            (lambda h: h[first(h)].__setitem__("shape", [True]), "invalid shape"),
            (lambda h: h[first(h)].__setitem__("data_offsets", [0, 10**12]), "outside the file"),
            (lambda h: h.__setitem__("__metadata__", {"expressivity_lab": "[" * 100_000}), "not valid"),
        ):
            with self.subTest(message=message):
                self.loader_refuses(self.rewritten(edit_header=edit), message)

    def test_a_folder_or_a_device_is_not_read(self):
        for path in (self.dir, Path("/dev/zero")):
            with self.assertRaises(el.CheckpointError) as caught:
                el.load(path)
            self.assertIn("not a regular file", str(caught.exception))


@unittest.skipUnless(
    __import__("importlib").util.find_spec("transformer_lens"), "TransformerLens is not installed"
)
class HookedTransformer(unittest.TestCase):
    def test_standard_models_convert_with_the_same_logits(self):
        files = Checkpoints.build()
        converted = 0
        positions = set()
        for name, path in files.items():
            model = el.load(path)
            if not el.lens.convertible(model)[0]:
                continue
            with self.subTest(checkpoint=name):
                hooked = el.to_hooked_transformer(model)
                diff, allowed = compare(name, path, lambda t: hooked(torch.tensor([t]))[0], 20)
                self.assertLessEqual(diff, allowed, f"{name}: max |Δ| = {diff:.3g} (allowed {allowed:.3g})")
                converted += 1
                positions.add(model.config.positional)
        self.assertGreaterEqual(converted, 5)
        self.assertTrue({"none", "learned", "sinusoidal", "rope", "alibi"} <= positions, positions)

    def test_the_attention_pattern_is_the_models(self):
        model = el.load(ROOT / "assets/models/index-lookup-standard.safetensors")
        hooked = el.to_hooked_transformer(model)
        ids = model.encode("a b c d e f g h i j k l m n o p <q> @3")
        _, cache = hooked.run_with_cache(torch.tensor([ids]))
        _, attention, _ = model.run_with_trace(ids)
        pattern = cache["pattern", 0][0]
        self.assertLessEqual((pattern - attention[0][0]).abs().max().item(), 1e-5)

    def test_the_readme_example_runs(self):
        readme = (ROOT / "README.md").read_text()
        section = readme[readme.index("## In PyTorch and TransformerLens") :]
        code = section[section.index("```python\n") + len("```python\n") :]
        code = code[: code.index("```")]
        out = io.StringIO()
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, "README.md", "exec"), {})
        finally:
            os.chdir(cwd)
        # A [4, 18] tensor: per head, the attention of the last position over the 18 tokens.
        self.assertTrue(out.getvalue().startswith("tensor([["), out.getvalue())
        self.assertEqual(out.getvalue().count("["), 1 + 4, out.getvalue())

    def test_what_cannot_convert_says_why(self):
        for path, reason in (
            (ROOT / "assets/models/majority-ssm.safetensors", "ssm"),
            (ROOT / "assets/models/lis-sparse.safetensors", "sparse"),
        ):
            with self.assertRaises(ValueError) as caught:
                el.to_hooked_transformer(el.load(path))
            self.assertIn(reason, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
