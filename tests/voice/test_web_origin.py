"""The page origin lookup never makes a caller wait for SSM."""

from __future__ import annotations

import threading
import time

from voice_agent.web_origin import WebOrigin

PAGE = "https://d111111abcdef8.cloudfront.net"


class SlowSsm:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.reads = 0
        self.done = threading.Event()

    def get_parameter(self, Name):
        self.reads += 1
        time.sleep(self.seconds)
        self.done.set()
        return {"Parameter": {"Name": Name, "Value": PAGE}}


def test_a_slow_parameter_store_delays_only_the_background_refresh():
    ssm = SlowSsm(1.0)
    origin = WebOrigin(parameter="/p", ssm=ssm)
    started = time.perf_counter()
    assert origin() is None  # nothing known yet: nothing allowed, and no wait
    assert origin() is None  # one refresh at a time
    assert time.perf_counter() - started < 0.2
    assert ssm.done.wait(5)
    deadline = time.monotonic() + 5
    while origin() != PAGE and time.monotonic() < deadline:
        time.sleep(0.01)
    assert origin() == PAGE and origin.allows(PAGE + "/") and not origin.allows("https://x")
    assert ssm.reads == 1


def test_a_page_given_directly_needs_no_parameter_store():
    origin = WebOrigin(static="http://localhost:5173/")
    assert origin() == "http://localhost:5173" and origin.allows("http://localhost:5173")
