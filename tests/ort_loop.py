"""Greedy decoding with nothing but onnxruntime: the oracle the engine is held to on files PyTorch cannot
run (fp16, quantized, merged decoders, genai builds).  Plain code, none of the engine's: the prompt once,
then one token at a time with the cache fed back (dynamically quantized models must be run this way: their
activation scales depend on what each call sees)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort

FLOATS = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


def _head_size(path: Path) -> int | None:
    for folder in (path.parent, path.parent.parent):
        p = folder / "genai_config.json"
        if p.is_file():
            return json.loads(p.read_text())["model"]["decoder"]["head_size"]
    return None


def plain_greedy(path: Path, prompt_ids: list[int], n: int, head_dim: int | None = None) -> list[int]:
    """`head_dim`: the cache's head size where the file leaves it symbolic (default: from genai_config.json)."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ins = {i.name: i for i in sess.get_inputs()}
    outs = [o.name for o in sess.get_outputs()]
    past = {}
    for name, i in ins.items():
        if name.startswith("past_key_values"):
            size = i.shape[3] if isinstance(i.shape[3], int) else head_dim or _head_size(path)
            past[name] = np.zeros((1, i.shape[1], 0, size), FLOATS[i.type])
    cached = bool(past) and all(n.replace("past_key_values", "present") in outs for n in past)
    ids, new = list(prompt_ids), list(prompt_ids)
    for _ in range(n):
        seen = len(ids) - len(new)
        feeds = {"input_ids": np.array([new], np.int64)}
        if "attention_mask" in ins:
            feeds["attention_mask"] = np.ones((1, len(ids)), np.int64)
        if "position_ids" in ins:
            feeds["position_ids"] = np.arange(seen, len(ids), dtype=np.int64)[None]
        if "use_cache_branch" in ins:
            feeds["use_cache_branch"] = np.array([seen > 0])
        result = dict(zip(outs, sess.run(None, {**feeds, **past})))
        token = int(np.argmax(result["logits"][0, -1].astype(np.float32)))
        ids.append(token)
        if cached:
            past = {name: result[name.replace("past_key_values", "present")] for name in past}
            new = [token]
        else:
            new = list(ids)
    return ids[len(prompt_ids):]


def plain_logits(path: Path, ids: list[int], head_dim: int | None = None) -> np.ndarray:
    """Every position's logits for `ids` in one run (an empty cache): [len(ids), vocab], as float32."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ins = {i.name: i for i in sess.get_inputs()}
    feeds = {"input_ids": np.array([ids], np.int64)}
    if "attention_mask" in ins:
        feeds["attention_mask"] = np.ones((1, len(ids)), np.int64)
    if "position_ids" in ins:
        feeds["position_ids"] = np.arange(len(ids), dtype=np.int64)[None]
    if "use_cache_branch" in ins:
        feeds["use_cache_branch"] = np.array([False])
    for name, i in ins.items():
        if name.startswith("past_key_values"):
            size = i.shape[3] if isinstance(i.shape[3], int) else head_dim or _head_size(path)
            feeds[name] = np.zeros((1, i.shape[1], 0, size), FLOATS[i.type])
    logits = sess.run(["logits"], feeds)[0]
    return np.asarray(logits[0], np.float32)
