"""SSM parameters one part of the product writes and another reads at run time."""

from __future__ import annotations

# The call page's origin (https://dxxxx.cloudfront.net): written by WebStack, read by the voice
# line for CORS and supervisor join links. Read at run time, so the page deploys after the line
# and a page change never touches the instance.
WEB_ORIGIN_PARAMETER = "/battery-smart/voice/web-origin"
