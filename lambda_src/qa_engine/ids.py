"""Call ids: what a user may name a call, checked before it becomes a key or a file name."""

from __future__ import annotations

import unicodedata

from qa_engine.errors import QAInputError

# Names a file too: file systems allow 255 bytes, and the store adds its own suffixes.
MAX_CALL_ID_BYTES = 200


def check_call_id(value: str) -> str:
    """The call id itself, or a one-line QAInputError saying what is wrong with it.

    A call id names a database row and a transcript file, so it may not be empty, be "." or
    "..", hold a path separator, or hold control or formatting characters (which would
    rewrite a terminal or hide what the id really is).
    """
    if not value or not value.strip():
        raise QAInputError("call id is empty")
    if len(value.encode("utf-8")) > MAX_CALL_ID_BYTES:
        raise QAInputError(
            f"call id is longer than {MAX_CALL_ID_BYTES} bytes (a file name must fit it)"
        )
    if value in (".", "..") or any(sep in value for sep in ("/", "\\")):
        raise QAInputError("call id may not contain a path separator or be '.' or '..'")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in value) or any(
        unicodedata.category(ch) == "Cf" and ch not in "\u200c\u200d" for ch in value
    ):
        raise QAInputError("call id may not contain control or formatting characters")
    return value
