"""A chart-drawing process for the exports: `python -m reports.chart_worker`, started by reports.chart_images.

vl-convert holds Python's GIL while it renders, so threads cannot draw two charts at once; processes can. This worker
reads ChartTasks from its standard input and writes each chart's PNG (or the error it raised) to its standard
output, one framed message at a time (a 4-byte big-endian length, then a pickle), drawing each chart with exactly the
function the exporting process would use in-process (reports.chart_images.render_png), so the images are the same
bytes. It ends when its input ends (None, or the exporting process going away). Only the exporting process writes
to its input, so the pickles it reads are its own.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import BinaryIO

from reports.chart_messages import read_message, write_message


def share_layer_data() -> Callable[[], None]:
    """Make Altair turn each DataFrame into Vega-Lite values once per chart rather than once per layer (an SPC chart's
    five layers share one frame): an Altair data transformer, enabled for this whole process (it draws nothing but
    export charts), giving exactly the default transformer's values. Returns the function that forgets the frames
    (called after each chart, so a frame's id cannot be reused while it is remembered)."""
    import altair as alt
    from altair.vegalite.data import default_data_transformer

    held: dict[int, tuple[object, object]] = {}

    def values_once(data):
        hit = held.get(id(data))
        if hit is not None and hit[0] is data:
            return hit[1]
        values = default_data_transformer(data)
        held[id(data)] = (data, values)
        return values

    alt.data_transformers.register("vsd_shared_layer_data", values_once)
    alt.data_transformers.enable("vsd_shared_layer_data")
    return held.clear


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer (id, task) requests with (id, png, None) or (id, None, error text) until None or the end of input."""
    from altair.utils import schemapi

    from reports.chart_images import render_png, warm_up

    # Altair's debug mode checks every object it builds against the Vega-Lite schema, which only raises earlier
    # what drawing would raise; this process draws nothing but the app's own charts, so it skips the check (about
    # 7% of a chart's CPU; the same images).
    schemapi.disable_debug_mode()
    forget = share_layer_data()
    warm_up()
    forget()
    while True:
        try:
            request = read_message(requests)
        except EOFError:
            return
        if request is None:
            return
        number, task = request
        try:
            reply = (number, render_png(task), None)
        except Exception:  # the exporting process raises it (with this text) for the export that asked
            reply = (number, None, traceback.format_exc())
        finally:
            forget()
        write_message(replies, reply)


def main() -> None:
    # The replies go to a copy of the real standard output; anything else printed (a library's warning) goes to
    # standard error, so it can never be mistaken for a reply.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with replies:
        serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
