"""The FastAPI application: API, chat, OpenAI-compatible chat and the Dutch web page.

One engine per process, opened (and warmed) in the lifespan; every error a client can cause is
a 4xx with a message that says what to fix, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gka_match.config import Settings, load_settings
from gka_match.data.store import NotFound, StoreError
from . import analysis_api, api, chat_api, documents_api, openai_compat, web, web_analysis
from .chat_sessions import ChatManager
from .validation import format_validation

log = logging.getLogger("gka_match.service")

# Every router of the app, in order: analysis_api comes before api, so its /agendas/compare wins
# over /agendas/{agenda_id}.
ROUTERS = (analysis_api.router, api.router, chat_api.router, openai_compat.router, documents_api.router,
           web.router, web_analysis.router)
SYNC_INTERVAL_SECONDS = 0.5


class BodySizeLimit:
    """Refuse request bodies above ``limit`` bytes with 413.

    A declared Content-Length is checked before anything is read; a chunked body is read up to
    the limit (so at most ``limit`` bytes are ever held) and then replayed to the app.
    """

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._reject(send)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            size += len(message.get("body", b""))
            if size > self.limit:
                return await self._reject(send)
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as usual

        await self.app(scope, replay, send)

    async def _reject(self, send) -> None:
        body = f'{{"detail":"Request body too large: the limit is {self.limit} bytes."}}'.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None, engine=None) -> FastAPI:
    """Build the app; ``engine`` may be injected (tests), otherwise it is opened at start-up."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from gka_match.runtime import open_engine, open_searcher

        app.state.settings = settings
        app.state.engine = engine or await asyncio.to_thread(open_engine, settings, None, log.warning)
        app.state.searcher = await asyncio.to_thread(open_searcher, app.state.engine, settings)
        app.state.store = app.state.engine.store
        # /chat keeps conversations; /v1 caches the replayed history of its clients (kept apart).
        app.state.chat_manager = ChatManager(settings.chat_ttl_seconds, settings.chat_max_conversations)
        app.state.openai_chat_sessions = ChatManager(settings.chat_ttl_seconds, settings.chat_max_conversations)
        task = asyncio.create_task(_follow_store(app))
        log.info("gka-match ready: %d documents", len(app.state.engine.docs))
        try:
            yield
        finally:
            task.cancel()
            await asyncio.to_thread(app.state.engine.save_if_changed)

    app = FastAPI(
        title="gka-match",
        version="0.1.0",
        description="Zoek interventies tegen kansenongelijkheid die passen bij een lokale uitdaging.",
        lifespan=lifespan,
        docs_url=None,  # served below from the installed swagger-ui-bundle: /docs works offline
    )
    _offline_docs(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key", "Authorization"],
        )
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": _utf8_safe(format_validation(exc))})

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound):
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(StoreError)
    async def _conflict(_: Request, exc: StoreError):
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)

    for router in ROUTERS:
        app.include_router(router)
    return app


def _utf8_safe(text: str) -> str:
    """A message that can be sent as UTF-8 even when it quotes a broken input (a lone surrogate)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI from the installed ``swagger-ui-bundle`` instead of a CDN."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="gka-match API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")


async def _follow_store(app: FastAPI) -> None:
    """Keep this replica's indexes in step with writes made through other processes."""
    while True:
        await asyncio.sleep(SYNC_INTERVAL_SECONDS)
        try:
            await asyncio.to_thread(app.state.engine.sync)
        except Exception:  # keep following; the next round retries
            log.exception("index sync failed")
