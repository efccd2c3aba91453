"""Pydantic's validation errors in Dutch: what is wrong with a value and what to write instead.

One wording for every surface that validates input (import, the API, the OpenAI endpoint, the
CLI and the web page), so a field is explained the same way wherever a user meets it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

_Explain = Callable[[dict[str, Any]], str]
MISSING = "ontbreekt; vul het in"


def _expected(error: dict[str, Any]) -> str:
    return str(error.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")


def _too_short(error: dict[str, Any]) -> str:
    text = error["type"] == "string_too_short"
    n = error.get("ctx", {}).get("min_length", 1)
    if n == 1:
        return "is leeg; vul het in" if text else "is leeg; geef er minstens één"
    return f"moet minstens {n} {'tekens' if text else 'waarden'} hebben"


_DUTCH: dict[str, _Explain] = {
    "missing": lambda e: MISSING,
    "extra_forbidden": lambda e: "is geen bekend veld; haal het weg of controleer de spelling",
    "literal_error": lambda e: f"'{e.get('input')}' is niet toegestaan; kies uit: {_expected(e)}",
    "enum": lambda e: f"'{e.get('input')}' is niet toegestaan; kies uit: {_expected(e)}",
    "int_parsing": lambda e: "moet een heel getal zijn",
    "int_type": lambda e: "moet een heel getal zijn",
    "int_from_float": lambda e: "moet een heel getal zijn",
    "float_parsing": lambda e: "moet een getal zijn",
    "float_type": lambda e: "moet een getal zijn",
    "finite_number": lambda e: "moet een eindig getal zijn",
    "bool_parsing": lambda e: "moet true of false zijn",
    "bool_type": lambda e: "moet true of false zijn",
    "string_type": lambda e: "moet tekst zijn",
    "list_type": lambda e: "moet een lijst zijn",
    "dict_type": lambda e: "moet een object {…} zijn",
    "model_type": lambda e: "moet een object {…} zijn",
    "model_attributes_type": lambda e: "moet een object {…} zijn",
    "greater_than_equal": lambda e: f"moet minstens {e['ctx']['ge']} zijn",
    "greater_than": lambda e: f"moet groter dan {e['ctx']['gt']} zijn",
    "less_than_equal": lambda e: f"mag hoogstens {e['ctx']['le']} zijn",
    "less_than": lambda e: f"moet kleiner dan {e['ctx']['lt']} zijn",
    "string_too_long": lambda e: f"is te lang: hoogstens {e['ctx']['max_length']} tekens",
    "too_long": lambda e: f"heeft te veel waarden: hoogstens {e['ctx']['max_length']}",
    "string_too_short": _too_short,
    "too_short": _too_short,
    "string_pattern_mismatch": lambda e: f"heeft niet de verwachte vorm (patroon {e.get('ctx', {}).get('pattern', '')})",
    "string_unicode": lambda e: "moet geldige UTF-8-tekst zijn",
    "json_invalid": lambda e: f"is geen geldige JSON ({e.get('ctx', {}).get('error', 'onleesbaar')})",
}


def explain(error: dict[str, Any]) -> str:
    """One pydantic error (from ``ValidationError.errors()``) as a Dutch 'what to fix'."""
    dutch = _DUTCH.get(error.get("type", ""))
    if dutch is not None:
        return dutch(error)
    return str(error.get("msg", "ongeldige waarde")).removeprefix("Value error, ")


def field_path(loc: Iterable[Any], skip: Iterable[str] = ()) -> str:
    """``('interventies', 0, 'naam')`` -> ``'interventies.0.naam'`` (leaving out ``skip``)."""
    skipped = set(skip)
    return ".".join(str(p) for p in loc if p not in skipped)


__all__ = ["MISSING", "explain", "field_path"]
