"""The tokenizer beside the model (Hugging Face `tokenizers`), and the ids that end a text."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path

from tokenizers import Tokenizer

from ..errors import GenerationError, first_line
from ..messages import sentence
from ..model.sources import ModelSource

log = logging.getLogger(__name__)
EOS_TOKENS = ("<|endoftext|>", "</s>", "<|eot_id|>", "<|end_of_text|>", "<eos>")
BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")  # SentencePiece's byte fallback
KEPT = "\n\t\r"  # control characters a text may hold as they are


def byte_level_alphabet() -> dict[str, int]:
    """GPT-2's byte-level alphabet, character -> byte: printable bytes stand for themselves, the other 68 for
    the characters from U+0100 on, in byte order (how every byte-level BPE spells its pieces)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[chr(b)] = b
        else:
            table[chr(0x100 + extra)] = b
            extra += 1
    return table


BYTE_LEVEL = byte_level_alphabet()


def show_bytes(data: bytes) -> str:
    """Bytes that are not text on their own, as people can read them: ⟨E5 8F⟩."""
    return "⟨" + " ".join(f"{b:02X}" for b in data) + "⟩"


def visible(text: str) -> str:
    """Control characters (other than newline, tab, return) shown as their bytes, never passed on raw."""
    if not any(unicodedata.category(c) == "Cc" and c not in KEPT for c in text):
        return text
    return "".join(show_bytes(c.encode("utf-8")) if unicodedata.category(c) == "Cc" and c not in KEPT else c
                   for c in text)


def utf8_prefix(data: bytes, final: bool) -> tuple[str, bytes]:
    """(the text of `data`'s complete characters, its incomplete tail).  Invalid bytes are shown as bytes; with
    `final`, an incomplete tail is too."""
    out, i = [], 0
    while i < len(data):
        try:
            out.append(data[i:].decode("utf-8"))
            i = len(data)
        except UnicodeDecodeError as exc:
            out.append(data[i:i + exc.start].decode("utf-8"))
            bad = data[i + exc.start:i + exc.end]
            if exc.end == len(data) - i and exc.reason == "unexpected end of data" and not final:
                return visible("".join(out)), bad  # a character still arriving: held back
            out.append(show_bytes(bad))
            i += exc.end
    return visible("".join(out)), b""


UNREADABLE = sentence("tokenizer.json cannot be read: {0}")


class TextCodec:
    """Text <-> ids through tokenizer.json.  A token that is part of a character (byte-level BPE splits every
    CJK character and emoji) shows as its bytes on its own, and joins its neighbours in running text."""

    def __init__(self, path: Path):
        try:
            self.tok = Tokenizer.from_file(str(path))
            spec = json.loads(self.tok.to_str())
        except Exception as exc:  # noqa: BLE001 - a malformed tokenizer.json is the user's file, not our bug
            raise GenerationError(UNREADABLE(first_line(exc) or type(exc).__name__), str(path)) from None
        decoder = spec.get("decoder") or {}
        kinds = [d.get("type") for d in decoder.get("decoders", [decoder]) if isinstance(d, dict)]
        self.byte_level = "ByteLevel" in kinds
        self.special = {t["id"] for t in spec.get("added_tokens", []) if isinstance(t, dict) and t.get("special")}

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text).ids

    def decode(self, ids: list[int]) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=False)

    def token_bytes(self, token_id: int) -> bytes | None:
        """The bytes a token stands for, where its piece says (byte-level BPE, byte fallback); else None."""
        piece = self.tok.id_to_token(int(token_id))
        if piece is None or token_id in self.special:
            return None
        m = BYTE_PIECE.match(piece)
        if m:
            return bytes([int(m.group(1), 16)])
        if self.byte_level and all(c in BYTE_LEVEL for c in piece):
            return bytes(BYTE_LEVEL[c] for c in piece)
        return piece.replace("▁", " ").encode("utf-8")

    def token_text(self, token_id: int) -> str:
        """One token as text; one that is not text on its own (part of a character) as its bytes: ⟨E5 8F⟩."""
        text = self.decode([token_id])
        if "\ufffd" in text and (data := self.token_bytes(token_id)) is not None:
            return utf8_prefix(data, final=True)[0]
        return visible(text)

    def readable(self, ids: list[int], final: bool = True) -> str:
        """Running text: bytes joined into characters; without `final`, a character still arriving is held
        back.  No replacement or control character ever comes out."""
        text = self.decode(ids)
        if "\ufffd" not in text:
            return visible(text)
        data = b"".join(self._bytes_or_text(i) for i in ids)
        return utf8_prefix(data, final)[0]

    def _bytes_or_text(self, token_id: int) -> bytes:
        data = self.token_bytes(token_id)
        return data if data is not None else self.decode([token_id]).encode("utf-8")

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
