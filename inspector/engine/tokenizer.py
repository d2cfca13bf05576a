"""The tokenizer beside the model (Hugging Face `tokenizers`), and the ids that end a text."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tokenizers import Tokenizer

from ..errors import GenerationError

log = logging.getLogger(__name__)
EOS_TOKENS = ("<|endoftext|>", "</s>", "<|eot_id|>", "<|end_of_text|>", "<eos>")


class TextCodec:
    """Text <-> ids through tokenizer.json; decoding of a growing id list yields only new, whole characters."""

    def __init__(self, path: Path):
        try:
            self.tok = Tokenizer.from_file(str(path))
        except Exception as exc:  # noqa: BLE001 - a malformed tokenizer.json is the user's file, not our bug
            raise GenerationError(f"tokenizer.json cannot be read ({type(exc).__name__})", str(path)) from None

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text).ids

    def decode(self, ids: list[int]) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=False)

    def token_text(self, token_id: int) -> str:
        return self.decode([token_id])

    def token_id(self, token: str) -> int | None:
        return self.tok.token_to_id(token)


def eos_ids(folder: Path, codec: TextCodec | None) -> set[int]:
    """End-of-sequence ids from config.json / generation_config.json, else the tokenizer's usual tokens."""
    found: set[int] = set()
    for name in ("generation_config.json", "config.json"):
        p = folder / name
        if not p.is_file():
            continue
        try:
            value = json.loads(p.read_text(encoding="utf-8")).get("eos_token_id")
        except (OSError, ValueError, AttributeError):
            continue
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, int) and v >= 0:
                found.add(v)
    if not found and codec is not None:
        found = {i for t in EOS_TOKENS if (i := codec.token_id(t)) is not None}
    return found


def context_from_config(folder: Path) -> int | None:
    p = folder / "config.json"
    if not p.is_file():
        return None
    try:
        cfg = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in ("n_positions", "max_position_embeddings", "n_ctx"):
        if isinstance(cfg.get(key), int) and cfg[key] > 0:
            return cfg[key]
    return None
