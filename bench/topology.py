"""The production topology on one machine, for benchmarks: N `streamlit run` processes on one database, behind the
shipped nginx configuration (deploy/nginx/vsd.conf) with sticky sessions, all on loopback.

    with Topology(url, processes=2, work=Path("var/bench_load")) as stack:
        stack.base_url      # https://127.0.0.1:<port> through nginx (self-signed certificate)
        stack.direct_urls   # each process's own http://127.0.0.1:<port>
        stack.usage()       # CPU seconds and peak memory of every server process and nginx
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_NGINX = ROOT / "deploy" / "nginx" / "vsd.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
# Every process must sign cookies with the same key, or a cookie from one would not sign in on another.
COOKIE_KEY = "bench-cookie-key-0123456789abcdefghijklmnopqrstuv"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(port: int) -> list[str]:
    """How production starts one process (deploy/vsd.service), on a given port."""
    return [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (with its finished threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its living children (nginx's master and its workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"streamlit did not start; see {log}") from None
            time.sleep(0.3)


def nginx_config(app_ports: list[int], https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """The shipped server block with N upstream processes and loopback addresses (each edit must apply once)."""
    text = SHIPPED_NGINX.read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in app_ports)
    for old, new in [
        ("    server 127.0.0.1:8501;", servers.rstrip("\n") + "  #"),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl;\n", f"    listen 127.0.0.1:{https_port} ssl;\n"),
        ("    listen [::]:443 ssl;\n", ""),
        ("/etc/ssl/vsd/fullchain.pem", str(cert)),
        ("/etc/ssl/vsd/privkey.pem", str(key)),
    ]:
        if text.count(old) != 1:
            raise RuntimeError(f"deploy/nginx/vsd.conf no longer has exactly one {old!r}")
        text = text.replace(old, new)
    return text


def write_nginx_files(folder: Path, app_ports: list[int], https_port: int) -> Path:
    """In `folder` (with a temp/ subfolder): a throwaway certificate, the shipped server block for these processes
    and an nginx.conf that runs it in the foreground; the nginx.conf's path."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    (folder / "vsd.conf").write_text(nginx_config(app_ports, https_port, free_port(), cert, key))
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would run as nobody: no access here
    temp = folder / "temp"
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n"
        f"  proxy_temp_path {temp}/proxy;\n  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n  include {folder}/vsd.conf;\n}}\n"
    )
    return folder / "nginx.conf"


@dataclass
class Topology:
    """N app processes on `database_url` and nginx in front; a context manager that stops them all."""

    database_url: str
    processes: int
    work: Path
    env: dict[str, str] = field(default_factory=dict)
    servers: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    https_port: int = 0

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def direct_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def __enter__(self) -> Topology:
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            self._start_servers()
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start_servers(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "VSD_COOKIE_KEY": COOKIE_KEY, **self.env}
        env.pop("VSD_ENV", None)
        for index in range(self.processes):
            port = free_port()
            log = self.work / f"server{index}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(server_command(port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            self.servers.append(proc)
            self.ports.append(port)
        for index, (port, proc) in enumerate(zip(self.ports, self.servers, strict=True)):
            wait_healthy(f"http://127.0.0.1:{port}", proc, self.work / f"server{index}.log")

    def _start_nginx(self) -> None:
        if NGINX is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        folder = self.work / "nginx"
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "temp").mkdir(parents=True)
        self.https_port = free_port()
        write_nginx_files(folder, self.ports, self.https_port)
        log = folder / "nginx.out"
        with log.open("wb") as out:
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")], stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.nginx.poll() is not None:
                    raise RuntimeError(f"nginx did not start; see {log}") from None
                time.sleep(0.2)

    def usage(self) -> dict:
        """CPU seconds so far and peak memory of each server process, and nginx's CPU seconds."""
        return {
            "server_cpu_s": [cpu_seconds(p.pid) for p in self.servers],
            "server_peak_mb": [peak_memory_mb(p.pid) for p in self.servers],
            "nginx_cpu_s": tree_cpu_seconds(self.nginx.pid) if self.nginx else 0.0,
        }

    def tracebacks(self) -> int:
        """Tracebacks in the servers' logs (an error that reached the log but perhaps not a page)."""
        logs = [self.work / f"server{i}.log" for i in range(len(self.servers))]
        return sum(log.read_text(errors="replace").count("Traceback") for log in logs)

    def stop(self) -> None:
        procs = [*([self.nginx] if self.nginx else []), *self.servers]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
