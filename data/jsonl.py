"""Reading JSON Lines: one helper, so every reader numbers lines the same way.

Callers decide what a bad line means (an import collects it as an issue, a backup is refused),
so decoding errors are handed back instead of raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def jsonl_lines(text: str) -> Iterator[tuple[int, Any, json.JSONDecodeError | None]]:
    """(line number from 1, value, error) for every non-blank line; value is None on an error."""
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield n, None, exc
