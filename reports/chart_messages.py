"""The framing of the messages between an export and its chart processes (reports.chart_images and
reports.chart_worker): a 4-byte big-endian length, then a pickle. Only the exporting process writes to a worker's
input and only the worker to its output, so each side reads only pickles its partner wrote."""

from __future__ import annotations

import pickle
import struct
from typing import BinaryIO

HEADER = struct.Struct(">I")


def write_message(stream: BinaryIO, message: object) -> None:
    """One framed message: its length, then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: BinaryIO) -> object:
    """The next framed message; EOFError when the stream ends (cleanly or not) before a whole message."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError("the stream ended")
    size = HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the stream ended inside a message")
    return pickle.loads(data)  # noqa: S301 - written by the process that started this one, through a pipe
