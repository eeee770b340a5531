"""The real gunicorn (gunicorn.conf.py) believes no forwarded headers: only the app does, and only when
GRIDCASE_PROXY_HOPS says how many proxies stand in front (tests/test_proxy_hops.py). gunicorn's default believed
X-Forwarded-Proto from 127.0.0.1, so a local client could make a plain request count as HTTPS."""

import json
from urllib.request import Request, urlopen


def test_a_forwarded_scheme_is_not_believed_without_a_proxy(live_server: str) -> None:
    request = Request(f"{live_server}/open311/v2/discovery.json", headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urlopen(request, timeout=10) as response:  # noqa: S310 - our own server on loopback
        endpoints = json.loads(response.read())["endpoints"]
    assert all(e["url"].startswith("http://127.0.0.1") for e in endpoints), endpoints
