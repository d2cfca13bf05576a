"""What the core says while it works (the progress line of the app and of a report's dialog): one list of
sentences, formatted here, so the app can say each one in its language (`translated`)."""

from __future__ import annotations

import re
from typing import Callable

READING_GRAPH = "reading the graph"
WALKING_GRAPH = "walking the graph"
STATISTICS = "statistics: {0}"
STATISTICS_DONE = "statistics done"
CHECKSUM = "checksum"
HISTOGRAM = "histogram of {0}"
REPORT_READY = "report ready"
COMPARING = "comparing {0}"
READING_B = "reading B"
RUNNING_A = "running A"
RUNNING_B = "running B"
READING_BOTH = "reading the continuation with both"
READING_FILE = "reading {0}"
COMPARED = "compared"

SENTENCES = (READING_GRAPH, WALKING_GRAPH, STATISTICS, STATISTICS_DONE, CHECKSUM, HISTOGRAM, REPORT_READY, COMPARING,
             READING_B, RUNNING_A, RUNNING_B, READING_BOTH, READING_FILE, COMPARED)
_PATTERNS = [(s, re.compile("^" + re.escape(s).replace(re.escape("{0}"), "(.+)") + "$", re.S)) for s in SENTENCES]


def translated(message: str, tr: Callable[[str], str]) -> str:
    """`message`, one of SENTENCES as formatted, in the language of `tr` (a message not on the list as it is)."""
    for sentence, pattern in _PATTERNS:
        if m := pattern.match(message):
            return tr(sentence).format(*m.groups())
    return message
