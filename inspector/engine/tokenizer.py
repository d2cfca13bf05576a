"""The tokenizer beside the model (Hugging Face `tokenizers`), and the ids that end a text."""

from __future__ import annotations

import logging
from pathlib import Path

from tokenizers import Tokenizer

from ..errors import GenerationError
from ..model.sources import ModelSource

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


def _ints(value) -> set[int]:
    return {v for v in (value if isinstance(value, list) else [value])
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0}


def eos_ids(source: ModelSource, codec: TextCodec | None) -> set[int]:
    """End-of-sequence ids from generation_config.json, config.json or genai_config.json (beside the model
    or one folder up), else the tokenizer's usual end tokens."""
    found: set[int] = set()
    for name in ("generation_config.json", "config.json"):
        cfg = source.side_json(name)
        if cfg:
            found |= _ints(cfg.get("eos_token_id"))
    genai = source.side_json("genai_config.json")
    if not found and genai and isinstance(genai.get("model"), dict):
        found = _ints(genai["model"].get("eos_token_id"))
    if not found and codec is not None:
        found = {i for t in EOS_TOKENS if (i := codec.token_id(t)) is not None}
    return found


def context_from_config(source: ModelSource) -> int | None:
    """The context length a config gives, for a model whose graph does not say."""
    cfg = source.side_json("config.json") or {}
    for key in ("n_positions", "max_position_embeddings", "n_ctx"):
        if isinstance(cfg.get(key), int) and cfg[key] > 0:
            return cfg[key]
    genai = source.side_json("genai_config.json") or {}
    ctx = genai.get("model", {}).get("context_length") if isinstance(genai.get("model"), dict) else None
    return ctx if isinstance(ctx, int) and ctx > 0 else None
