"""Downloads as a browser makes them (issue #15, item 2): what Streamlit stores for the browser while a page draws,
and a click on a deferred download button answered the way the server answers it."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager


@dataclass
class MediaStore:
    """Every file added to Streamlit's media store (name, bytes) and every deferred download registered, by id."""

    stored: list[tuple[str | None, bytes]] = field(default_factory=list)
    deferred: dict[str, MediaFileManager] = field(default_factory=dict)

    def stored_text(self) -> str:
        return "\n".join(data.decode("utf-8", errors="ignore") for _name, data in self.stored)


@pytest.fixture(name="media")
def media_fixture(monkeypatch) -> MediaStore:
    """Record what the app hands Streamlit's media store (in this test only)."""
    store = MediaStore()
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording_add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if isinstance(path_or_data, bytes | bytearray):
            store.stored.append((file_name, bytes(path_or_data)))
        return add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def recording_add_deferred(self, *args, **kwargs):
        file_id = add_deferred(self, *args, **kwargs)
        store.deferred[file_id] = self
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)
    return store


def not_stored_before_the_click(at, key: str, media: MediaStore) -> str:
    """The button's file is not in the media store (no URL; only a deferred id); returns that id."""
    proto = at.download_button(key=key).proto
    assert proto.url == "", f"{key} was stored for the browser before any click: {proto.url}"
    assert proto.deferred_file_id in media.deferred, key
    return proto.deferred_file_id


def click_download(at, key: str, media: MediaStore) -> bytes:
    """Click a download button as the browser does: the server runs the deferred callable on a worker thread (no
    script run context, as Streamlit's DeferredFileHandler does) and stores the file; returns the file's bytes."""
    file_id = not_stored_before_the_click(at, key, media)
    manager = media.deferred[file_id]
    outcome: dict[str, object] = {}

    def answer() -> None:
        try:
            outcome["url"] = manager.execute_deferred(file_id)
        except Exception as exc:  # noqa: BLE001 (reported below, on the test's thread)
            outcome["error"] = exc

    worker = threading.Thread(target=answer)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    stored = manager.read_file(os.path.basename(str(outcome["url"])))
    assert stored is not None
    return stored.content
