"""Single-use supervisor invites: a code in the alert's link, exchanged once for a token.

The escalation alert carries `<page>/join#invite=<code>`. The code is in the fragment, which a
browser never sends to a server, so it is not in CloudFront's logs; the page sends it once to
the connect API, which answers with a short-lived agent token for that call. A code works
once and for ten minutes, and only while its call is still going; it is kept in memory on
the instance, beside the calls it opens.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from contracts import voice_line

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class InviteError(Exception):
    """Why a code cannot be redeemed: `kind` is the API's error code."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class _Invite:
    call_id: str
    expires_at: float
    used: bool = False


class InviteBook:
    def __init__(
        self,
        ttl_seconds: float = voice_line.INVITE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self._clock = clock
        self._invites: dict[str, _Invite] = {}
        self._lock = threading.Lock()  # issued from a worker thread, redeemed on the loop

    def __len__(self) -> int:
        return len(self._invites)

    def issue(self, call_id: str) -> str:
        code = secrets.token_urlsafe(24)  # 192 random bits
        with self._lock:
            self._forget_expired()
            self._invites[code] = _Invite(call_id, self._clock() + self.ttl)
        return code

    def redeem(self, code: str, call_is_live: Callable[[str], bool]) -> str:
        """The call the code opens, once; InviteError if it is unknown, used or expired."""
        if not CODE_PATTERN.match(code):
            raise InviteError("bad_request", "That is not an invite code.")
        with self._lock:
            invite = self._invites.get(code)
            if invite is None:
                raise InviteError(
                    "invite_unknown", "This invite is not known. Open the link from the alert."
                )
            if invite.used:
                raise InviteError(
                    "invite_used",
                    "This invite was already used. Each invite works once; ask for a new one.",
                )
            if self._clock() >= invite.expires_at:
                raise InviteError(
                    "invite_expired",
                    f"This invite has expired (invites work for {int(self.ttl // 60)} minutes).",
                )
            if not call_is_live(invite.call_id):
                invite.used = True
                raise InviteError("call_ended", "The caller has already left this call.")
            invite.used = True
            return invite.call_id

    def _forget_expired(self) -> None:
        # Used and expired codes are kept for one more lifetime, so a second try is told
        # "used" or "expired" rather than "unknown"; then they are forgotten.
        now = self._clock()
        for code in [c for c, i in self._invites.items() if now >= i.expires_at + self.ttl]:
            del self._invites[code]


def join_url(page: str, code: str) -> str:
    return f"{page}{voice_line.JOIN_PAGE}#{voice_line.INVITE_FRAGMENT_KEY}={code}"
