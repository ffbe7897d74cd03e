"""The evidence pack: metrics.xlsx, board_pack.pdf, charts, case extracts, audit.csv, README.txt and manifest.json
in one zip, every file hashed in the manifest so the pack can be verified later."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from reports.board_pack import render_board_pack
from reports.evidence_workbook import build_metrics_workbook
from reports.inputs import Prepared, ReportInputs, prepare
from reports.manifest import MANIFEST_NAME, build_manifest, manifest_bytes, sha256_hex
from reports.readme import readme_text
from reports.safety import csv_bytes, csv_text

# Already-compressed formats are stored; text is deflated.
STORED_SUFFIXES = (".xlsx", ".png", ".pdf")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class EvidencePack:
    """A built pack: the zip bytes and hash, and the manifest with the hash the audit log should record."""

    data: bytes
    sha256: str
    manifest: dict
    manifest_sha256: str
    file_name: str


def _safe_part(text: str) -> str:
    """One path segment safe in any file system and zip reader."""
    cleaned = _UNSAFE.sub("_", str(text)).strip(".")
    return cleaned or "_"


def _rows_csv(frame: pd.DataFrame) -> list[str] | None:
    """The frame's rows as CSV lines (csv_text, without the header); None when a cell holds a line break (its row
    spans two lines)."""
    lines = csv_text(frame).split("\n")[1:-1]
    return lines if len(lines) == len(frame) else None


def case_files(extracts: Mapping[str, pd.DataFrame]) -> dict[str, bytes]:
    """Each case extract as csv_bytes would write it, by its path in the pack.

    Portfolios with the same cohort and codes (vcop and victims_first) have the same rows, each under its own
    portfolio_id in the first column: the rest of those rows is turned into CSV once (most of a file's cost) and
    each file puts its id cell before every line, which is how the CSV writer joins a row's cells.
    """
    files: dict[str, bytes] = {}
    written: list[tuple[pd.DataFrame, list[str]]] = []  # rows without their portfolio_id, as CSV lines
    for name, frame in sorted(extracts.items()):
        path = f"cases/{_safe_part(name)}.csv"
        ids = frame["portfolio_id"] if len(frame.columns) > 2 and frame.columns[0] == "portfolio_id" else None
        if ids is None or frame.empty or ids.isna().any() or ids.nunique() != 1:
            files[path] = csv_bytes(frame)
            continue
        rest = frame.iloc[:, 1:]
        lines = next((known for other, known in written if other.equals(rest)), None)
        if lines is None:
            lines = _rows_csv(rest)
            if lines is None:
                files[path] = csv_bytes(frame)
                continue
            written.append((rest, lines))
        id_cells = _rows_csv(frame.iloc[:1, :1])
        if id_cells is None:
            files[path] = csv_bytes(frame)
            continue
        header = csv_text(frame.iloc[:0])
        files[path] = (header + "".join(f"{id_cells[0]},{line}\n" for line in lines)).encode("utf-8-sig")
    return files


def pack_files(prepared: Prepared) -> tuple[dict[str, bytes], _Deflating]:
    """Every file of the pack except manifest.json, by its path inside the zip, and the text files' deflate streams
    being made meanwhile (for _zip)."""
    inputs = prepared.inputs
    # Made in this order so that charts still being drawn in other processes are waited for last (the PDF is the
    # first reader of them); the pack lists them in the order below.
    workbook = build_metrics_workbook(prepared)
    cases = case_files(inputs.case_extracts)
    audit = {} if inputs.audit is None else {"audit.csv": csv_bytes(inputs.audit)}
    deflating = _Deflating(cases | audit, inputs.charts)
    files: dict[str, bytes] = {"metrics.xlsx": workbook, "board_pack.pdf": render_board_pack(prepared)}
    for key in sorted(inputs.charts):
        files["charts/" + "/".join(_safe_part(part) for part in key.split("/")) + ".png"] = inputs.charts[key]
    files |= cases
    files |= audit
    files["README.txt"] = readme_text(prepared, list(files)).encode("utf-8")
    return files, deflating


def _deflate(data: bytes) -> bytes:
    """The raw deflate stream zipfile writes for a member (its default level, no zlib header or trailer)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Deflating:
    """The text files' deflate streams, made in a thread once every chart is in.

    Deflating the case extracts is most of the zip's cost (0.45 CPU s at 200,000 victims) and zlib lets go of the
    GIL, but the zip is written last. Once the chart processes are done one core is idle while this process lays out
    the PDF's last pages, so the streams are made then, beside it, instead of after it. The thread waits for the
    charts first so that it never takes CPU from a chart process the PDF is waiting for.
    """

    def __init__(self, files: Mapping[str, bytes], charts: Mapping[str, bytes]):
        self.streams: dict[str, bytes] = {}
        self.thread = threading.Thread(target=self._run, args=(dict(files), charts), name="vsd-deflate", daemon=True)
        self.thread.start()

    def _run(self, files: dict[str, bytes], charts: Mapping[str, bytes]) -> None:
        for key in charts:
            try:
                charts[key]
            except Exception:  # the export's own read of it raises; here it only means "no longer pending"
                pass
        for name, data in files.items():
            self.streams[name] = _deflate(data)

    def result(self) -> dict[str, bytes]:
        self.thread.join()
        return self.streams


def _zip(files: dict[str, bytes], when: dt.datetime, deflated: Mapping[str, bytes] | None = None) -> bytes:
    """A zip of the files with a fixed timestamp, so equal inputs give an equal zip.

    The same bytes as zipfile.ZipFile writes (a test compares them), written here only so that a member's deflate
    stream can come ready-made (`deflated`, by name; made in a thread meanwhile). Already-compressed formats are
    stored, the rest deflated. A pack too large for a plain zip (4 GiB, 65,535 files) is left to zipfile (ZIP64).
    """
    stamp = when.astimezone(dt.UTC).timetuple()[:6]
    deflated = deflated or {}
    buffer = io.BytesIO()
    infos = []
    for name, data in files.items():
        if not name.isascii():  # _safe_part keeps every name ASCII; any other is left to zipfile (its UTF-8 flag)
            return _zip_large(files, stamp)
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.external_attr = 0o644 << 16
        if name.endswith(STORED_SUFFIXES):
            info.compress_type, body = zipfile.ZIP_STORED, data
        else:
            info.compress_type = zipfile.ZIP_DEFLATED
            body = deflated[name] if name in deflated else _deflate(data)
        info.file_size, info.compress_size, info.CRC = len(data), len(body), zlib.crc32(data)
        info.header_offset = buffer.tell()
        if info.file_size * 1.05 > zipfile.ZIP64_LIMIT or info.header_offset > zipfile.ZIP64_LIMIT:
            return _zip_large(files, stamp)
        buffer.write(info.FileHeader(zip64=False))
        buffer.write(body)
        infos.append(info)
    directory = buffer.tell()
    for info in infos:
        name = info.filename.encode("ascii")
        dostime = info.date_time[3] << 11 | info.date_time[4] << 5 | info.date_time[5] // 2
        dosdate = (info.date_time[0] - 1980) << 9 | info.date_time[1] << 5 | info.date_time[2]
        record = struct.pack(
            zipfile.structCentralDir, zipfile.stringCentralDir, info.create_version, info.create_system,
            info.extract_version, info.reserved, info.flag_bits, info.compress_type, dostime, dosdate, info.CRC,
            info.compress_size, info.file_size, len(name), 0, 0, 0, info.internal_attr, info.external_attr,
            info.header_offset,
        )  # fmt: skip
        buffer.write(record)
        buffer.write(name)
    size, count = buffer.tell() - directory, len(infos)
    if count > zipfile.ZIP_FILECOUNT_LIMIT or directory > zipfile.ZIP64_LIMIT:
        return _zip_large(files, stamp)
    end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, count, count, size, directory, 0)
    buffer.write(end)
    return buffer.getvalue()


def _zip_large(files: dict[str, bytes], stamp: tuple) -> bytes:
    """The zip as zipfile writes it (with its ZIP64 records when needed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_evidence_pack(inputs: ReportInputs) -> EvidencePack:
    """Build the evidence pack zip; record `manifest_sha256` and `sha256` in the audit log."""
    prepared = prepare(inputs)
    inputs = prepared.inputs
    files, deflating = pack_files(prepared)
    manifest = build_manifest(
        files,
        as_of=inputs.as_of,
        period=(inputs.period_start, inputs.period_end),
        portfolios=list(inputs.portfolios),
        scoped=inputs.scope is not None,
        publication=inputs.publication,
        lang=inputs.lang,
        catalogue_version=inputs.catalogue_version,
        exported_by=inputs.exported_by,
        exported_at=prepared.exported_at,
        loads=inputs.loads,
        app_version_text=inputs.app_version,
    )
    raw = manifest_bytes(manifest)
    data = _zip({**files, MANIFEST_NAME: raw}, prepared.exported_at, deflating.result())
    stamp = prepared.exported_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "publication" if inputs.publication else "evidence"
    return EvidencePack(
        data=data,
        sha256=sha256_hex(data),
        manifest=manifest,
        manifest_sha256=sha256_hex(raw),
        file_name=f"{kind}_pack_{inputs.as_of.isoformat()}_{stamp}.zip",
    )
