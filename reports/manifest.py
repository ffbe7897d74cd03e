"""Evidence-pack manifest: SHA-256 of every file, provenance of the export, and verification of a pack later."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
ROOT = Path(__file__).resolve().parent.parent
LOAD_FIELDS = ["table_name", "file_name", "sha256", "rows_inserted", "rows_updated", "loaded_by", "loaded_at"]


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def app_version(root: Path = ROOT) -> str:
    """The app's version from the VERSION file at the repository root; "dev" when there is none."""
    path = root / "VERSION"
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    return "dev"


def _iso(value) -> str | None:
    """A date or datetime as ISO 8601 text; None for a blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _plain(value):
    """A cell as a JSON value: numpy numbers to Python numbers, blanks to None, dates to ISO text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, dt.date):
        return _iso(value)
    return value.item() if hasattr(value, "item") else value


def load_records(loads: pd.DataFrame | None) -> list[dict]:
    """The loads behind the data as manifest records: file name, SHA-256, rows, when and who."""
    if loads is None or loads.empty:
        return []
    records = []
    for row in loads.to_dict("records"):
        record = {name: _plain(row.get(name)) for name in LOAD_FIELDS}
        record["loaded_at"] = _iso(row.get("loaded_at"))
        record["rows"] = sum(int(record[name] or 0) for name in ("rows_inserted", "rows_updated"))
        records.append(record)
    return records


def build_manifest(
    files: Mapping[str, bytes],
    *,
    as_of: dt.date,
    period: tuple[dt.date, dt.date],
    portfolios: Sequence[str],
    scoped: bool = False,
    publication: bool,
    lang: str,
    catalogue_version: str,
    exported_by: str,
    exported_at: dt.datetime,
    loads: pd.DataFrame | None = None,
    app_version_text: str | None = None,
) -> dict:
    """The manifest of a pack: every file's name, size and SHA-256 plus what was exported, from what, by whom."""
    return {
        "format": MANIFEST_FORMAT,
        "app_version": app_version_text or app_version(),
        "catalogue_version": catalogue_version,
        "as_of": as_of.isoformat(),
        "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
        "portfolios": list(portfolios),
        "scope": "restricted" if scoped else "all",
        "publication": bool(publication),
        "language": lang,
        "exported_by": exported_by,
        "exported_at": exported_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "loads": load_records(loads),
        "files": [{"name": name, "bytes": len(data), "sha256": sha256_hex(data)} for name, data in files.items()],
    }


def manifest_bytes(manifest: dict) -> bytes:
    """The manifest as the exact bytes written to the pack (and hashed for the audit log)."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class VerifyResult:
    """Outcome of re-hashing a pack against its manifest."""

    ok: bool
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    checked: int = 0
    manifest_sha256: str | None = None
    manifest_matches: bool | None = None
    error: str | None = None

    def summary(self) -> str:
        """Human-readable lines: what is intact, changed, missing or extra."""
        if self.error:
            return f"cannot verify: {self.error}"
        lines = [f"{self.checked} files listed in {MANIFEST_NAME}; manifest SHA-256 {self.manifest_sha256}"]
        if self.manifest_matches is False:
            lines.append("manifest changed: its SHA-256 differs from the one recorded at export")
        lines += [f"changed: {name}" for name in self.changed]
        lines += [f"missing: {name}" for name in self.missing]
        lines += [f"not in manifest: {name}" for name in self.extra]
        lines.append("pack intact" if self.ok else "pack NOT intact")
        return "\n".join(lines)


def _safe_name(name: str) -> bool:
    """A manifest name that stays inside the pack (no absolute paths, no '..')."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _read_pack(path: Path) -> tuple[dict[str, bytes], bytes | None]:
    """(files other than the manifest, manifest bytes) of a zip pack or of a folder it was unpacked into."""
    files: dict[str, bytes] = {}
    if path.is_dir():
        for item in sorted(p for p in path.rglob("*") if p.is_file()):
            files[item.relative_to(path).as_posix()] = item.read_bytes()
    else:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    files[info.filename] = archive.read(info)
    return files, files.pop(MANIFEST_NAME, None)


def verify_pack(path: str | Path, expected_manifest_sha256: str | None = None) -> VerifyResult:
    """Re-hash every file of a pack (zip or unpacked folder) against its manifest; list changed, missing, extra.

    Give `expected_manifest_sha256` (the hash the audit log recorded at export) to prove the manifest itself.
    """
    path = Path(path)
    try:
        files, raw = _read_pack(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return VerifyResult(ok=False, error=f"{path}: {exc}")
    if raw is None:
        return VerifyResult(ok=False, error=f"{path}: no {MANIFEST_NAME}")
    manifest_hash = sha256_hex(raw)
    try:
        listed = json.loads(raw.decode("utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        return VerifyResult(ok=False, manifest_sha256=manifest_hash, error=f"{MANIFEST_NAME} unreadable: {exc}")
    result = VerifyResult(ok=True, checked=len(listed), manifest_sha256=manifest_hash)
    names = set()
    for entry in listed:
        name = str(entry.get("name", ""))
        names.add(name)
        if not _safe_name(name) or name not in files:
            result.missing.append(name)
        elif len(files[name]) != entry.get("bytes") or sha256_hex(files[name]) != entry.get("sha256"):
            result.changed.append(name)
    result.extra = sorted(set(files) - names)
    if expected_manifest_sha256 is not None:
        result.manifest_matches = manifest_hash == expected_manifest_sha256.strip().lower()
    result.ok = not (result.changed or result.missing or result.extra or result.manifest_matches is False)
    return result
