"""What the dashboard needs of the place calls are kept, and who is asking.

A backend hands rows as plain dicts: the `CallQA_Results` record (a scored call's fields, or a
failed or transcribing call's), plus the review state a review writes onto it
(`review_status`, `review_revision`, `reviewed_by`, `reviewed_at`, `reviewed_flags`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from contracts.dashboard import Review
from dashboard.query import CallFilter

Row = dict[str, Any]


@dataclass(frozen=True)
class Caller:
    user: str
    supervisor: bool


class ReviewConflict(Exception):
    """Another review of the call was written first (its revision is taken)."""


class Backend(Protocol):
    def page(self, f: CallFilter, limit: int, position: Any | None) -> tuple[list[Row], Any]:
        """Up to `limit` rows passing `f` in triage order, from `position` (None: the start),
        and the position after them (None: no more)."""
        ...

    def call(self, call_id: str) -> Row | None: ...

    def transcript(self, row: Row) -> str:
        """The call's whole transcript text (a very long one may be kept outside its row)."""
        ...

    def audio_url(self, row: Row, seconds: int) -> str | None:
        """A URL the browser can play the recording from for `seconds`; None: no recording."""
        ...

    def calls_between(self, start: datetime, end: datetime, agent: str | None) -> Iterator[Row]:
        """Every call in [start, end) (of one agent), in any order: for totals."""
        ...

    def reviews(self, call_id: str) -> list[Review]:
        """The call's reviews, oldest first."""
        ...

    def save_review(self, review: Review, row: Row) -> None:
        """Append the review and set the call's review state, both or neither; raises
        ReviewConflict when the review's revision is taken."""
        ...
