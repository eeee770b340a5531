"""The load process's HTTP client (bench/wire.py) against a server that answers with bytes written by hand."""

import socket
import threading
from collections.abc import Iterator

import pytest

from bench.wire import ProtocolError, Wire


class CannedServer:
    """Answers each connection's requests with the next canned answers; keeps what the requests said."""

    def __init__(self, answers: list[list[bytes]]) -> None:
        self.answers, self.requests = answers, []  # one list of answers per connection, in order
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for per_connection in self.answers:
            conn, _ = self.sock.accept()
            with conn:
                for answer in per_connection:
                    self.requests.append(_read_request(conn))
                    conn.sendall(answer)

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.sock.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0
    )
    while len(body) < length:
        body += conn.recv(65536)
    return data


@pytest.fixture
def canned() -> Iterator[list[CannedServer]]:
    servers: list[CannedServer] = []
    yield servers
    for server in servers:
        server.close()


def _serve(canned: list[CannedServer], answers: list[list[bytes]]) -> CannedServer:
    canned.append(CannedServer(answers))
    return canned[-1]


def test_a_connection_per_request_says_close_and_reads_the_answer_by_its_length(canned: list[CannedServer]) -> None:
    ok = b'HTTP/1.1 201 CREATED\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id": 42}\n'
    server = _serve(canned, [[ok], [ok]])
    wire = Wire("127.0.0.1", server.port, keep_alive=False, timeout=5)

    first = wire.request("POST", "/api/v1/cases", {"Authorization": "Bearer t"}, b'{"a": 1}')
    second = wire.request("GET", "/api/v1/me", {})

    assert (first.status, first.json(), second.json()) == (201, {"id": 42}, {"id": 42})
    assert server.requests[0].startswith(b"POST /api/v1/cases HTTP/1.1\r\n")
    assert b"Connection: close\r\n" in server.requests[0] and b"Content-Length: 8\r\n" in server.requests[0]
    assert server.requests[0].endswith(b'\r\n\r\n{"a": 1}') and b"Authorization: Bearer t\r\n" in server.requests[0]


def test_a_kept_connection_carries_the_next_request_until_the_server_closes_it(canned: list[CannedServer]) -> None:
    kept = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye"
    server = _serve(canned, [[kept, kept, closing], [kept]])  # the fourth request needs a new connection
    wire = Wire("127.0.0.1", server.port, keep_alive=True, timeout=5)

    bodies = [wire.request("GET", "/", {}).body for _ in range(4)]
    wire.close()

    assert bodies == [b"ok", b"ok", b"bye", b"ok"]
    assert all(b"Connection: close" not in request for request in server.requests)


def test_an_answer_without_a_length_runs_to_the_end_and_cookies_are_all_read(canned: list[CannedServer]) -> None:
    page = (
        b"HTTP/1.1 302 FOUND\r\nSet-Cookie: session=abc; HttpOnly\r\nSet-Cookie: lang=en\r\n\r\n<html>" + b"x" * 200_000
    )
    server = _serve(canned, [[page]])

    answer = Wire("127.0.0.1", server.port, keep_alive=True, timeout=5).request("GET", "/login", {})

    assert answer.status == 302 and len(answer.body) == 200_006
    assert answer.header_values("set-cookie") == ["session=abc; HttpOnly", "lang=en"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", "chunked"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "after 5 of 10 bytes"),
        (b"HTTP/1.1 200 OK\r\nContent-Len", "before the answer's headers ended"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "not a header line"),
    ],
)
def test_an_answer_it_cannot_read_is_an_error_naming_why(
    canned: list[CannedServer], answer: bytes, reason: str
) -> None:
    server = _serve(canned, [[answer]])

    with pytest.raises(ProtocolError, match=reason):
        Wire("127.0.0.1", server.port, keep_alive=False, timeout=5).request("GET", "/", {})


def test_only_loopback_is_loaded() -> None:
    with pytest.raises(SystemExit, match="loopback"):
        Wire("example.org", 80, keep_alive=False, timeout=5)
