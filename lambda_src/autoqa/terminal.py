"""Text fit for a terminal: control characters from file names and calls are shown, not obeyed."""

from __future__ import annotations

import re

# C0 and C1 controls (but newline), DEL, bidirectional overrides and line separators: each
# could move the cursor, recolour the screen or reorder what the user reads.
_UNPRINTABLE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, keep_newlines: bool = False) -> str:
    escaped = _UNPRINTABLE.sub(_escape, str(text))
    return escaped if keep_newlines else escaped.replace("\n", "\\n")
