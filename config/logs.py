"""Logging for the app and the command line: timestamped (UTC), levelled lines on standard error or in a file.

One format everywhere, so an operator can grep a sign-in, a lockout, an export or a load by time in the service's
journal (systemd) or in the file VSD_LOG_FILE names. The project's own loggers (auth, data, reports, ui, cli, …)
log at INFO (VSD_LOG_LEVEL, or DEBUG with `cli.py --debug`); third-party libraries only from WARNING, so Alembic's
and Streamlit's chatter stays out. Streamlit's own loggers keep their handler (`logger.*` in .streamlit/config.toml).
Nothing here logs personal data: callers log usernames, file names, counts and hashes only.
"""

from __future__ import annotations

import logging
import os
import sys
import time

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The project's rooms (ARCHITECTURE.md): their loggers are named after their modules.
OWN_LOGGERS = (
    "app", "cli", "app_pages", "ui", "charts", "results", "metrics", "reports", "data", "auth", "rules", "config",
)  # fmt: skip
_MARK = "_vsd_handler"


class _CurrentStderr(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is when a line is logged (test runners swap it per command)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def level_from(value: str | None, default: int = logging.INFO) -> int:
    """A level name (debug, info, warning, error) as a logging level; the default when unset or unknown."""
    named = logging.getLevelName((value or "").strip().upper())
    return named if isinstance(named, int) else default


def formatter() -> logging.Formatter:
    """The one log format: `2026-12-07T02:30:00Z INFO auth.gate: sign-in: lead.da`."""
    fmt = logging.Formatter(FORMAT, DATE_FORMAT)
    fmt.converter = time.gmtime
    return fmt


def setup_logging(level: int | None = None) -> None:
    """Install the handler once per process (later calls only change the level): VSD_LOG_FILE when set, else stderr."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _MARK, False)), None)
    if handler is None:
        path = os.environ.get("VSD_LOG_FILE")
        handler = logging.FileHandler(path, encoding="utf-8") if path else _CurrentStderr()
        handler.setFormatter(formatter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.WARNING:
            root.setLevel(logging.WARNING)
    own = level if level is not None else level_from(os.environ.get("VSD_LOG_LEVEL"))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(own)
