"""What an evidence file really is, from its bytes: magic numbers, the OOXML content types, or consistent CSV text.

The name's extension is only a claim; a file is accepted when the content is one of the allowed kinds and agrees with
the extension (a renamed executable or a macro-enabled workbook is refused).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import PurePosixPath

from rules.workflow import WorkflowError

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
}
EXTENSIONS: dict[str, str] = {
    "pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "csv": "csv",
}  # fmt: skip
ACCEPTED_EXTENSIONS = tuple(EXTENSIONS)
DEFAULT_MAX_MB = 10
MB = 1024 * 1024
# The main part of a Word document and an Excel workbook; macro-enabled and template variants name other types.
OOXML_MAIN = {
    "docx": ("/word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("/xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
CONTENT_TYPES_LIMIT = 1_000_000  # a [Content_Types].xml larger than this is not a real document's
CSV_SAMPLE_ROWS = 2_000
CSV_DELIMITERS = (",", ";", "\t")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def max_evidence_bytes(env: Mapping[str, str] | None = None) -> int:
    """The size limit of one evidence file: VSD_EVIDENCE_MAX_MB megabytes (MiB), 10 by default."""
    raw = (env if env is not None else os.environ).get("VSD_EVIDENCE_MAX_MB", "")
    try:
        megabytes = float(raw) if raw.strip() else DEFAULT_MAX_MB
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int((megabytes if megabytes > 0 else DEFAULT_MAX_MB) * MB)


def _ooxml_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_LIMIT:
                return None
            types = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, ValueError, EOFError, OSError):
        return None
    for kind, (folder, main) in OOXML_MAIN.items():
        if f'PartName="{folder}' in types and main in types:
            return kind
    return None


def _is_csv(content: bytes) -> bool:
    """UTF-8 text (with or without a BOM) whose rows all have the same number (2 or more) of fields."""
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    for delimiter in CSV_DELIMITERS:
        widths = set()
        try:
            for index, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)):
                if index >= CSV_SAMPLE_ROWS:
                    break
                if row:
                    widths.add(len(row))
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


def detect(content: bytes) -> str | None:
    """The kind of file the bytes are (pdf, docx, xlsx, png, jpeg, csv), or None when none of these."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        return _ooxml_kind(content)
    return "csv" if _is_csv(content) else None


def safe_name(file_name: str) -> str:
    """The file's own name: no folders, no control characters, at most 255 characters (the extension kept)."""
    name = PurePosixPath((file_name or "").replace("\\", "/")).name
    name = _CONTROL.sub("", name).strip() or "evidence"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) < 20 else name[:255]
    return name


def extension(file_name: str) -> str:
    """The lower-case extension without its dot ('' when there is none)."""
    name = safe_name(file_name)
    return name.rpartition(".")[2].lower() if "." in name else ""


def check_upload(file_name: str, content: bytes, max_bytes: int | None = None) -> tuple[str, str]:
    """(kind, content type) of an acceptable evidence file; WorkflowError naming the problem otherwise."""
    limit = max_evidence_bytes() if max_bytes is None else max_bytes
    if not content:
        raise WorkflowError("evidence.errors.empty")
    if len(content) > limit:
        raise WorkflowError("evidence.errors.too_large", size=f"{len(content) / MB:.1f}", maximum=f"{limit / MB:g}")
    ext = extension(file_name)
    if ext not in EXTENSIONS:
        raise WorkflowError("evidence.errors.bad_extension", extension=ext or "–", allowed=", ".join(EXTENSIONS))
    kind = detect(content)
    if kind is None:
        raise WorkflowError("evidence.errors.unrecognised", extension=ext)
    if kind != EXTENSIONS[ext]:
        raise WorkflowError("evidence.errors.mismatch", extension=ext, detected=kind)
    return kind, CONTENT_TYPES[kind]
