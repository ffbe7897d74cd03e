"""`cli.py export` end to end on the seeded demo database: files written, hashes audited, packs verifiable."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from data.engine import make_engine
from data.models import AuditLog

runner = CliRunner()


@pytest.fixture
def env(seeded_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_db_url)
    return seeded_db_url


def export(tmp_path, *args) -> tuple[object, bytes]:
    out = tmp_path / "pack"
    result = runner.invoke(app, ["export", *args, "--out", str(out)])
    return result, out.read_bytes() if out.exists() else b""


def last_export(url: str) -> AuditLog:
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(select(AuditLog).where(AuditLog.event.like("export.%")).order_by(AuditLog.id.desc())).first()
    engine.dispose()
    return row


@pytest.mark.slow
def test_board_pack_for_one_portfolio_is_written_and_audited(env, tmp_path):
    result, data = export(tmp_path, "--kind", "board", "--from", "2025-11-01", "--to", "2026-10-31",
                          "--portfolio", "vawg_da")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "VAWG — domestic abuse" in text
    assert "Rape and serious sexual offences" not in text  # one portfolio only
    audit = last_export(env)
    assert audit.event == "export.board"
    assert json.loads(audit.detail)["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.slow
def test_evidence_pack_verifies_and_its_manifest_hash_is_audited(env, tmp_path):
    result, data = export(tmp_path, "--kind", "evidence", "--from", "2026-05-01", "--to", "2026-10-31",
                          "--portfolio", "witness_care")  # fmt: skip
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        names = set(pack.namelist())
        manifest = pack.read("manifest.json")
    assert {"manifest.json", "metrics.xlsx", "board_pack.pdf", "README.txt"} <= names
    detail = json.loads(last_export(env).detail)
    assert detail["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    verify = runner.invoke(app, ["verify-pack", str(tmp_path / "pack"), "--manifest-sha256", detail["manifest_sha256"]])
    assert verify.exit_code == 0, verify.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "slides", "--from", "2026-01-01", "--to", "2026-02-01"], "--kind must be evidence or board"),
        (["--kind", "board", "--from", "2026-02-01", "--to", "2026-01-01"], "--from must not be after --to"),
        (["--kind", "board", "--from", "2026-01-01", "--to", "2026-02-01", "--portfolio", "nope"], "unknown portfolio"),
        (["--kind", "board", "--from", "2026-13-01", "--to", "2026-02-01"], "is not a date"),
    ],
)
def test_bad_export_options_are_refused_clearly(env, tmp_path, args, message):
    result, data = export(tmp_path, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert data == b""
