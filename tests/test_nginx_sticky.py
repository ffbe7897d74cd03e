"""Issue 14: the shipped nginx configuration (deploy/nginx/vsd.conf) with several server processes keeps each browser on
one process. Streamlit keeps a session (its websocket, uploads and downloads) in the process that opened it, so every
request of a browser must reach the same process.

Two small HTTP servers stand in for two app processes (each answers with its own name), behind Debian's nginx
running the shipped file with both in its upstream (bench/topology.py writes it the way the load benchmark runs it).
Skipped when nginx or openssl is not installed (`.ci/run` installs nginx).
"""

from __future__ import annotations

import http.client
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter

import pytest

from bench.topology import NGINX, free_port, write_nginx_files

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]


def named_server(name: str) -> tuple[http.server.ThreadingHTTPServer, int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sticky")
    servers = [named_server("one"), named_server("two")]
    https_port = free_port()
    (folder / "temp").mkdir()
    conf = write_nginx_files(folder, [p for _, p in servers], https_port)
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and nginx.poll() is None, "nginx did not start"
                time.sleep(0.1)
        yield https_port
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)
        for server, _ in servers:
            server.shutdown()


def get(port: int, cookie: str | None = None) -> tuple[str, str | None]:
    """(which process answered, the Set-Cookie header) for GET / through the proxy."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        conn.request("GET", "/", headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.read().decode(), response.getheader("Set-Cookie")
    finally:
        conn.close()


def test_a_first_request_gets_a_sticky_cookie_and_later_requests_with_it_reach_the_same_process(proxy):
    answered, set_cookie = get(proxy)
    assert set_cookie and set_cookie.startswith("vsd_node=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in set_cookie
    cookie = set_cookie.split(";", 1)[0]
    again = [get(proxy, cookie) for _ in range(12)]
    assert {name for name, _ in again} == {answered}  # the same process every time
    assert all(header is None for _, header in again)  # the cookie is set once, not on every response


def test_new_browsers_are_spread_over_the_processes(proxy):
    first = Counter(get(proxy)[0] for _ in range(40))
    assert set(first) == {"one", "two"}  # both processes take new browsers
    assert min(first.values()) >= 5  # 40 random ids: fewer than 5 on one side has a chance below 1 in 10^6


def test_each_browser_keeps_its_own_process(proxy):
    browsers = []
    for _ in range(10):
        name, set_cookie = get(proxy)
        browsers.append((name, set_cookie.split(";", 1)[0]))
    for name, cookie in browsers:
        assert get(proxy, cookie)[0] == name
