"""``POST /chat``: the deterministic Dutch chat (``service/chat.py``) over HTTP.

The conversation lives on the server (``ChatManager`` on ``app.state``, created with the app
from the settings ``GKA_CHAT_TTL_SECONDS`` and ``GKA_CHAT_MAX_CONVERSATIONS``); the client keeps
only the ``conversation_id``. An unknown or expired id starts a new conversation with a new id,
and the answer says so.
"""

from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gka_match.config import Settings
from gka_match.index.filters import Filters
from gka_match.index.search import Searcher, clean_text

from .chat import ChatIndex, ChatReply
from .chat_sessions import ChatManager
from .deps import get_searcher, get_settings
from .documents_api import report_url
from .schemas import RunnerOut, SearchHit

router = APIRouter(tags=["chat"])


def get_chat_manager(request: Request) -> ChatManager:
    """The conversations of ``/chat`` (created with the app, see ``service.app``)."""
    return request.app.state.chat_manager


def check_message(message: str, settings: Settings, name: str = "message") -> str:
    """The stripped message; an empty or too long one is refused with 422 and what to do."""
    text = message.strip()
    if not text:
        raise HTTPException(422, f"{name}: het bericht is leeg; beschrijf de uitdaging of stel een vervolgvraag.")
    if len(text) > settings.max_query_chars:
        raise HTTPException(
            422, f"{name}: het bericht is {len(text)} tekens lang; het maximum is {settings.max_query_chars}."
        )
    return text


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Optional[str] = Field(
        None, max_length=200, description="the id from the previous answer; leave out to start a conversation"
    )
    message: str = Field(
        description="the user's turn, in Dutch", examples=["Wij zien veel taalachterstand bij peuters"]
    )

    @field_validator("message")
    @classmethod
    def _clean(cls, value: str) -> str:
        clean_text(value)  # a lone surrogate is refused here, with what to fix
        return value


class RunnersOut(BaseModel):
    """One result and the municipalities that run it."""

    id: str
    name: str
    kind: Literal["catalogue", "agenda"]
    gemeente: Optional[str]
    gemeenten: list[RunnerOut]


class ChatResponse(BaseModel):
    conversation_id: str
    answer: str = Field(description="the answer in Dutch, ready to show")
    filters: Filters = Field(description="the filters in force after this turn")
    results: list[SearchHit] = Field(description="the current results, numbered as in the answer")
    intent: Literal["challenge", "refine", "filters", "reset", "detail", "runners", "help"] = Field(
        description="how the turn was read"
    )
    challenge: Optional[str] = Field(description="the challenge being searched")
    new_conversation: bool = Field(description="true when this turn started a new conversation")
    detail: Optional[SearchHit] = Field(None, description="the result asked about, for intent 'detail'")
    gemeenten: list[RunnersOut] = Field(
        default_factory=list, description="for intent 'runners': per result, who runs it"
    )
    report_url: Optional[str] = Field(
        None, description="the advice note (Word) of the current results: GET it from this service"
    )


def to_response(reply: ChatReply, conversation_id: str, new_conversation: bool, answer: str) -> ChatResponse:
    note = report_url(reply.challenge, reply.filters) if reply.results and reply.challenge else None
    return ChatResponse(report_url=note,
        conversation_id=conversation_id, answer=answer, filters=reply.filters,
        results=[SearchHit.from_result(r) for r in reply.results],
        intent=reply.intent, challenge=reply.challenge, new_conversation=new_conversation,
        detail=SearchHit.from_result(reply.detail) if reply.detail else None,
        gemeenten=[
            RunnersOut(id=g.doc.doc_id, name=g.doc.name, kind=g.doc.kind, gemeente=g.doc.gemeente,
                       gemeenten=[RunnerOut.of(r) for r in g.runners])
            for g in reply.runners
        ],
    )


@router.post("/chat", response_model=ChatResponse)
def chat(
    req: ChatRequest,
    searcher: Searcher = Depends(get_searcher),
    settings: Settings = Depends(get_settings),
    manager: ChatManager = Depends(get_chat_manager),
) -> ChatResponse:
    """One turn of the Dutch chat: a challenge, a refinement ("alleen bewezen effectief",
    "voor groep 1-2", "en in Limburg?"), "vertel meer over de tweede", "welke gemeenten doen dit al?"
    or "zonder filters". Send the returned ``conversation_id`` with the next turn."""
    message = check_message(req.message, settings)
    conversation_id, session, renewed = manager.open(req.conversation_id)
    reply = session.handle(message, ChatIndex(searcher))
    answer = reply.answer
    if renewed:
        answer = ("Dat gesprek is verlopen of onbekend; ik ben een nieuw gesprek begonnen "
                  f"(nieuw id: {conversation_id}).\n" + answer)
    return to_response(reply, conversation_id, new_conversation=not req.conversation_id or renewed, answer=answer)
