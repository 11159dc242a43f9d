"""What a value must look like before it reaches the instance's shell or its rendered configs:
one definition for the synth-time check (VoiceStack) and the instance's render.py.

No pattern admits a quote, `$`, a backtick, `;`, `&`, `|`, `<`, `>`, a backslash or a newline,
so a value that passes cannot break out of the user data's single quotes, run a command or add
a line to agent.env. (A phone number's spaces and parentheses are why the user data quotes
every value as well.)
"""

from __future__ import annotations

import re

# A DNS name: dot-separated labels of letters, digits and inner hyphens; at least two labels.
LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"(?=.{{1,253}}\Z)({LABEL}\.)+[A-Za-z]{{2,63}}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@" + HOSTNAME.pattern)
# The number callers are given (the call page shows the same one): "+91 80 4567 8900".
PHONE = re.compile(r"[+0-9 ()-]{6,20}")
HOSTNAME_EXAMPLE = "voice.example.com"
EMAIL_EXAMPLE = "ops@example.com"
PHONE_EXAMPLE = "+91 80 4567 8900"


def is_hostname(value: str) -> bool:
    return HOSTNAME.fullmatch(value) is not None


def is_email(value: str) -> bool:
    return EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    return PHONE.fullmatch(value) is not None and any(c.isdigit() for c in value)
