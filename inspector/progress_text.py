"""What the core says while it works (the progress line of the app and of a report's dialog): one list of
sentences; `progress(fraction, STATISTICS(layer))` hands a Message, so each view says it in its language."""

from __future__ import annotations

from typing import Callable

from .messages import Message, sentence

READING_GRAPH = sentence("reading the graph")
WALKING_GRAPH = sentence("walking the graph")
STATISTICS = sentence("statistics: {0}")
STATISTICS_DONE = sentence("statistics done")
CHECKSUM = sentence("checksum")
HISTOGRAM = sentence("histogram of {0}")
REPORT_READY = sentence("report ready")
COMPARING = sentence("comparing {0}")
READING_B = sentence("reading B")
RUNNING_A = sentence("running A")
RUNNING_B = sentence("running B")
READING_BOTH = sentence("reading the continuation with both")
READING_FILE = sentence("reading {0}")
COMPARED = sentence("compared")

Progress = Callable[[float, Message], None]  # (the share done, what is being done)
