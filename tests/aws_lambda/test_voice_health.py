"""The outside health check: what it reports for a healthy line, a bad certificate, a line that
answers errors or nothing, and a line closed by its schedule. Real HTTPS on loopback."""

from __future__ import annotations

import datetime as dt
import http.server
import inspect
import ipaddress
import json
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from contracts.voice_line import HEALTH_PATH
from handlers import voice_health

NOW = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)  # 11:30 in India


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificate_pair(tmp_path, *, days: int, host: str = "127.0.0.1"):
    """A CA (trusted by the test's client only) and a server certificate it signed."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("test CA"))
        .issuer_name(_name("test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1 + days))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, ca_file


@pytest.fixture
def line(tmp_path):
    """An HTTPS server on loopback answering /healthz with the status the test sets."""
    cert, key, ca = certificate_pair(tmp_path, days=5)
    state = {"status": 200}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"status": "ok"}).encode()  # all the public check says
            self.send_response(state["status"] if self.path == "/healthz" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    trusting = ssl.create_default_context(cafile=str(ca))
    yield server.server_address[1], trusting, state
    server.shutdown()
    server.server_close()


def test_a_healthy_line_with_a_trusted_certificate(line):
    port, trusting, _ = line
    result = voice_health.probe("127.0.0.1", port=port, context=trusting, timeout=5)
    assert result.healthy and result.certificate_valid
    assert 4.5 < result.days_left < 5.5


def test_an_untrusted_certificate_is_reported_as_such(line):
    port, _, _ = line
    result = voice_health.probe("127.0.0.1", port=port, timeout=5)  # the system's trust store
    assert not result.healthy and result.certificate_valid is False
    assert "certificate" in result.detail


def test_a_line_answering_errors_is_unhealthy_but_its_certificate_is_fine(line):
    port, trusting, state = line
    state["status"] = 503
    result = voice_health.probe("127.0.0.1", port=port, context=trusting, timeout=5)
    assert not result.healthy and result.certificate_valid is True
    assert "503" in result.detail


def test_the_probe_asks_the_contracts_health_path_and_needs_only_its_status(line):
    """The public /healthz says `{"status": "ok"}` and nothing of the calls: a 200 is healthy
    whatever the body, and the probe reads no field of it."""
    port, trusting, _ = line
    assert inspect.signature(voice_health.probe).parameters["path"].default == HEALTH_PATH
    assert voice_health.probe("127.0.0.1", port=port, context=trusting, timeout=5).healthy
    # A path the line does not serve answers 404 here: the probe would see the difference.
    assert not voice_health.probe(
        "127.0.0.1", path="/missing", port=port, context=trusting, timeout=5
    ).healthy


def test_an_unreachable_line_says_nothing_of_its_certificate():
    result = voice_health.probe("127.0.0.1", port=1, timeout=2)
    assert not result.healthy and result.certificate_valid is None
    assert result.detail.startswith("unreachable")


def test_metrics_are_embedded_in_the_log_line_cloudwatch_reads():
    result = voice_health.Probe(False, False, None, "certificate not trusted: expired")
    record = voice_health.emf(result, "13.235.10.20", 1_700_000_000_000)
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "BatterySmart/VoiceLine"
    assert {m["Name"] for m in directive["Metrics"]} == {"Healthy", "CertificateValid"}
    assert record["Healthy"] == 0 and record["CertificateValid"] == 0
    assert json.loads(json.dumps(record)) == record


def test_the_handler_checks_during_opening_hours_and_stays_quiet_outside(monkeypatch, capsys, line):
    port, trusting, _ = line
    monkeypatch.setenv("VOICE_HOSTNAME", "127.0.0.1")
    monkeypatch.setenv("VOICE_HOURS", "06:00-23:00 Asia/Kolkata")
    checked = []
    real_probe = voice_health.probe

    def fake_probe(host, **_kwargs):
        checked.append(host)
        return real_probe(host, port=port, context=trusting, timeout=5)

    monkeypatch.setattr(voice_health, "probe", fake_probe)
    assert voice_health.lambda_handler({}, None, now=NOW)["healthy"] is True
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metrics["Healthy"] == 1 and metrics["CertificateValid"] == 1
    # 23:30 India time: closed, nothing published, so the alarms stay quiet.
    closed = voice_health.lambda_handler(
        {}, None, now=dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.UTC)
    )
    assert closed == {"checked": False, "reason": "closed"}
    assert "Healthy" not in capsys.readouterr().out
    # 06:05 India time: the instance is still starting.
    starting = dt.datetime(2026, 12, 5, 0, 35, tzinfo=dt.UTC)
    assert voice_health.lambda_handler({}, None, now=starting)["checked"] is False
    assert checked == ["127.0.0.1"]
