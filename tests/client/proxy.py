"""A forward HTTP proxy for the download tests, in a thread of its own: it relays every request to its real
destination, except that the bytes of artifact files (S3 blobs, storage-svc's byte endpoint) can be altered
(``tamper``) or cut off half-way (``cut_after``), as a hostile network or a dropped connection would."""

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass
class Faults:
    """What to do to artifact bytes passing through, and the Range headers the proxy saw."""

    tamper: bool = False
    cut_after: int | None = None
    ranges: list[str] = field(default_factory=list)


def _artifact_bytes(path: str) -> bool:
    return "/blobs/" in path or path.startswith("/bytes/")


def _handler(faults: Faults) -> type[BaseHTTPRequestHandler]:
    class Relay(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._relay()

        def do_POST(self) -> None:
            self._relay()

        def do_PUT(self) -> None:
            self._relay()

        def do_DELETE(self) -> None:
            self._relay()

        def _relay(self) -> None:
            target = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            path = target.path + (f"?{target.query}" if target.query else "")
            if _artifact_bytes(target.path) and "Range" in self.headers:
                faults.ranges.append(self.headers["Range"])
            upstream = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port or 80, timeout=60)
            try:
                upstream.request(self.command, path, body=body, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Connection", "close")
            self.end_headers()
            if _artifact_bytes(target.path) and answer.status in (200, 206):
                if faults.tamper and content:
                    middle = len(content) // 2
                    content = content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1 :]
                if faults.cut_after is not None:
                    content = content[: faults.cut_after]
            self.wfile.write(content)
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return

    return Relay


@contextmanager
def proxy(faults: Faults) -> Iterator[str]:
    """Run the proxy until the block ends; yields its URL (for ``HTTP_PROXY``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(faults))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
