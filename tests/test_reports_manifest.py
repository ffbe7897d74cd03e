"""Manifest building and pack verification (reports/manifest.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from reports.manifest import (
    MANIFEST_NAME,
    app_version,
    build_manifest,
    manifest_bytes,
    sha256_hex,
    verify_pack,
)
from tests.test_reports_fixtures import AS_OF, EXPORTED_AT, PERIOD, loads

FILES = {"a.txt": b"abc", "charts/vcop/X.png": b"\x89PNG not really", "empty.csv": b""}
# SHA-256 test vectors (FIPS 180-2): "abc" and the empty string.
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _manifest(files=FILES, **overrides):
    fields = dict(
        as_of=AS_OF,
        period=PERIOD,
        portfolios=["vcop"],
        publication=False,
        lang="en",
        catalogue_version="2026.1",
        exported_by="inspector1",
        exported_at=EXPORTED_AT,
        loads=loads(),
        app_version_text="1.2.3",
    )
    return build_manifest(files, **(fields | overrides))


def _zip(path, files: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _pack(tmp_path, files=FILES, manifest=None):
    raw = manifest_bytes(manifest or _manifest(files))
    return _zip(tmp_path / "pack.zip", {**files, MANIFEST_NAME: raw}), sha256_hex(raw)


def test_sha256_test_vectors():
    assert sha256_hex(b"abc") == ABC
    assert sha256_hex(b"") == EMPTY


def test_app_version_reads_version_file(tmp_path):
    assert app_version(tmp_path) == "dev"
    (tmp_path / "VERSION").write_text("1.4.0\n", encoding="utf-8")
    assert app_version(tmp_path) == "1.4.0"


def test_manifest_lists_files_and_provenance():
    manifest = _manifest()
    assert manifest["files"] == [
        {"name": "a.txt", "bytes": 3, "sha256": ABC},
        {"name": "charts/vcop/X.png", "bytes": 15, "sha256": sha256_hex(FILES["charts/vcop/X.png"])},
        {"name": "empty.csv", "bytes": 0, "sha256": EMPTY},
    ]
    assert manifest["exported_at"] == "2026-11-02T09:30:00Z"
    assert manifest["period"] == {"from": "2025-11-01", "to": "2026-10-31"}
    assert (manifest["app_version"], manifest["catalogue_version"], manifest["as_of"]) == (
        "1.2.3",
        "2026.1",
        "2026-10-31",
    )
    assert [(load["file_name"], load["rows"]) for load in manifest["loads"]] == [
        ("victims.csv", 200),
        ("entitlements.csv", 1512),
    ]
    assert manifest["loads"][0]["loaded_at"] == "2026-11-01T08:00:00"
    json.loads(manifest_bytes(manifest))  # plain JSON: no numpy or datetime objects left


def test_exported_at_is_converted_to_utc():
    local = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert _manifest(exported_at=local)["exported_at"] == "2026-06-01T09:00:00Z"


def test_intact_pack(tmp_path):
    path, manifest_hash = _pack(tmp_path)
    result = verify_pack(path, expected_manifest_sha256=manifest_hash)
    assert result.ok and result.checked == 3 and result.manifest_matches is True
    assert result.manifest_sha256 == manifest_hash
    assert "pack intact" in result.summary()


@pytest.mark.parametrize(
    ("files", "changed", "missing", "extra"),
    [
        ({**FILES, "a.txt": b"abd"}, ["a.txt"], [], []),  # same size, different bytes
        ({**FILES, "empty.csv": b"x"}, ["empty.csv"], [], []),
        ({k: v for k, v in FILES.items() if k != "a.txt"}, [], ["a.txt"], []),
        ({**FILES, "new.txt": b"?"}, [], [], ["new.txt"]),
    ],
)
def test_tampered_pack(tmp_path, files, changed, missing, extra):
    raw = manifest_bytes(_manifest())
    path = _zip(tmp_path / "pack.zip", {**files, MANIFEST_NAME: raw})
    result = verify_pack(path)
    assert (result.ok, result.changed, result.missing, result.extra) == (False, changed, missing, extra)
    assert "pack NOT intact" in result.summary()


def test_unpacked_folder_verifies_too(tmp_path):
    path, _ = _pack(tmp_path)
    folder = tmp_path / "unpacked"
    zipfile.ZipFile(path).extractall(folder)
    assert verify_pack(folder).ok
    (folder / "charts" / "vcop" / "X.png").write_bytes(b"changed")
    assert verify_pack(folder).changed == ["charts/vcop/X.png"]


def test_edited_manifest_is_caught_by_the_recorded_hash(tmp_path):
    forged = {**FILES, "a.txt": b"forged"}
    path, _ = _pack(tmp_path, files=forged)  # a manifest re-made to match the forged file
    original_hash = sha256_hex(manifest_bytes(_manifest()))
    result = verify_pack(path, expected_manifest_sha256=original_hash)
    assert not result.ok and result.manifest_matches is False and result.changed == []
    assert "manifest changed" in result.summary()


def test_names_escaping_the_pack_are_never_read(tmp_path):
    manifest = _manifest({"../outside.txt": b"abc"})
    (tmp_path / "outside.txt").write_bytes(b"abc")
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / MANIFEST_NAME).write_bytes(manifest_bytes(manifest))
    assert verify_pack(folder).missing == ["../outside.txt"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "File is not a zip file"),
        (None, "no manifest.json"),
        (b"{not json", "manifest.json unreadable"),
    ],
)
def test_unverifiable_packs(tmp_path, content, message):
    path = tmp_path / "pack.zip"
    if content == b"not a zip":
        path.write_bytes(content)
    else:
        files = {"a.txt": b"abc"} | ({MANIFEST_NAME: content} if content else {})
        _zip(path, files)
    result = verify_pack(path)
    assert not result.ok and message in result.error
    assert result.summary().startswith("cannot verify")


def test_missing_path(tmp_path):
    result = verify_pack(tmp_path / "nope.zip")
    assert not result.ok and "nope.zip" in result.error


def test_manifest_bytes_are_utf8_json():
    raw = manifest_bytes(_manifest(exported_by="Siân Ŵyn"))
    assert "Siân Ŵyn".encode() in raw
    assert json.loads(io.BytesIO(raw).read())["exported_by"] == "Siân Ŵyn"
