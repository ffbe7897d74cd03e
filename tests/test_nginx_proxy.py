"""Issue 16 and issue 15 item 7: the shipped nginx configuration (deploy/nginx/vsd.conf), run on loopback with TLS in
front of a real `streamlit run app.py`. Skipped when nginx or openssl is not installed (`.ci/run` installs nginx).

Checked through the proxy: the app's page loads over TLS (plain HTTP is redirected), the websocket upgrade at
/_stcore/stream reaches the app, Streamlit's internals (/_stcore/metrics, the agent API) are refused, and a
signed-out browser can neither upload nor fetch from the media store. Also: the app listens on loopback only.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.engine import make_engine
from data.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx" / "vsd.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
OPENSSL = shutil.which("openssl")

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed"),
    pytest.mark.xdist_group("nginx_proxy"),  # one server and one nginx for the module, on one worker
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"exited with {proc.returncode}: {log.read_text(errors='replace')[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listened on {port} within {seconds} s: {log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def proxied_config(app_port: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The shipped file with only its addresses and certificate paths changed (each must be found exactly once)."""
    text = SHIPPED.read_text()
    for old, new in [
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl;\n", f"    listen 127.0.0.1:{https_port} ssl;\n"),
        ("    listen [::]:443 ssl;\n", ""),
        ("/etc/ssl/vsd/fullchain.pem", str(cert)),
        ("/etc/ssl/vsd/privkey.pem", str(key)),
    ]:
        assert text.count(old) == 1, f"deploy/nginx/vsd.conf no longer has exactly one {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A streamlit server on an empty migrated SQLite database, and nginx with the shipped config in front."""
    folder = tmp_path_factory.mktemp("nginx")
    url = f"sqlite:///{folder / 'vsd.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    app_port, http_port, https_port = free_port(), free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": url, "VSD_WARM_UP": "0", "VSD_CACHE_DIR": str(folder / "cache")}
    env.pop("VSD_ENV", None)
    app_log = folder / "streamlit.log"
    # No --server.address: the address comes from .streamlit/config.toml, which this test checks is loopback.
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port)]
    with app_log.open("wb") as out:
        app = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(app_port, app, app_log)
        # The socket listens before the app serves: it warms itself first (ui/warmup.py). Wait for its health check.
        deadline = time.monotonic() + 120
        while True:
            try:
                if request(app_port, "GET", "/_stcore/health", tls=False)[0] == 200:
                    break
            except OSError:
                pass
            assert app.poll() is None and time.monotonic() < deadline, app_log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)

        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        (folder / "vsd.conf").write_text(proxied_config(app_port, http_port, https_port, cert, key))
        temp = folder / "temp"
        temp.mkdir()
        user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would run as nobody: no access here
        (folder / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log info;\n"
            "events { worker_connections 64; }\n"
            f"http {{\n  access_log {folder}/access.log;\n  client_body_temp_path {temp}/body;\n"
            f"  proxy_temp_path {temp}/proxy;\n  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
            f"  scgi_temp_path {temp}/scgi;\n  include {folder}/vsd.conf;\n}}\n"
        )
        checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                 capture_output=True, text=True)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        nginx_log = folder / "nginx.out"
        with nginx_log.open("wb") as out:
            nginx = subprocess.Popen(
                [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")], stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_for(https_port, nginx, nginx_log, seconds=20)
            yield {"app": app_port, "http": http_port, "https": https_port, "folder": folder}
        finally:
            stop(nginx)
    finally:
        stop(app)


def request(port: int, method: str, path: str, *, tls: bool = True, headers=None, body: bytes | None = None):
    """One request; returns (status, headers, body)."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_app_page_loads_over_tls_and_plain_http_is_redirected(stack):
    status, headers, body = request(stack["https"], "GET", "/")
    assert status == 200 and b'<div id="root">' in body
    assert headers.get("Strict-Transport-Security") == "max-age=31536000"
    assert headers.get("X-Frame-Options") == "SAMEORIGIN"
    assert request(stack["https"], "GET", "/_stcore/health")[:3:2] == (200, b"ok")
    status, headers, _ = request(stack["http"], "GET", "/Scorecard?portfolio=vawg_da", tls=False)
    assert status == 301 and headers["Location"] == "https://localhost/Scorecard?portfolio=vawg_da"


def test_the_websocket_upgrade_reaches_the_app(stack):
    key = base64.b64encode(os.urandom(16)).decode()
    handshake = (
        "GET /_stcore/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n"
        f"Origin: https://localhost\r\n\r\n"
    )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", stack["https"]), timeout=20) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            sock.sendall(handshake.encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101"), head
    assert "upgrade: websocket" in head and "connection: upgrade" in head


def test_server_internals_are_refused_through_the_proxy(stack):
    assert request(stack["app"], "GET", "/_stcore/metrics", tls=False)[0] == 200  # the app serves them…
    assert request(stack["https"], "GET", "/_stcore/metrics")[0] == 404  # …the proxy does not
    assert request(stack["https"], "GET", "/_stcore/metrics?x=1")[0] == 404
    assert request(stack["https"], "GET", "/_stcore/agent/openapi.json")[0] == 404
    assert request(stack["https"], "GET", "/_stcore/script-health-check")[0] == 404


def test_a_signed_out_upload_is_refused(stack):
    upload = "/_stcore/upload_file/made-up-session/made-up-file"
    body = b"x" * 1024
    status, _, text = request(stack["https"], "PUT", upload, body=body, headers={"Content-Type": "text/csv"})
    assert (status, text) == (403, b"sign in first\n")
    assert not (stack["folder"] / "access.log").read_text().count(" 204 ")
    # With the sign-in cookie the request reaches the app, which judges the session and its XSRF token itself.
    status, _, text = request(stack["https"], "PUT", upload, body=body, headers={"Cookie": "vsd_auth=a.b.c"})
    assert text != b"sign in first\n" and status in (400, 403, 404)


def test_signed_out_media_requests_are_refused(stack):
    assert request(stack["https"], "GET", "/media/0123456789abcdef.csv")[:3:2] == (403, b"sign in first\n")
    status, _, text = request(stack["https"], "GET", "/media/0123456789abcdef.csv", headers={"Cookie": "vsd_auth=x"})
    assert status == 404 and text != b"sign in first\n"


def test_the_app_listens_on_loopback_only(stack):
    """.streamlit/config.toml binds the server to 127.0.0.1: the listening socket's address is loopback."""
    port = f"{stack['app']:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if local.endswith(f":{port}") and state == "0A":
                listening.append(local.split(":")[0])
    assert listening == ["0100007F"], listening


def test_config_names_the_loopback_address():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
