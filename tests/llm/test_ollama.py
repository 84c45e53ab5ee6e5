"""OllamaClient against a real HTTP server on localhost that speaks /api/generate."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deepmap.errors import DataError, InputError
from deepmap.llm.ollama import OllamaClient

PIECES = ["The", " cat", " sat", "."]


class _Handler(BaseHTTPRequestHandler):
    requests: list = []  # noqa: RUF012  (the test reads what the server received)

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.requests.append((self.path, body))
        if body.get("model") == "missing":
            self._send(404, b'{"error":"model \\"missing\\" not found, try pulling it first"}')
            return
        if body.get("model") == "garbage":
            self._send(200, b"not json\n")
            return
        if body.get("model") == "truncated":
            self._send(200, b'{"response":"a","done":false}\n')
            return
        lines = [{"model": body["model"], "response": p, "done": False} for p in PIECES]
        lines.append(
            {
                "model": body["model"],
                "response": "",
                "done": True,
                "done_reason": "stop",
                "eval_count": 4,
                "eval_duration": 2_000_000_000,
            }
        )
        self._send(200, b"".join(json.dumps(x).encode() + b"\n" for x in lines))

    def _send(self, code, payload):
        self.send_response(code)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_streams_the_pieces_and_sends_the_request(server):
    client = OllamaClient("smollm2:135m", host=server)
    assert list(client.stream("Hi", temperature=0.0, num_predict=4)) == PIECES
    path, body = _Handler.requests[-1]
    assert path == "/api/generate"
    assert body == {
        "model": "smollm2:135m",
        "prompt": "Hi",
        "stream": True,
        "options": {"temperature": 0.0, "num_predict": 4},
    }
    reply = client.generate("Hi")
    assert reply.text == "The cat sat."
    assert reply.stats["done_reason"] == "stop"
    assert reply.tokens_per_second == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("missing", 'HTTP 404 (model "missing" not found'),
        ("garbage", "line 1 is not JSON"),
        ("truncated", "ended before done"),
    ],
)
def test_bad_replies_are_one_line_errors(server, model, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")) as info:
        OllamaClient(model, host=server).generate("Hi")
    assert "\n" not in str(info.value)


def test_no_server_names_the_host():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    host = f"http://127.0.0.1:{port}"
    with pytest.raises(DataError, match=f"no Ollama server at {host}"):
        OllamaClient("m", host=host, timeout=5).generate("Hi")


@pytest.mark.parametrize("host", ["localhost:11434", "ftp://x", ""])
def test_bad_host_is_an_input_error(host):
    with pytest.raises(InputError, match="--host must be an http"):
        OllamaClient("m", host=host).generate("Hi")


def test_the_network_beyond_loopback_stays_blocked():
    import socket

    with (
        pytest.raises(OSError, match="tests never touch the network"),
        socket.create_connection(("example.com", 80), timeout=1),
    ):
        pass
