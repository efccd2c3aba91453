"""An OpenAI-compatible face on the Dutch chat: ``GET /v1/models``, ``POST /v1/chat/completions``.

Any chat client that speaks the OpenAI API (the ``openai`` package, Open WebUI, LibreChat, ...)
can use gka-match by setting its base URL to ``http://HOST:PORT/v1``, any API key and the
model ``gka-match``. There is no language model behind it: the answers come from the same
deterministic chat as ``POST /chat`` (``service/chat.py``).

The conversation is the ``messages`` array: its user turns are replayed through a fresh
``ChatSession`` (system and assistant messages are ignored), so the same messages give the same
answer. To avoid re-running the searches of earlier turns, the session after each request is
cached under a hash of its user turns (TTL and LRU bound as for ``/chat``).

Errors on these routes use OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``
with status 400 (bad request) or 404 (unknown model).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from typing import Any, Callable, Iterator, Literal, Optional, Union

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from gka_match.config import Settings
from gka_match.index.search import Searcher, clean_text

from .chat import ChatIndex, ChatReply, ChatSession
from .chat_sessions import ChatManager
from .deps import get_searcher, get_settings
from .validation import format_validation

MODEL_ID = "gka-match"
MODEL_CREATED = 1735689600  # 2025-01-01, fixed so /v1/models is stable
STREAM_WORDS_PER_CHUNK = 6


# ---- errors in OpenAI's shape ---------------------------------------------------------------
class OpenAIError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code

    def response(self) -> JSONResponse:
        return JSONResponse(status_code=self.status, content={"error": {
            "message": self.message, "type": self.type, "param": self.param, "code": self.code,
        }})


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return "De body van het verzoek is geen geldige JSON.", None
    loc = [str(p) for p in errors[0].get("loc", ()) if p != "body"] if errors else []
    return format_validation(exc), ".".join(loc) or None


class OpenAIRoute(APIRoute):
    """Routes whose errors come back as ``{"error": {...}}`` instead of ``{"detail": ...}``."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except RequestValidationError as exc:
                message, param = _validation_message(exc)
                return OpenAIError(400, message, param=param).response()
            except StarletteHTTPException as exc:
                kind = "invalid_request_error" if exc.status_code < 500 else "server_error"
                return OpenAIError(exc.status_code, str(exc.detail), kind).response()

        return route_handler


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)


# ---- models -------------------------------------------------------------------------------------
class Model(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: Optional[str] = None

    @field_validator("text")
    @classmethod
    def _clean(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            clean_text(value)
        return value


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Union[str, list[ContentPart], None] = None
    name: Optional[str] = None

    @field_validator("content", mode="before")
    @classmethod
    def _content_type(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, (str, list)):
            raise ValueError("content moet tekst zijn, een lijst van content-onderdelen of null")
        if isinstance(value, str):
            clean_text(value)  # a lone surrogate is refused here, with what to fix
        return value

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request body; sampling options (temperature, top_p, ...) are accepted and ignored:
    the answers are deterministic."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL_ID, description="any name is answered by gka-match")
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: Optional[StreamOptions] = None
    n: Optional[int] = Field(None, ge=1, le=1, description="only 1 is supported")


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: Optional[str] = None


class Choice(BaseModel):
    index: int
    message: CompletionMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: Optional[Any] = None


class Usage(BaseModel):
    """Counted in words: there is no tokenizer behind this model."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: Optional[str] = None


# ---- the conversation ---------------------------------------------------------------------------
def get_replay_cache(request: Request) -> ChatManager:
    return request.app.state.openai_chat_sessions


def user_turns(req: ChatCompletionRequest, settings: Settings) -> list[str]:
    """The user turns, in order; 400 when there is none, the last is empty, or one is too long.
    Empty earlier user messages are skipped."""
    users = [(i, m.text().strip()) for i, m in enumerate(req.messages) if m.role == "user"]
    if not users:
        raise OpenAIError(400, "messages: er is geen bericht met role 'user'; stuur de uitdaging als "
                               "user-bericht.", param="messages")
    for i, text in users:
        if len(text) > settings.max_query_chars:
            raise OpenAIError(400, f"messages.{i}.content: het bericht is {len(text)} tekens lang; "
                                   f"het maximum is {settings.max_query_chars}.", param=f"messages.{i}.content")
    last, text = users[-1]
    if not text:
        raise OpenAIError(400, f"messages.{last}.content: het laatste user-bericht heeft geen tekst; beschrijf de "
                               "uitdaging of stel een vervolgvraag.", param=f"messages.{last}.content")
    return [text for _, text in users if text]


def _key(turns: list[str]) -> str:
    return hashlib.sha256(json.dumps(turns, ensure_ascii=False).encode()).hexdigest()


def answer(turns: list[str], engine: ChatIndex, cache: ChatManager) -> ChatReply:
    """Answer the last turn after replaying the earlier ones (or taking them from the cache)."""
    cached = cache.get(_key(turns[:-1])) if len(turns) > 1 else None
    session = cached.copy() if cached is not None else ChatSession()
    if cached is None:
        for turn in turns[:-1]:
            session.handle(turn, engine, render=False)
    reply = session.handle(turns[-1], engine)
    cache.put(_key(turns), session)
    return reply


def _usage(req: ChatCompletionRequest, text: str) -> Usage:
    prompt = sum(len(m.text().split()) for m in req.messages)
    completion = len(text.split())
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _pieces(text: str) -> Iterator[str]:
    """The answer in small pieces that join back to exactly the answer."""
    tokens = re.findall(r"\s*\S+", text)
    for i in range(0, len(tokens), STREAM_WORDS_PER_CHUNK):
        yield "".join(tokens[i: i + STREAM_WORDS_PER_CHUNK])


def _sse(obj: dict) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def _stream(completion_id: str, created: int, text: str, usage: Usage | None) -> Iterator[str]:
    base = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "system_fingerprint": None}

    def chunk(delta: dict, finish: str | None = None) -> str:
        return _sse({**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]})

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(text):
        yield chunk({"content": piece})
    yield chunk({}, "stop")
    if usage is not None:
        yield _sse({**base, "choices": [], "usage": usage.model_dump()})
    yield "data: [DONE]\n\n"


# ---- routes -------------------------------------------------------------------------------------
@router.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    """The one model: ``gka-match``."""
    return ModelList(data=[Model(id=MODEL_ID, created=MODEL_CREATED, owned_by="gka-match")])


@router.get("/models/{model_id}", response_model=Model)
def get_model(model_id: str) -> Model:
    if model_id != MODEL_ID:
        raise OpenAIError(404, f"Het model '{model_id}' bestaat niet; het enige model is '{MODEL_ID}'.",
                          param="model", code="model_not_found")
    return Model(id=MODEL_ID, created=MODEL_CREATED, owned_by="gka-match")


@router.post(
    "/chat/completions", response_model=ChatCompletion,
    responses={200: {"content": {"text/event-stream": {"description": "with \"stream\": true: chunks as "
                                                                       "server-sent events, then [DONE]"}}}},
)
def chat_completions(
    req: ChatCompletionRequest,
    searcher: Searcher = Depends(get_searcher),
    settings: Settings = Depends(get_settings),
    cache: ChatManager = Depends(get_replay_cache),
):
    """The Dutch chat as an OpenAI chat completion; ``stream: true`` answers with server-sent
    events in OpenAI's chunk format."""
    turns = user_turns(req, settings)
    reply = answer(turns, ChatIndex(searcher), cache)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    usage = _usage(req, reply.answer)
    if req.stream:
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        return StreamingResponse(
            _stream(completion_id, created, reply.answer, usage if include_usage else None),
            media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return ChatCompletion(
        id=completion_id, created=created, model=MODEL_ID,
        choices=[Choice(index=0, message=CompletionMessage(content=reply.answer))], usage=usage,
    )
