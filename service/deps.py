"""FastAPI dependencies: the shared engine, store and settings, and the write-access check.

The engine is created once per process by the app's lifespan and kept on ``app.state``; routes
receive it through ``Depends`` and never open their own.
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Header, HTTPException, Request

from gka_match.config import Settings
from gka_match.data.store import Store
from gka_match.index.engine import Engine
from gka_match.index.search import Searcher


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    engine.sync()  # cheap when nothing changed: one indexed MAX() on the change log
    return engine


def get_searcher(request: Request) -> Searcher:
    """The search core over the engine (synced first, as for ``get_engine``)."""
    get_engine(request)
    return request.app.state.searcher


def get_store(request: Request) -> Store:
    return request.app.state.store


def require_api_key(
    settings: Settings = Depends(get_settings),
    x_api_key: str | None = Header(default=None, description="API key for write access"),
) -> None:
    """Writes need ``X-API-Key``; compared in constant time. No key configured: read-only."""
    if not settings.api_key:
        raise HTTPException(
            status_code=403,
            detail="Deze gka-match-service is alleen-lezen: er is geen API-sleutel ingesteld (zet GKA_API_KEY om schrijven toe te staan).",
        )
    if x_api_key is None:
        raise HTTPException(status_code=401, detail="De header X-API-Key ontbreekt; schrijven vraagt de API-sleutel.")
    if not hmac.compare_digest(x_api_key.encode(), settings.api_key.encode()):
        raise HTTPException(status_code=403, detail="Verkeerde API-sleutel.")
