"""How the load process's clients hold their HTTP connections (bench/load.py, bench/dashboard.py).

By default every request asks the server to close the connection after answering (`Connection: close`), as a
reverse proxy in front of gunicorn does by default (nginx's proxy_pass speaks HTTP/1.0 to its upstream), so each
request goes to whichever gunicorn process accepts it first: an idle one. With BENCH_KEEPALIVE=1 each client keeps
one connection for a whole phase, pinned to the process that accepted it; with four clients on four processes that
placement is luck, and the write figures moved by a third between runs with it (bench/README.md, "Seventh pass").
"""


def connection_headers(keep_alive: bool) -> dict[str, str]:
    """The request headers that say so."""
    return {} if keep_alive else {"Connection": "close"}
