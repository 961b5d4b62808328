"""A real OAI-PMH HTTP server on loopback that answers from a page source. I/O: network.

Used by the tests (with fault plans wrapped around the page source), by the
benchmark (a generated corpus) and by `oer demo` (bundled sample pages). It
binds 127.0.0.1 on a free port by default, answers each request on its own
thread, and can simulate what real sources do to a connection: answer late,
drop it half-way through a body, end a body by closing it, or trickle a body
byte by byte.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from harvester.replay_pages import PageSource, ReplayRequest, Reply

logger = logging.getLogger(__name__)

DEFAULT_PATH = "/oai"


def route_by_path(sources: Mapping[str, PageSource]) -> PageSource:
    """One page source per URL path (e.g. one per demo source on one server); other paths get 404."""

    def route(request: ReplayRequest) -> Reply:
        source = sources.get(request.path)
        if source is None:
            return Reply(body=b"not found\n", status=404, headers=(("Content-Type", "text/plain"),))
        return source(request)

    return route


class _ReplayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Loopback tests restart servers quickly; a lingering socket must not block the port.
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], pages: PageSource) -> None:
        super().__init__(address, _ReplayHandler)
        self.pages = pages
        self.lock = threading.Lock()
        self.received: list[ReplayRequest] = []

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that time out or give up hang up on us; that is the point of
        # several fault plans, not an error worth a traceback on stderr.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            logger.debug("client %s hung up: %s", client_address, error)
        else:
            logger.exception("error while answering %s", client_address)


class _ReplayHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, as real servers do; every reply sets
    # Content-Length or closes the connection.
    protocol_version = "HTTP/1.1"
    server: _ReplayHTTPServer

    def do_GET(self) -> None:  # the name http.server dispatches to
        self._answer(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(length).decode("utf-8", errors="replace"))

    def log_message(self, format: str, *args: object) -> None:  # the base class's signature
        logger.debug("%s %s", self.address_string(), format % args)

    def _answer(self, query: str) -> None:
        request = ReplayRequest(
            method=self.command,
            path=urlsplit(self.path).path,
            arguments=dict(parse_qsl(query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
        )
        with self.server.lock:
            self.server.received.append(request)
        try:
            reply = self.server.pages(request)
        except Exception:
            logger.exception("page source failed for %s", request.arguments)
            reply = Reply(body=b"page source failed\n", status=500, headers=(("Content-Type", "text/plain"),))
        if reply.delay > 0:
            time.sleep(reply.delay)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        body = reply.body
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.content_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            if reply.drip_interval > 0:
                self._drip(body[: reply.cut_after], reply.drip_interval)
                return
            if reply.cut_after is None:
                self.wfile.write(body)
                return
            self.wfile.write(body[: reply.cut_after])
            self.wfile.flush()
            # Drop the connection with the body half sent, as a crashing proxy does.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drip(self, body: bytes, interval: float) -> None:
        """Send `body` a byte at a time; a client that gives up ends it (a broken pipe)."""
        self.wfile.flush()
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()
            time.sleep(interval)
        self.close_connection = True


class OaiReplayServer:
    """Serves a page source over HTTP on `host:port` (port 0: a free one) until stopped.

    `start()` runs it on a background thread and returns at once; `url` is
    then the OAI-PMH base URL. `received` lists the requests answered so far.
    Usable as a context manager.
    """

    def __init__(self, pages: PageSource, *, host: str = "127.0.0.1", port: int = 0,
                 path: str = DEFAULT_PATH) -> None:
        self._pages = pages
        self._host = host
        self._port = port
        self._path = path
        self._server: _ReplayHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the replay server is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + self._path

    @property
    def received(self) -> list[ReplayRequest]:
        if self._server is None:
            return []
        with self._server.lock:
            return list(self._server.received)

    def start(self) -> OaiReplayServer:
        if self._server is not None:
            raise RuntimeError("the replay server is already running")
        self._server = _ReplayHTTPServer((self._host, self._port), self._pages)
        # A short poll interval makes stop() quick; idle polling on loopback costs nothing.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="oai-replay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> OaiReplayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
