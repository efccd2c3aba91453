"""Chat conversations kept in memory, thread-safe, with a TTL and an LRU bound."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from typing import Callable

from .chat import ChatSession


class ChatManager:
    """Conversations in memory: at most ``max_conversations`` (least recently used go first),
    each forgotten ``ttl_seconds`` after its last turn. Thread-safe."""

    def __init__(self, ttl_seconds: float, max_conversations: int, clock: Callable[[], float] = time.monotonic):
        self.ttl = float(ttl_seconds)
        self.max = max(1, int(max_conversations))
        self.clock = clock
        self._sessions: OrderedDict[str, tuple[ChatSession, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._sessions)

    def _expire(self, now: float) -> None:
        # Oldest use first, so expiry stops at the first live session.
        while self._sessions:
            key, (_, used) = next(iter(self._sessions.items()))
            if now - used <= self.ttl:
                break
            del self._sessions[key]

    def get(self, key: str) -> ChatSession | None:
        """The session under ``key`` (marking it used), or None when unknown or expired."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            entry = self._sessions.get(key)
            if entry is None:
                return None
            self._sessions[key] = (entry[0], now)
            self._sessions.move_to_end(key)
            return entry[0]

    def put(self, key: str, session: ChatSession) -> None:
        with self._lock:
            now = self.clock()
            self._expire(now)
            self._sessions[key] = (session, now)
            self._sessions.move_to_end(key)
            while len(self._sessions) > self.max:
                self._sessions.popitem(last=False)

    def create(self) -> tuple[str, ChatSession]:
        key, session = secrets.token_urlsafe(16), ChatSession()
        self.put(key, session)
        return key, session

    def open(self, key: str | None) -> tuple[str, ChatSession, bool]:
        """``(id, session, renewed)``: the live session, or a new one; ``renewed`` is True when
        an id was given but is unknown or expired."""
        if key:
            session = self.get(key)
            if session is not None:
                return key, session, False
        new_key, session = self.create()
        return new_key, session, bool(key)
