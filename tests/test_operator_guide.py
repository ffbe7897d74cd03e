"""Issue 16: the README's production guide agrees with the code and the files it ships: every setting the code
reads is in the configuration table, every command the guide runs exists, the systemd unit is valid and matches
the nginx upstream and the loopback address, `make setup` loads no demo data, and deploy/vsd-cli works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import typer

from auth.settings import DEFAULT_COOKIE_NAME
from cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
UNIT = ROOT / "deploy" / "vsd.service"
NGINX_CONF = (ROOT / "deploy" / "nginx" / "vsd.conf").read_text()
STREAMLIT_CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
SKIP_DIRS = {".venv", "var", "node_modules", "__pycache__", ".git"}


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def settings_read_by_the_code() -> set[str]:
    """Every VSD_* name (and DATABASE_URL) quoted in the project's Python files."""
    names: set[str] = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                text = (Path(folder) / name).read_text(encoding="utf-8")
                names |= set(re.findall(r"[\"'](VSD_[A-Z][A-Z0-9_]*[A-Z0-9]|DATABASE_URL)[\"']", text))
    return names


def test_the_quick_start_comes_first():
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[:2] for line in first_block[:2]] == [["make", "run"], ["make", "test"]]
    assert README.index("## Production guide") > README.index("make test")


def test_every_setting_the_code_reads_is_in_the_configuration_table():
    names = settings_read_by_the_code()
    assert {"DATABASE_URL", "VSD_COOKIE_NAME", "VSD_COOKIE_EXPIRY_HOURS", "VSD_BCRYPT_ROUNDS",
            "VSD_EVIDENCE_MAX_MB", "VSD_LOG_FILE"} <= names  # fmt: skip
    table = section("Configuration")
    assert sorted(n for n in names if f"`{n}`" not in table) == []


def test_every_command_the_guide_runs_exists():
    group = typer.main.get_command(app)
    commands = set(group.commands)
    users = set(group.commands["users"].commands)
    guide = section("Production guide") + section("The command line")
    used = re.findall(r"(?:vsd-cli|cli\.py)(?: --debug)? ([a-z][a-z-]+)(?: ([a-z][a-z-]+))?", guide)
    assert used
    for command, sub in used:
        if command == "command":  # prose: "cli.py command"
            continue
        assert command in commands, command
        if command == "users" and sub:
            assert sub in users, sub


def unit_values(key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in UNIT.read_text().splitlines() if line.startswith(f"{key}=")]


def test_the_service_listens_on_loopback_where_nginx_looks_for_it():
    (start,) = unit_values("ExecStart")
    address = re.search(r"--server\.address (\S+)", start).group(1)
    port = re.search(r"--server\.port (\d+)", start).group(1)
    upstream = re.search(r"upstream vsd_app \{[^}]*?^\s*server ([\d.]+):(\d+);", NGINX_CONF, re.MULTILINE)
    assert (address, port) == (upstream.group(1), upstream.group(2)) == ("127.0.0.1", "8501")
    assert STREAMLIT_CONFIG["server"]["address"] == "127.0.0.1"
    assert unit_values("ExecStartPre") == ["/opt/vsd/.venv/bin/python cli.py health"]
    assert unit_values("User") == ["vsd"] and unit_values("ReadWritePaths") == ["/opt/vsd/var"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_file_is_valid(tmp_path):
    unit = tmp_path / "vsd.service"
    unit.write_text(UNIT.read_text().replace("/opt/vsd", str(ROOT)))
    checked = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr


def test_nginx_names_the_cookie_and_upload_limit_the_app_uses():
    assert f"$cookie_{DEFAULT_COOKIE_NAME} " in NGINX_CONF
    assert f"client_max_body_size {STREAMLIT_CONFIG['server']['maxUploadSize']}m;" in NGINX_CONF


def test_make_setup_installs_but_loads_no_demo_data():
    dry = subprocess.run(["make", "-n", "-B", "setup"], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "pip install" in dry.stdout and "cli.py" not in dry.stdout


def test_the_cli_wrapper_uses_the_service_settings(tmp_path):
    env_file = tmp_path / "vsd.env"
    env_file.write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'vsd.sqlite3'}\nVSD_CACHE_DIR={tmp_path / 'cache'}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VSD_", "DATABASE_URL"))}
    env["VSD_ENV_FILE"] = str(env_file)
    wrapper = str(ROOT / "deploy" / "vsd-cli")
    before = subprocess.run([wrapper, "health"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert before.returncode == 1 and "migrations: FAIL - at none" in before.stdout
    assert subprocess.run([wrapper, "init-db"], env=env, capture_output=True, cwd=tmp_path).returncode == 0
    after = subprocess.run([wrapper, "health"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert f"database: ok - sqlite:///{tmp_path / 'vsd.sqlite3'}" in after.stdout
    env["VSD_ENV_FILE"] = str(tmp_path / "missing.env")
    missing = subprocess.run([wrapper, "health"], env=env, capture_output=True, text=True)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
