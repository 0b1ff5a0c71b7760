"""AWS failures become typed errors: real botocore errors from a real HTTP endpoint.

``ErrorEndpoint`` is a tiny HTTP server on 127.0.0.1 that answers every request with one
canned AWS error document (XML for query-protocol services like STS, JSON for the JSON
protocol ones), so botocore parses a genuine error answer; nothing is monkeypatched.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console.backends.aws import AwsBackend, is_not_implemented
from console.config import AwsConfig, Config
from console.errors import Denied, NotFound, Throttled, Unavailable, Unconfigured

XML_ERROR = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
             '<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>')


class ErrorEndpoint:
    """Answers every AWS call with ``code`` (HTTP ``status``); counts the requests."""

    def __init__(self, code: str, status: int = 400, message: str = "canned error") -> None:
        self.code, self.status, self.message = code, status, message
        self.requests = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                endpoint.requests += 1
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.dumps({"__type": endpoint.code, "message": endpoint.message}).encode()
                    ctype = "application/x-amz-json-1.1"
                else:
                    body = XML_ERROR.format(code=endpoint.code, message=endpoint.message).encode()
                    ctype = "text/xml"
                self.send_response(endpoint.status)
                self.send_header("Content-Type", ctype)
                self.send_header("x-amzn-ErrorType", endpoint.code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ErrorEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def backend_for(url: str) -> AwsBackend:
    return AwsBackend(Config(aws=AwsConfig(region="us-east-1", endpoint_url=url, timeout=5.0)))


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException",
                                  "AccessDenied"])
def test_expired_or_denied_credentials_are_denied(fake_credentials, code):
    with ErrorEndpoint(code, 403) as endpoint:
        with pytest.raises(Denied) as err:
            backend_for(endpoint.url).connect()
    assert err.value.source == "sts.get_caller_identity"
    assert code in err.value.body
    if "Expired" in code:
        assert "expired" in err.value.body


@pytest.mark.parametrize("code", ["Throttling", "ThrottlingException", "TooManyRequestsException"])
def test_throttling_is_throttled_after_limited_retries(fake_credentials, code):
    with ErrorEndpoint(code, 400) as endpoint:
        backend = backend_for(endpoint.url)
        with pytest.raises(Throttled) as err:
            backend.call("ce", "get_cost_and_usage", TimePeriod={"Start": "2026-11-01", "End": "2026-11-02"},
                         Granularity="DAILY", Metrics=["UnblendedCost"])
    assert err.value.source == "ce.get_cost_and_usage"
    assert 1 < endpoint.requests <= 3  # retried, but only a little


def test_not_found_by_code(fake_credentials):
    with ErrorEndpoint("PipelineNotFoundException", 400) as endpoint:
        with pytest.raises(NotFound):
            backend_for(endpoint.url).pipeline("nope")


def test_unreachable_endpoint_is_unavailable(fake_credentials):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Unavailable) as err:
        backend_for(f"http://127.0.0.1:{port}").connect()
    assert "cannot reach" in err.value.body


def test_no_credentials_is_unconfigured():
    with pytest.raises(Unconfigured) as err:
        backend_for("http://127.0.0.1:9").connect()
    assert "credentials" in err.value.body


def test_no_region_is_unconfigured(fake_credentials):
    with pytest.raises(Unconfigured) as err:
        AwsBackend(Config()).connect()
    assert "region" in err.value.body


def test_unknown_profile_is_unconfigured():
    with pytest.raises(Unconfigured) as err:
        AwsBackend(Config(aws=AwsConfig(profile="ghost", region="us-east-1"))).connect()
    assert "ghost" in err.value.body


def test_profiles_come_from_the_config_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config"
    cfg.write_text("[default]\nregion = us-east-1\n[profile prod-admin]\nregion = eu-west-1\n"
                   "[profile dev]\nregion = us-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    backend = AwsBackend(Config(aws=AwsConfig(region="us-east-1")))
    assert backend.available_profiles() == ("default", "dev", "prod-admin")
    assert "eu-west-1" in backend.available_regions()


def test_not_implemented_is_recognised_by_status(fake_credentials):
    with ErrorEndpoint("NotImplemented", 501) as endpoint:
        backend = backend_for(endpoint.url)
        with pytest.raises(Unavailable) as err:
            backend.call("codepipeline", "get_pipeline_state", name="x")
    assert err.value.title == "Not supported"
    assert "codepipeline.get_pipeline_state" in backend.unsupported
    assert is_not_implemented(err.value.__cause__)
