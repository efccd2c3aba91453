"""One wording for every request validation error, shared by the API and the OpenAI endpoint:
the field's path and, in Dutch, what to fix (``gka_match.data.errors``), without pydantic's
prefixes."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError

from gka_match.data.errors import explain, field_path

_BODY_IS_NOT_AN_OBJECT = "de body moet een JSON-object zijn (stuur Content-Type: application/json)"


def format_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = field_path(err.get("loc", ()), skip=("body", "query", "path"))
        msg = explain(err)
        if err.get("type") == "json_invalid":
            loc = "body"
        elif err.get("type") in ("model_attributes_type", "dict_type") and not loc:
            msg, loc = _BODY_IS_NOT_AN_OBJECT, "body"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "ongeldig verzoek"


__all__ = ["format_validation"]
