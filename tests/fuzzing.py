"""Deterministic fuzzing of the command line: mutants of a valid export, each run in a child process.

A mutant is a folder holding a damaged copy of a test model (with its tokenizer and configs).  Each
one runs through `stats --json`, `generate --json` and `report -o r.json`; the verdict for a run is
`ok` (exit 0, standard JSON), `error` (exit 2, exactly one line, no traceback) or `failure`
(anything else: another exit code, a signal, a traceback, more than one line, a run over the time
limit or over the memory limit).

Runs are forked from a process that has imported the inspector (a fresh interpreter per run costs
a second of imports; a fork costs milliseconds), so the full run (bench/fuzz.py) takes minutes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # forked children must not inherit its threads

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402

from . import hostile  # noqa: E402

COMMANDS = {
    "stats": lambda m, out: ["stats", str(m), "--json", "--no-histograms"],
    "generate": lambda m, out: ["generate", str(m), "--prompt", "The meaning of", "--max-new-tokens", "3", "--json"],
    "report": lambda m, out: ["report", str(m), "-o", str(out / "r.json")],
    "inside": lambda m, out: ["generate", str(m), "--prompt", "The meaning of", "--max-new-tokens", "2", "--inside",
                              "--json"],
    "compare": lambda m, out: ["compare", str(m), str(m), "--prompt", "The meaning", "--max-new-tokens", "2",
                               "--text-tokens", "64", "--json"],  # the text read too, briefly
}
TIME_LIMIT_S = 60.0
MEMORY_LIMIT_MB = 1536.0
CONTROL_NAMES = ["evil\nname", "\x1b[31mred\x1b[0m", "tab\there", "bell\x07", "", "a" * 5000, "../../etc/passwd",
                 "dup", "名字", "\u202eright-to-left"]
EXTERNAL_ENTRIES = [
    [("location", "../outside.bin")], [("location", "/etc/passwd")], [("location", "missing.bin")],
    [("location", "data.bin"), ("location", "data.bin")], [("location", "data.bin"), ("offset", "-5")],
    [("location", "data.bin"), ("offset", str(2**62))], [("location", "data.bin"), ("length", "abc")],
    [("location", "data.bin"), ("length", str(2**40))], [("location", ".")], [("location", "")],
    [("offset", "0")], [("location", "data.bin"), ("checksum", "x"), ("extra", "y")],
]


@dataclass
class Verdict:
    mutant: str
    strategy: str
    command: str
    outcome: str  # "ok", "error" or "failure"
    why: str = ""
    seconds: float = 0.0
    rss_mb: float = 0.0


@dataclass
class Tally:
    verdicts: list[Verdict] = field(default_factory=list)

    def by_strategy(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for v in self.verdicts:
            row = out.setdefault(v.strategy, {"runs": 0, "ok": 0, "error": 0, "failure": 0})
            row["runs"] += 1
            row[v.outcome] += 1
        return out

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == "failure"]


# ----------------------------------------------------------------------------- mutations
def _pick_init(m: onnx.ModelProto, rng: random.Random, big: bool = False) -> onnx.TensorProto:
    inits = [t for t in m.graph.initializer if not big or len(t.dims) >= 2] or list(m.graph.initializer)
    return rng.choice(inits)


def m_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice([1, 4, 32, 256])):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def m_truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def m_insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.choice([1, 7, 100, 4096])) + data[at:]


def m_dims(m, rng):
    t = _pick_init(m, rng)
    if t.dims:
        t.dims[rng.randrange(len(t.dims))] = rng.choice([0, -1, 1, 2**31, 2**40, 7, t.dims[0] + 1])
    else:
        t.dims.append(rng.choice([0, 3, 2**40]))


def m_dtype(m, rng):
    _pick_init(m, rng).data_type = rng.choice([0, 2, 3, 5, 7, 9, 10, 11, 16, 17, 21, 22, 23, 99, 2**20])


def m_raw_length(m, rng):
    t = _pick_init(m, rng, big=True)
    if t.raw_data:
        t.raw_data = t.raw_data[: rng.randrange(len(t.raw_data))] if rng.random() < 0.5 else t.raw_data + b"\0" * 13


def m_duplicate_names(m, rng):
    if rng.random() < 0.5:
        m.graph.initializer.append(_pick_init(m, rng))  # the same name twice
    else:
        a, b = rng.sample(list(m.graph.node), 2)
        if a.output and b.output:
            b.output[0] = a.output[0]


def m_remove_initializer(m, rng):
    t = _pick_init(m, rng, big=rng.random() < 0.5)
    m.graph.initializer.remove(t)


def m_external(m, rng, folder: Path):
    t = _pick_init(m, rng, big=True)
    entries = rng.choice(EXTERNAL_ENTRIES)
    (folder / "data.bin").write_bytes(t.raw_data or b"\0" * 64)
    t.ClearField("raw_data")
    del t.float_data[:]
    t.data_location = onnx.TensorProto.EXTERNAL
    del t.external_data[:]
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v


def m_subgraph(m, rng):
    """The whole graph's nodes moved into nested If branches (deep nesting, weights left outside)."""
    depth = rng.choice([1, 3, 12, 24])  # protobuf refuses to build (and parse) messages nested much deeper
    cond = numpy_helper.from_array(np.array([True]), "always")
    m.graph.initializer.append(cond)
    nodes, outputs = list(m.graph.node), list(m.graph.output)
    for level in range(depth):
        then = helper.make_graph(nodes, f"then_{level}", [], outputs)
        # the other branch stays small (a copy of the first would double the file at every level)
        other = helper.make_graph([helper.make_node("Identity", ["always"], [o.name], name=f"/else_{level}_{i}")
                                   for i, o in enumerate(outputs)], f"else_{level}", [], outputs)
        nodes = [helper.make_node("If", ["always"], [o.name for o in outputs], name=f"/nest/If_{level}",
                                  then_branch=then, else_branch=other)]
    del m.graph.node[:]
    m.graph.node.extend(nodes)


def m_unknown_op(m, rng):
    node = rng.choice(list(m.graph.node))
    if rng.random() < 0.5:
        node.op_type = rng.choice(["FrobnicateV9", "", "MatMul\n", "Loop"])
    else:
        node.domain = rng.choice(["com.example", "ai.onnx.ml", "\x00"])
    if rng.random() < 0.3:
        m.opset_import[0].version = rng.choice([1, 7, 999])


def m_names(m, rng):
    evil = rng.choice(CONTROL_NAMES)
    what = rng.choice(["initializer", "node", "input", "output"])
    if what == "initializer":
        _pick_init(m, rng).name = evil
    elif what == "node":
        rng.choice(list(m.graph.node)).name = evil
    elif what == "input":
        node = rng.choice([n for n in m.graph.node if n.input])
        node.input[0] = evil
    else:
        m.graph.output[0].name = evil


def m_nonfinite(m, rng):
    t = _pick_init(m, rng, big=True)
    arr = numpy_helper.to_array(t).copy()
    if arr.dtype.kind == "f":
        flat = arr.reshape(-1)
        flat[rng.randrange(flat.size):] = rng.choice([np.nan, np.inf, -np.inf, 1e38])
        t.CopyFrom(numpy_helper.from_array(arr, t.name))


def m_attributes(m, rng):
    node = rng.choice([n for n in m.graph.node if n.attribute] or list(m.graph.node))
    for a in node.attribute:
        if a.type == onnx.AttributeProto.INT:
            a.i = rng.choice([-(2**62), -1, 0, 2**31, 999])
        elif a.type == onnx.AttributeProto.INTS:
            a.ints[:] = [rng.choice([-1, 0, 2**40]) for _ in a.ints]
        elif a.type == onnx.AttributeProto.FLOAT:
            a.f = float("nan")


def m_interface(m, rng):
    g = m.graph
    choice = rng.randrange(4)
    if choice == 0 and g.input:
        g.input.remove(rng.choice(list(g.input)))
    elif choice == 1 and g.output:
        g.output[0].name = "not_logits"
    elif choice == 2 and g.input:
        dim = rng.choice(list(g.input)).type.tensor_type.shape.dim
        if dim:
            dim[rng.randrange(len(dim))].dim_value = rng.choice([0, 1, 3, 2**40])
    else:
        g.input.append(helper.make_tensor_value_info("surprise", onnx.TensorProto.FLOAT, [1, 2]))


def m_huge(m, rng):
    make = rng.choice([hostile.identity_chain, hostile.constant_nodes, hostile.matmul_chain,
                       hostile.scalar_initializers])
    make(m, rng.choice([20_000, 100_000]))


BYTE_STRATEGIES: dict[str, Callable] = {"bytes": m_bytes, "truncate": m_truncate, "insert": m_insert}
PROTO_STRATEGIES: dict[str, Callable] = {
    "dims": m_dims, "dtype": m_dtype, "raw_length": m_raw_length, "duplicate_names": m_duplicate_names,
    "remove_initializer": m_remove_initializer, "external_data": m_external, "subgraph": m_subgraph,
    "unknown_op": m_unknown_op, "names": m_names, "nonfinite": m_nonfinite, "attributes": m_attributes,
    "interface": m_interface, "huge": m_huge,
}
STRATEGIES = list(BYTE_STRATEGIES) + list(PROTO_STRATEGIES)
WEIGHT = {"huge": 0.15}  # 100,000-node mutants are slow to make and to run: fewer of them


def make_mutant(base: str, strategy: str, seed: int, root: Path) -> Path:
    """A folder with the mutated model.onnx and the base's side files; deterministic in (base, strategy, seed)."""
    rng = random.Random(f"{base}/{strategy}/{seed}")
    folder = root / f"{base}-{strategy}-{seed}"
    folder.mkdir(parents=True)
    for side in ("tokenizer.json", "config.json", "generation_config.json"):
        shutil.copy(hostile.BASES[base] / side, folder / side)
    data = (hostile.BASES[base] / "model.onnx").read_bytes()
    if strategy in BYTE_STRATEGIES:
        data = BYTE_STRATEGIES[strategy](data, rng)
    else:
        m = onnx.ModelProto()
        m.ParseFromString(data)
        fn = PROTO_STRATEGIES[strategy]
        fn(m, rng, folder) if strategy == "external_data" else fn(m, rng)
        data = m.SerializeToString()
        if strategy == "names" and rng.random() < 0.5:  # and a name that is not UTF-8 at all
            data = hostile_bytes_name(data, rng)
    (folder / "model.onnx").write_bytes(data)
    return folder


def hostile_bytes_name(data: bytes, rng: random.Random) -> bytes:
    m = onnx.ModelProto()
    m.ParseFromString(data)
    name = rng.choice(list(m.graph.initializer)).name.encode()
    return data.replace(name, name[:-1] + b"\xfe") if len(name) > 1 else data


def schedule(bases: list[str], per_base: int, seed: int = 0) -> list[tuple[str, str, int]]:
    """(base, strategy, seed) for `per_base` mutants of each base, strategies in turn (huge ones rarer)."""
    rng = random.Random(seed)
    weights = [WEIGHT.get(s, 1.0) for s in STRATEGIES]
    out = []
    for base in bases:
        for i in range(per_base):
            out.append((base, rng.choices(STRATEGIES, weights)[0], i))
    return out


# ----------------------------------------------------------------------------- running
def run_forked(argv: list[str], cwd: Path, time_limit: float = TIME_LIMIT_S) -> tuple[int | None, str, str, float, float]:
    """(exit status or None when killed, stdout, stderr, seconds, peak RSS MB) of `inspector.cli.main(argv)` in a
    forked child.  The exit status is negative for a signal."""
    from inspector.cli import main

    out_path, err_path = cwd / "stdout.txt", cwd / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        sys.stdout.flush()
        sys.stderr.flush()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: the real entry point, its own stdout and stderr
            code = 70
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # not a test runner's capture objects
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
                os.chdir(cwd)
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - anything escaping main() is the failure we look for
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code if isinstance(code, int) else 1)
        status = usage = None
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - t0 > time_limit:
                os.kill(pid, signal.SIGKILL)
                _done, status, usage = os.wait4(pid, 0)
                status = None
                break
            time.sleep(0.005)
    seconds = time.monotonic() - t0
    code = None if status is None else os.waitstatus_to_exitcode(status)
    text = lambda p: p.read_bytes().decode("utf-8", "replace")  # noqa: E731
    return code, text(out_path), text(err_path), seconds, usage.ru_maxrss * 1024 / 1e6  # KiB → MB


def _strict_json(text: str):
    def refuse(token):
        raise ValueError(f"{token} is not JSON")
    return json.loads(text, parse_constant=refuse)


def judge(command: str, code, stdout: str, stderr: str, seconds: float, rss: float, out: Path) -> tuple[str, str]:
    if code is None:
        return "failure", f"killed after {seconds:.0f} s"
    if rss > MEMORY_LIMIT_MB:
        return "failure", f"{rss:.0f} MB"
    if "Traceback" in stderr:
        return "failure", "traceback: " + stderr.strip().splitlines()[-1][:200]
    if code == 0:
        try:
            _strict_json((out / "r.json").read_text() if command == "report" else stdout)
        except (ValueError, OSError) as exc:
            return "failure", f"exit 0 without standard JSON ({exc})"[:200]
        return "ok", ""
    lines = stderr.strip().splitlines()
    if code == 2 and len(lines) == 1 and lines[0].startswith("error: "):
        return "error", lines[0][:200]
    return "failure", f"exit {code}: " + " | ".join(lines)[:300]


def run_mutant(folder: Path, strategy: str, commands=tuple(COMMANDS)) -> list[Verdict]:
    """Every command on one mutant folder, judged."""
    verdicts = []
    for command in commands:
        work = folder / f"run-{command}"
        work.mkdir()
        code, stdout, stderr, seconds, rss = run_forked(COMMANDS[command](folder / "model.onnx", work), work)
        outcome, why = judge(command, code, stdout, stderr, seconds, rss, work)
        verdicts.append(Verdict(folder.name, strategy, command, outcome, why, seconds, rss))
    return verdicts


def fuzz_one(base: str, strategy: str, seed: int, commands=tuple(COMMANDS)) -> list[Verdict]:
    with tempfile.TemporaryDirectory(prefix="inspector-fuzz-") as tmp:
        return run_mutant(make_mutant(base, strategy, seed, Path(tmp)), strategy, commands)


def fuzz(bases: list[str], per_base: int, commands=tuple(COMMANDS), seed: int = 0,
         progress: Callable[[int, int, Verdict], None] | None = None, keep: Path | None = None) -> Tally:
    """Make each mutant, run every command on it, judge each run; `keep` gets a copy of each failing mutant."""
    tally = Tally()
    plan = schedule(bases, per_base, seed)
    with tempfile.TemporaryDirectory(prefix="inspector-fuzz-") as tmp:
        root = Path(tmp)
        for n, (base, strategy, i) in enumerate(plan):
            folder = make_mutant(base, strategy, i, root)
            verdicts = run_mutant(folder, strategy, commands)
            tally.verdicts.extend(verdicts)
            if progress:
                for v in verdicts:
                    progress(n, len(plan), v)
            if keep is not None and any(v.outcome == "failure" for v in verdicts):
                shutil.copytree(folder, keep / folder.name, dirs_exist_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
    return tally
