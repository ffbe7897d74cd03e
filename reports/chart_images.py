"""SPC chart images (PNG) for the exports: the app's XmR chart, rendered once per distinct series and kept for reuse.

Rendering costs about half a CPU-second a chart (building the Altair chart, its Vega-Lite dict, then vl-convert), and
a whole-framework pack has about forty, so:
- charts that would be identical (portfolios sharing a cohort show the same series) are rendered once;
- rendered images are kept (bounded, in this process) by everything that determines them, so a second export of
  the same data (the board pack after the evidence pack) renders nothing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import vl_convert

from charts.spc import spc_chart
from charts.theme import enable_theme, localised
from config.i18n import t

CHART_WORKERS = 2  # vl-convert releases the GIL while it renders; two threads keep both cores busy
PNG_SCALE = 1.5  # sharp enough for print at the board pack's chart width
CACHE_ENTRIES = 512  # about 40 kB each


@dataclass(frozen=True)
class ChartTask:
    """Everything that determines one SPC chart image: the XmR result to draw (results.spc made it; nothing is
    recomputed here), its reading, labels and language."""

    frame_json: str
    reading: tuple
    title: str
    target: float | None
    y_format: str
    lang: str

    @property
    def digest(self) -> str:
        """A stable key of the image (the cache key)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def chart_task(
    frame: pd.DataFrame | None, *, title: str, kind: str, lang: str, target=None, variation=None, assurance=None
) -> ChartTask | None:
    """The task of a measure's XmR frame, headed with its scorecard reading (variation, assurance); None when the
    series has no chart."""
    if frame is None or not frame.attrs.get("has_chart"):
        return None
    reading = {**frame.attrs, "variation_icon": variation, "assurance": assurance}
    return ChartTask(
        frame_json=frame.to_json(orient="split", date_format="iso"),
        reading=tuple(sorted(reading.items())),
        title=title,
        target=None if target is None or pd.isna(target) else float(target),
        y_format=".0%" if kind == "rate" else ",.0f",
        lang=lang,
    )


def task_chart(task: ChartTask):
    """The Altair chart of a task, exactly as the app draws the measure's SPC chart, in the task's language."""
    frame = pd.read_json(io.StringIO(task.frame_json), orient="split")
    frame.index = pd.DatetimeIndex(frame.index)
    frame.attrs = dict(task.reading)
    translate = functools.partial(t, lang=task.lang)
    chart = spc_chart(
        frame, title=task.title, target=task.target, y_format=task.y_format, translate=translate, lang=task.lang
    )
    return localised(chart, task.lang)  # the pack's language, not the session's, for every date Vega formats


def _render(task: ChartTask) -> bytes:
    """One PNG of the task's chart."""
    return vl_convert.vegalite_to_png(task_chart(task).to_dict(validate=False), scale=PNG_SCALE)


class _PngCache:
    """Rendered images by task digest, least recently used dropped first; safe to share between threads."""

    def __init__(self, entries: int):
        self.entries = entries
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: str, png: bytes) -> None:
        with self.lock:
            self.items[key] = png
            while len(self.items) > self.entries:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


CACHE = _PngCache(CACHE_ENTRIES)


def render_charts(tasks: dict[str, ChartTask], progress: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    """PNG images of the tasks by key: each distinct chart rendered once (or taken from the cache), in parallel."""
    enable_theme()
    by_digest: dict[str, list[str]] = {}
    for key, task in tasks.items():
        by_digest.setdefault(task.digest, []).append(key)
    images: dict[str, bytes] = {}
    todo: list[tuple[str, ChartTask]] = []
    for digest, keys in by_digest.items():
        cached = CACHE.get(digest)
        if cached is None:
            todo.append((digest, tasks[keys[0]]))
        else:
            images[digest] = cached
    done = len(images)
    if todo:
        with ThreadPoolExecutor(CHART_WORKERS) as pool:
            for digest, png in pool.map(lambda item: (item[0], _render(item[1])), todo):
                images[digest] = png
                CACHE.put(digest, png)
                done += 1
                if progress:
                    progress(done, len(by_digest))
    return {key: images[digest] for digest, keys in by_digest.items() for key in keys}
