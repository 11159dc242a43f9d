"""The connect API's two outside calls: LiveKit's RoomService (a Twirp server on loopback
that decodes what the SDK sends) and CloudWatch's PutMetricData (botocore's Stubber)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import boto3
import pytest
from aiohttp import web
from botocore.stub import ANY, Stubber
from livekit import api
from livekit.protocol import egress

from contracts import health_metrics
from tests.voice.loopback_server import free_port
from voice_agent.call_metrics import CallMetrics, CloudWatchPublisher
from voice_agent.invites import InviteBook, InviteError
from voice_agent.rooms import LiveKitRooms, RoomError


class TwirpRoomService:
    """LiveKit's RoomService as the SDK speaks to it: protobuf over Twirp, a JWT per call."""

    def __init__(self, settings, status: int = 200) -> None:
        self.settings = settings
        self.status = status
        self.requests: list[tuple[api.CreateRoomRequest, api.access_token.Claims]] = []

    async def create_room(self, request: web.Request) -> web.Response:
        verifier = api.TokenVerifier(
            self.settings.livekit_api_key, self.settings.livekit_api_secret
        )
        claims = verifier.verify(request.headers["Authorization"].removeprefix("Bearer "))
        create = api.CreateRoomRequest.FromString(await request.read())
        self.requests.append((create, claims))
        if self.status != 200:
            return web.json_response({"code": "internal", "msg": "boom"}, status=self.status)
        room = api.Room(name=create.name, empty_timeout=create.empty_timeout)
        return web.Response(body=room.SerializeToString(), content_type="application/protobuf")


async def with_livekit(settings, service: TwirpRoomService, work):
    app = web.Application()
    app.router.add_post("/twirp/livekit.RoomService/CreateRoom", service.create_room)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        local = replace(settings, livekit_api_url=f"http://127.0.0.1:{port}")
        return await work(LiveKitRooms(local))
    finally:
        await runner.cleanup()


async def test_the_room_is_created_with_its_recording_by_the_server(settings):
    service = TwirpRoomService(settings)
    await with_livekit(settings, service, lambda rooms: rooms.create("call-0123456789ab"))
    ((create, claims),) = service.requests
    assert claims.video.room_create  # the API's own key; callers never hold this grant
    assert create.name == "call-0123456789ab"
    (output,) = create.egress.room.file_outputs
    assert create.egress.room.audio_mixing == egress.AudioMixing.DUAL_CHANNEL_AGENT
    assert output.filepath == "recordings/ai-agent/call-0123456789ab.ogg"
    assert output.s3.bucket == settings.recordings_bucket


async def test_a_livekit_error_is_a_room_error(settings):
    service = TwirpRoomService(settings, status=500)

    async def create(rooms):
        with pytest.raises(RoomError, match="call-0123456789ab"):
            await rooms.create("call-0123456789ab")

    await with_livekit(settings, service, create)
    assert len(service.requests) == 1  # one try: a self-hosted server has no other region


async def test_an_unreachable_livekit_is_a_room_error(settings):
    rooms = LiveKitRooms(replace(settings, livekit_api_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(RoomError):
        await rooms.create("call-0123456789ab")


def test_call_counts_are_published_in_the_voice_line_namespace(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    metrics = CallMetrics(max_calls=4, active_calls=lambda: 3)
    metrics.count(health_metrics.CALLS_STARTED)
    metrics.count(health_metrics.CALLS_STARTED)
    metrics.count(health_metrics.CALLS_REFUSED, "busy")
    metrics.count(health_metrics.ESCALATION_FAILED)
    cloudwatch = boto3.client("cloudwatch", region_name="ap-south-1")

    def datum(name, value, reason=None):
        d = {"MetricName": name, "Value": value, "Unit": "Count", "Timestamp": ANY}
        if reason:
            d["Dimensions"] = [{"Name": "Reason", "Value": reason}]
        return d

    with Stubber(cloudwatch) as stub:
        stub.add_response(
            "put_metric_data",
            {},
            {
                "Namespace": "BatterySmart/VoiceLine",
                "MetricData": [
                    datum("ActiveCalls", 3),
                    datum("CallsRefused", 1, "busy"),
                    datum("CallsStarted", 2),
                    datum("EscalationFailed", 1),
                ],
            },
        )
        assert CloudWatchPublisher(metrics, cloudwatch).flush()
        stub.assert_no_pending_responses()
    assert metrics.counts() == {}  # counted once


def test_a_failed_flush_keeps_the_counts_for_the_next_minute(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    metrics = CallMetrics(max_calls=4)
    metrics.count(health_metrics.ESCALATION_FAILED)
    metrics.count(health_metrics.CALLS_REFUSED, "rate_limited")
    cloudwatch = boto3.client("cloudwatch", region_name="ap-south-1")
    with Stubber(cloudwatch) as stub:
        stub.add_client_error("put_metric_data", "Throttling", http_status_code=400)
        assert not CloudWatchPublisher(metrics, cloudwatch).flush()
    assert metrics.counts() == {
        (health_metrics.ESCALATION_FAILED, None): 1,
        (health_metrics.CALLS_REFUSED, "rate_limited"): 1,
    }


def test_metric_data_carry_one_timestamp_per_flush():
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    data = CallMetrics(2).take(at)
    assert {d["Timestamp"] for d in data} == {at}


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_old_invites_are_forgotten_but_a_late_retry_is_told_why():
    clock = Clock()
    book = InviteBook(clock=clock)
    code = book.issue("call-0123456789ab")
    clock.now = 601
    with pytest.raises(InviteError) as late:
        book.redeem(code, lambda _c: True)
    assert late.value.kind == "invite_expired"
    clock.now = 1300  # two lifetimes on: forgotten when the next invite is issued
    book.issue("call-0123456789ac")
    assert len(book) == 1
    with pytest.raises(InviteError) as gone:
        book.redeem(code, lambda _c: True)
    assert gone.value.kind == "invite_unknown"


def test_invite_codes_are_unguessable_and_distinct():
    book = InviteBook()
    codes = {book.issue("call-0123456789ab") for _ in range(1000)}
    assert len(codes) == 1000 and all(len(c) >= 32 for c in codes)


async def test_a_failing_minute_does_not_stop_the_metrics():
    class Flaky:
        def __init__(self) -> None:
            self.calls = 0

        def __call__(self) -> int:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("dictionary changed size during iteration")
            return 1

    sent: list[list] = []

    class CloudWatch:
        def put_metric_data(self, Namespace, MetricData):
            sent.append(MetricData)

    active = Flaky()
    metrics = CallMetrics(max_calls=4, active_calls=active)
    publisher = CloudWatchPublisher(metrics, CloudWatch(), every=0.05)
    running = asyncio.create_task(publisher.run())
    await asyncio.sleep(0.3)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert active.calls >= 3 and len(sent) >= 2  # the first minute failed, the rest went out
