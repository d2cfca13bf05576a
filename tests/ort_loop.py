"""Greedy decoding with nothing but onnxruntime: the whole sequence each step, an empty cache, no engine code.

The oracle the engine is held to on files PyTorch cannot run (fp16, merged decoders, genai builds).
"""

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
    ids = list(prompt_ids)
    for _ in range(n):
        feeds = {"input_ids": np.array([ids], np.int64)}
        if "attention_mask" in ins:
            feeds["attention_mask"] = np.ones((1, len(ids)), np.int64)
        if "position_ids" in ins:
            feeds["position_ids"] = np.arange(len(ids), dtype=np.int64)[None]
        if "use_cache_branch" in ins:
            feeds["use_cache_branch"] = np.array([False])
        for name, i in ins.items():
            if name.startswith("past_key_values"):
                heads = i.shape[1]
                size = i.shape[3] if isinstance(i.shape[3], int) else head_dim or _head_size(path)
                feeds[name] = np.zeros((1, heads, 0, size), FLOATS[i.type])
        logits = sess.run(["logits"], feeds)[0]
        ids.append(int(np.argmax(logits[0, -1].astype(np.float32))))
    return ids[len(prompt_ids):]
