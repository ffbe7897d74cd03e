"""A PostgreSQL server of the test's own (initdb + pg_ctl in a temporary directory, on a free loopback port).

The fault tests stop and restart it; the shared server on 5432 is never touched. When the PostgreSQL server binaries
are not installed, `find_bin_dir` returns None and the tests skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or None."""
    found = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if (Path(d) / "pg_ctl").exists()]
    found = [d for d in found if (d / "initdb").exists()]
    return max(found, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0, default=None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """One private cluster: `start()`, `stop()`, `restart()`, `url(database)`, `remove()`."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.home = Path(tempfile.mkdtemp(prefix="vsd-pg-"))
        self.data = self.home / "data"
        self.port = free_port()
        # initdb refuses to run as root: as root, the cluster belongs to the postgres OS user.
        self.owner = "postgres" if os.geteuid() == 0 else None
        if self.owner:
            entry = pwd.getpwnam(self.owner)
            os.chown(self.home, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.home / "log"), "-w", "-o", options, *extra)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")  # fast: like a crash or failover, sessions are cut, not waited for

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.home, ignore_errors=True)
