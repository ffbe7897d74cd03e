"""The evidence pack's zip (reports.evidence_pack._Zipping): its text members written by a thread once every chart is
in, the rest after them; every file whole, text deflated and the rest stored, the same bytes for the same files."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile

import pytest

from reports.evidence_pack import _Zipping

WHEN = dt.datetime(2026, 3, 31, 17, 45, 3, tzinfo=dt.UTC)
TEXT = {
    "cases/vcop.csv": ("\ufeffcase_id,state\n" + "".join(f"VC-{i:05d},late\n" for i in range(5000))).encode(),
    "cases/empty.csv": b"",
    "audit.csv": b"when,who\n2026-03-31,bench\n",
}
FILES = {
    "metrics.xlsx": b"PK\x03\x04 already compressed" * 50,
    "board_pack.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "charts/vcop/R6.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 300,
    **TEXT,
    "README.txt": "Evidence pack — read me\n".encode(),
    "manifest.json": b"{}",
}


def test_every_file_is_in_the_zip_whole_text_first_and_deflated():
    data = _Zipping(TEXT, {"vcop/R6": b"png"}, WHEN).finish(FILES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [*TEXT, "metrics.xlsx", "board_pack.pdf", "charts/vcop/R6.png", "README.txt",
                                      "manifest.json"]  # fmt: skip
        assert {name: archive.read(name) for name in archive.namelist()} == FILES
        infos = {info.filename: info for info in archive.infolist()}
    assert infos["cases/vcop.csv"].compress_type == zipfile.ZIP_DEFLATED
    assert infos["cases/vcop.csv"].compress_size < len(FILES["cases/vcop.csv"]) / 5
    assert {infos[n].compress_type for n in ("metrics.xlsx", "board_pack.pdf", "charts/vcop/R6.png")} == {
        zipfile.ZIP_STORED
    }
    assert {info.date_time for info in infos.values()} == {(2026, 3, 31, 17, 45, 2)}  # DOS time: even seconds
    assert _Zipping(TEXT, {}, WHEN).finish(FILES) == data  # equal files, equal zip


def test_the_text_waits_for_every_chart_and_a_failed_chart_does_not_stop_it():
    drawn = threading.Event()

    class Charts(dict):
        read: list[str] = []

        def __getitem__(self, key):
            self.read.append(key)
            if key == "b":
                assert drawn.wait(10)
                raise RuntimeError("this chart failed")
            return b""

    charts = Charts({"a": b"", "b": b""})
    zipping = _Zipping(TEXT, charts, WHEN)
    zipping.thread.join(0.2)
    assert zipping.thread.is_alive() and charts.read == ["a", "b"]  # still waiting for chart b
    drawn.set()
    with zipfile.ZipFile(io.BytesIO(zipping.finish(FILES))) as archive:
        assert archive.read("cases/vcop.csv") == TEXT["cases/vcop.csv"]


def test_a_failure_while_writing_the_text_is_raised_by_finish():
    zipping = _Zipping({"audit.csv": None}, {}, WHEN)  # zipfile cannot write None
    with pytest.raises(TypeError):
        zipping.finish(FILES)
