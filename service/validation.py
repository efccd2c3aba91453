"""One wording for every request validation error, shared by the API and the OpenAI endpoint:
the field's path and what to fix, without pydantic's prefixes."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError


def format_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        msg = err.get("msg", "invalid value").removeprefix("Value error, ")
        if err.get("type") == "literal_error":
            msg = f"'{err.get('input')}' is not allowed; use one of: {err.get('ctx', {}).get('expected', '')}"
        elif err.get("type") == "json_invalid":
            msg = f"the request body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})"
            loc = "body"
        elif err.get("type") in ("model_attributes_type", "dict_type") and not loc:
            msg = "the request body must be a JSON object (send Content-Type: application/json)"
            loc = "body"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


__all__ = ["format_validation"]
