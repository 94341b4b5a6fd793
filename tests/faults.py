"""A proxy between the app and the local Stripe server that misbehaves on demand.

The app is pointed at the proxy (`STRIPE_API_BASE`); each request is forwarded to the local
Stripe server unless a fault says otherwise:

- `refuse(match)`: the request never reaches Stripe, the connection is closed unanswered;
- `drop_answer(match)`: Stripe does the work, the answer is thrown away (connection closed);
- `hold(match)`: Stripe does the work, the answer waits until the test releases it (the
  app's client gives up first: a slow answer).

`match(method, path, body)` picks the requests; each fault applies `times` times (None:
until `clear()`). Webhooks are never sent by the tests' Stripe server: a test delivers
the events it wants, so a lost webhook is one the test does not deliver.
"""

import contextlib
import http.client
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Match = Callable[[str, str, bytes], bool]


def request_to(pattern: str, method: str = "POST") -> Match:
    """Requests with this method whose path (without the query) matches `pattern`."""
    regex = re.compile(pattern)
    return lambda m, path, body: m == method and bool(regex.fullmatch(path.split("?")[0]))


def charges(method: str, path: str, body: bytes) -> bool:
    """The request that charges a card: confirming a PaymentIntent (at creation or after)."""
    path = path.split("?")[0]
    return method == "POST" and (
        bool(re.fullmatch(r"/v1/payment_intents/[^/]+/confirm", path))
        or (path == "/v1/payment_intents" and b"confirm=true" in body.lower())
    )


@dataclass
class Fault:
    action: str
    match: Match
    times: int | None
    released: threading.Event = field(default_factory=threading.Event)
    reached: threading.Event = field(default_factory=threading.Event)
    hits: int = 0


class StripeProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.faults: list[Fault] = []
        self.forwarded: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy._handle(self)

            do_POST = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _add(self, action: str, match: Match, times: int | None) -> Fault:
        fault = Fault(action, match, times)
        with self.lock:
            self.faults.append(fault)
        return fault

    def refuse(self, match: Match = lambda *_: True, times: int | None = None) -> Fault:
        return self._add("refuse", match, times)

    def drop_answer(self, match: Match, times: int | None = 1) -> Fault:
        return self._add("drop", match, times)

    def hold(self, match: Match, times: int | None = 1, *, then_drop: bool = False) -> Fault:
        """Forward, then keep the answer until `released` is set (and then drop it, if
        `then_drop`)."""
        return self._add("hold_drop" if then_drop else "hold", match, times)

    def clear(self) -> None:
        with self.lock:
            for fault in self.faults:
                fault.released.set()
            self.faults.clear()

    def close(self) -> None:
        self.clear()
        self.server.shutdown()
        self.server.server_close()

    def _fault_for(self, method: str, path: str, body: bytes) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.match(method, path, body):
                    fault.hits += 1
                    fault.reached.set()
                    return fault
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        method, path = handler.command, handler.path
        fault = self._fault_for(method, path, body)
        if fault is not None and fault.action == "refuse":
            return self._hang_up(handler)
        headers = {
            k: v
            for k, v in handler.headers.items()
            if k.lower() not in ("host", "connection", "content-length", "accept-encoding")
        }
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            upstream.request(method, path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            status, answer_headers = answer.status, answer.getheaders()
        finally:
            upstream.close()
        with self.lock:
            self.forwarded.append((method, path))
        if fault is not None and fault.action == "drop":
            return self._hang_up(handler)
        if fault is not None and fault.action in ("hold", "hold_drop"):
            fault.released.wait(30)
            if fault.action == "hold_drop":
                return self._hang_up(handler)
        try:
            handler.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting

    @staticmethod
    def _hang_up(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)
