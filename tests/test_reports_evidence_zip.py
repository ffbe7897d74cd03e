"""The evidence pack's zip: the bytes zipfile writes, with deflate streams made beforehand or not."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from reports import evidence_pack
from reports.evidence_pack import _deflate, _Deflating, _zip, _zip_large

WHEN = dt.datetime(2026, 3, 31, 17, 45, 3, tzinfo=dt.UTC)
FILES = {
    "metrics.xlsx": b"PK\x03\x04 already compressed" * 50,
    "board_pack.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "charts/vcop/R6.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 300,
    "cases/vcop.csv": ("\ufeffcase_id,state\n" + "".join(f"VC-{i:05d},late\n" for i in range(5000))).encode(),
    "cases/empty.csv": b"",
    "audit.csv": b"when,who\n2026-03-31,bench\n",
    "README.txt": "Evidence pack — read me\n".encode(),
    "manifest.json": b"{}",
}


def _stamp():
    return WHEN.astimezone(dt.UTC).timetuple()[:6]


def test_the_zip_is_the_one_zipfile_writes():
    data = _zip(FILES, WHEN)
    assert data == _zip_large(FILES, _stamp())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(FILES)
        assert all(archive.read(name) == content for name, content in FILES.items())
        types = {info.filename: info.compress_type for info in archive.infolist()}
    assert types["cases/vcop.csv"] == zipfile.ZIP_DEFLATED and types["board_pack.pdf"] == zipfile.ZIP_STORED


def test_deflate_streams_made_beforehand_give_the_same_zip():
    text = {name: content for name, content in FILES.items() if not name.endswith((".xlsx", ".pdf", ".png"))}
    deflating = _Deflating(text, {"vcop/R6": b"png"})
    assert _zip(FILES, WHEN, deflating.result()) == _zip(FILES, WHEN)
    assert _zip(FILES, WHEN, {"cases/vcop.csv": _deflate(FILES["cases/vcop.csv"])}) == _zip(FILES, WHEN)


def test_deflating_waits_for_the_charts_and_survives_a_failed_one():
    class Charts(dict):
        read: list[str] = []

        def __getitem__(self, key):
            self.read.append(key)
            raise RuntimeError("this chart failed")

    charts = Charts({"a": b"", "b": b""})
    streams = _Deflating({"audit.csv": FILES["audit.csv"]}, charts).result()
    assert charts.read == ["a", "b"] and streams == {"audit.csv": _deflate(FILES["audit.csv"])}


def test_a_name_outside_ascii_is_left_to_zipfile():
    files = {"cases/cymraeg_ŵ.csv": b"a,b\n", **FILES}
    data = _zip(files, WHEN)
    assert data == _zip_large(files, _stamp())
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == list(files)


def test_a_zip64_sized_pack_is_left_to_zipfile(monkeypatch):
    monkeypatch.setattr(evidence_pack.zipfile, "ZIP64_LIMIT", 1000)
    monkeypatch.setattr(evidence_pack, "_zip_large", lambda files, stamp: b"written by zipfile")
    assert _zip(FILES, WHEN) == b"written by zipfile"
