"""HTTP/1.1 for the load process on a plain socket: one request written in one send, the answer read by its length.

The load process shares the machine's two cores with gunicorn and PostgreSQL, so whatever it spends per request is
taken from the server being measured. `http.client` parses each answer's headers with the `email` package and the
load decoded every JSON body: 0.46 ms of the load process's CPU per task completion, about a twentieth of the
whole request's (bench/README.md, "Eleventh pass"). This reads the status line, `Content-Length`, `Connection` and
`Set-Cookie`, and leaves the body as bytes until someone asks for its JSON. It speaks only what gunicorn answers
with (a length, or the end of the connection); anything else is an error, never a silent misreading.
"""

import json
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"


class ProtocolError(OSError):
    """The answer is not one this client reads (chunked, malformed, or cut short)."""


@dataclass
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)  # names lower-cased, in the order sent

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]


class Wire:
    """Requests to one loopback server: a connection per request, or one kept (keep_alive, BENCH_KEEPALIVE=1).

    By default every request asks the server to close the connection after answering (`Connection: close`), as a
    reverse proxy in front of gunicorn does by default (nginx's proxy_pass speaks HTTP/1.0 to its upstream), so each
    request goes to whichever gunicorn process accepts it first: an idle one. A kept connection stays for a whole
    phase with the process that accepted it; with four clients on four processes that placement is luck, and the
    write figures moved by a third between runs with it (bench/README.md, "Seventh pass").
    """

    def __init__(self, host: str, port: int, *, keep_alive: bool, timeout: float) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit("the load generator only talks to loopback")
        self.host, self.port, self.keep_alive, self.timeout = host, port, keep_alive, timeout
        self.sock: socket.socket | None = None

    @classmethod
    def to(cls, base: str, *, keep_alive: bool, timeout: float) -> "Wire":
        """Requests to the server at the URL `base` (http://127.0.0.1:5099)."""
        parts = urlsplit(base)
        return cls(parts.hostname or "", parts.port or 80, keep_alive=keep_alive, timeout=timeout)

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Answer:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if not self.keep_alive:
            lines.append("Connection: close")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        sock = self.sock or socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock = None
        try:
            sock.sendall(data)
            answer, reusable = _read_answer(sock)
        except OSError:
            sock.close()
            raise
        if reusable and self.keep_alive:
            self.sock = sock
        else:
            sock.close()
        return answer

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _read_answer(sock: socket.socket) -> tuple[Answer, bool]:
    """The answer, and whether the connection may carry another request."""
    buffer = b""
    while (end := buffer.find(_HEAD_END)) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise ProtocolError("the connection closed before the answer's headers ended")
        buffer += chunk
    status, headers = _parse_head(buffer[:end].decode("latin-1"))
    body = buffer[end + len(_HEAD_END) :]
    length = next((int(value) for name, value in headers if name == "content-length"), None)
    if any(name == "transfer-encoding" for name, _ in headers):
        raise ProtocolError("a chunked answer: gunicorn sends Flask's answers with their length")
    if length is None:  # the body runs to the end of the connection
        while chunk := sock.recv(65536):
            body += chunk
        return Answer(status, body, headers), False
    while len(body) < length:
        chunk = sock.recv(max(65536, length - len(body)))
        if not chunk:
            raise ProtocolError(f"the connection closed after {len(body)} of {length} bytes")
        body += chunk
    closing = any(name == "connection" and value.lower() == "close" for name, value in headers)
    return Answer(status, body[:length], headers), not closing


def _parse_head(head: str) -> tuple[int, list[tuple[str, str]]]:
    status_line, *lines = head.split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    headers = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ProtocolError(f"not a header line: {line[:80]!r}")
        headers.append((name.strip().lower(), value.strip()))
    return int(parts[1]), headers
