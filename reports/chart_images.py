"""SPC chart images (PNG) for the exports: the app's XmR chart, rendered once per distinct series and kept for reuse.

Rendering costs about a quarter of a CPU-second a chart (building the Altair chart and its Vega-Lite dict, then
vl-convert), and a whole-framework pack has about forty, so:
- charts that would be identical (portfolios sharing a cohort show the same series) are rendered once;
- rendered images are kept (bounded, in this process) by everything that determines them, so a second export of
  the same data (the board pack after the evidence pack) renders nothing;
- a large export draws its charts in other processes (reports.chart_worker) while this one reads the case extracts
  and writes the workbook: vl-convert holds the GIL while it renders (measured: a Python thread beside it runs at
  about 4% of its speed), so threads cannot draw charts side by side, but processes can. `chart_processes()` starts
  them before the export gathers its data, so their start (imports, the JavaScript engine) overlaps the data step;
  `render_charts` then hands back a PendingCharts mapping whose images are waited for only when first read (the
  board pack's PDF), and the `with` block ends the processes however the export ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import io
import logging
import os
import queue
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import vl_convert

from charts.spc import spc_chart
from charts.theme import enable_theme, localised
from config.i18n import t
from reports.chart_messages import read_message, write_message

PNG_SCALE = 1.5  # sharp enough for print at the board pack's chart width
CACHE_ENTRIES = 512  # about 40 kB each
PROCESSES_ENV = "VSD_CHART_PROCESSES"  # how many chart processes an export may start (0: draw in this process)
MAX_PROCESSES = 2
PROCESSES_FROM = 12  # charts an export expects; a smaller one draws them here (a process costs ~2 CPU-s to start)
RESULT_TIMEOUT = 300.0  # seconds to wait for one chart from a process before the export fails
CLOSE_TIMEOUT = 5.0  # seconds a process has to end once its input is closed, before it is killed
ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


class ChartRenderError(RuntimeError):
    """A chart could not be drawn in a chart process (the message carries that process's traceback)."""


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


def render_png(task: ChartTask) -> bytes:
    """One PNG of the task's chart (here, or in a chart process: the same function, so the same bytes)."""
    enable_theme()
    return vl_convert.vegalite_to_png(task_chart(task).to_dict(validate=False), scale=PNG_SCALE)


def warm_up() -> None:
    """Make a chart process's first real chart as quick as its others: the theme, Altair's schema and vl-convert's
    JavaScript engine are set up here, while the exporting process is still gathering its data."""
    import altair as alt

    enable_theme()
    chart = alt.Chart(pd.DataFrame({"x": [0.0, 1.0]})).mark_line().encode(x="x:Q", y="x:Q")
    vl_convert.vegalite_to_png(chart.to_dict(validate=False), scale=PNG_SCALE)


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


class ChartProcesses:
    """Chart processes (reports.chart_worker) for one export, each fed by a thread of this process that sends it a
    task and waits (without the GIL) for its image. close() ends them; the chart_processes() block calls it."""

    def __init__(self, count: int):
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.processes: list[subprocess.Popen] = []
        self.threads: list[threading.Thread] = []
        self.closed = False
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        try:
            for _ in range(count):
                process = subprocess.Popen(
                    [sys.executable, "-m", "reports.chart_worker"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env,
                )  # fmt: skip
                self.processes.append(process)
                thread = threading.Thread(target=self._feed, args=(process,), name="vsd-chart-feed", daemon=True)
                thread.start()
                self.threads.append(thread)
        except BaseException:
            self.close()
            raise

    @property
    def usable(self) -> bool:
        return not self.closed

    def submit(self, task: ChartTask) -> Future:
        """The future image of a task (kept in CACHE once drawn)."""
        if self.closed:
            raise RuntimeError("the chart processes have been closed")
        future: Future = Future()
        self.requests.put((task, future))
        return future

    def _feed(self, process: subprocess.Popen) -> None:
        """Send this thread's process one task at a time and settle its future; a process that stops fails the task
        it held and every later one this thread takes, so no export waits for an image that will never come."""
        stopped: str | None = None
        while (item := self.requests.get()) is not None:
            task, future = item
            if not future.set_running_or_notify_cancel():
                continue
            if stopped is None:
                try:
                    write_message(process.stdin, (0, task))
                    _, png, error = read_message(process.stdout)
                except Exception as exc:  # a broken pipe, the end of its output, a garbled reply
                    stopped = f"the chart process {process.pid} stopped ({type(exc).__name__}: {exc})"
                else:
                    if error is None:
                        CACHE.put(task.digest, png)
                        future.set_result(png)
                    else:
                        future.set_exception(ChartRenderError(f"drawing the chart {task.title!r} failed:\n{error}"))
                    continue
            future.set_exception(ChartRenderError(stopped))

    def close(self) -> None:
        """Cancel the tasks not yet sent, end the processes (killing any that do not end) and the feeding threads."""
        if self.closed:
            return
        self.closed = True
        while True:
            try:
                item = self.requests.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[1].cancel()
        for _ in self.threads:
            self.requests.put(None)
        for process in self.processes:
            with contextlib.suppress(OSError):
                process.stdin.close()  # the process ends at the end of its input
        for process in self.processes:
            try:
                process.wait(CLOSE_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for thread in self.threads:
            thread.join(CLOSE_TIMEOUT)
        for process in self.processes:
            with contextlib.suppress(OSError):
                process.stdout.close()


_ACTIVE: contextvars.ContextVar[ChartProcesses | None] = contextvars.ContextVar("vsd_chart_processes", default=None)


def process_count(expected: int) -> int:
    """How many chart processes an export expecting `expected` charts starts: VSD_CHART_PROCESSES when set (0: none),
    else none for a small export or a one-core machine, else up to MAX_PROCESSES."""
    setting = os.environ.get(PROCESSES_ENV, "").strip()
    if setting:
        return max(int(setting), 0)
    cores = os.cpu_count() or 1
    return 0 if expected < PROCESSES_FROM or cores < 2 else min(MAX_PROCESSES, cores)


@contextlib.contextmanager
def chart_processes(expected: int) -> Iterator[ChartProcesses | None]:
    """Start chart processes for an export expecting `expected` charts (render_charts in this block uses them) and end
    them when the block ends, however it ends; None (charts drawn in this process) when not worth it or when they
    cannot be started."""
    count = process_count(expected)
    processes = None
    if count:
        try:
            processes = ChartProcesses(count)
        except OSError:
            log.warning("could not start chart processes; drawing the charts in this process", exc_info=True)
    if processes is None:
        yield None
        return
    token = _ACTIVE.set(processes)
    try:
        yield processes
    finally:
        _ACTIVE.reset(token)
        processes.close()


class PendingCharts(Mapping):
    """Chart images by key, some still being drawn in chart processes: reading one waits for it (and raises the
    error that stopped it); the keys are known at once."""

    def __init__(self, digests: Mapping[str, str], images: dict[str, bytes | Future]):
        self._digests = dict(digests)
        self._images = images

    def __getitem__(self, key: str) -> bytes:
        digest = self._digests[key]
        image = self._images[digest]
        if isinstance(image, Future):
            try:
                image = image.result(RESULT_TIMEOUT)
            except CancelledError:
                raise ChartRenderError(f"the chart {key!r} was not drawn: its export ended first") from None
            except TimeoutError:
                raise ChartRenderError(f"the chart {key!r} was not drawn within {RESULT_TIMEOUT:.0f} s") from None
            self._images[digest] = image
        return image

    def __iter__(self) -> Iterator[str]:
        return iter(self._digests)

    def __len__(self) -> int:
        return len(self._digests)

    def restricted(self, keep: Callable[[str], bool]) -> PendingCharts:
        """The charts whose keys `keep` accepts, without waiting for any."""
        return PendingCharts({k: d for k, d in self._digests.items() if keep(k)}, self._images)


def render_charts(
    tasks: dict[str, ChartTask], progress: Callable[[int, int], None] | None = None
) -> Mapping[str, bytes]:
    """PNG images of the tasks by key: each distinct chart rendered once (or taken from the cache).

    Inside a chart_processes() block the charts still to draw are handed to its processes and a PendingCharts comes
    back at once (`progress` is not told: it may only be called from this thread); otherwise they are drawn here,
    one after another, `progress(done, total)` told after each."""
    enable_theme()
    by_digest: dict[str, list[str]] = {}
    for key, task in tasks.items():
        by_digest.setdefault(task.digest, []).append(key)
    images: dict[str, bytes | Future] = {}
    todo: list[tuple[str, ChartTask]] = []
    for digest, keys in by_digest.items():
        cached = CACHE.get(digest)
        if cached is None:
            todo.append((digest, tasks[keys[0]]))
        else:
            images[digest] = cached
    digests = {key: digest for digest, keys in by_digest.items() for key in keys}
    processes = _ACTIVE.get()
    if processes is not None and processes.usable:
        if todo:
            for digest, task in todo:
                images[digest] = processes.submit(task)
            return PendingCharts(digests, images)
        processes.close()  # nothing to draw (all cached): end the idle processes now rather than at the export's end
    done = len(images)
    for digest, task in todo:
        png = render_png(task)
        images[digest] = png
        CACHE.put(digest, png)
        done += 1
        if progress:
            progress(done, len(by_digest))
    return {key: images[digest] for key, digest in digests.items()}
