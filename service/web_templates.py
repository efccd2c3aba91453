"""The Jinja2 templates of the Dutch pages: their filters (Dutch dates, euros, ages, safe links),
the security headers every page carries, and the static files.

Shared by the search pages (``web``) and the analysis pages (``web_analysis``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Optional

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.staticfiles import StaticFiles

from gka_match.data.vocab import erkenning_rank

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")
SECURITY_HEADERS = {
    # No script at all on these pages; styles and images only from here.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_URL_OR_MAIL = re.compile(r"(https?://[^\s<>\"';]+)|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def linkify(text: Optional[str]) -> Markup:
    """Escape ``text`` and turn http(s) URLs and e-mail addresses in it into links."""
    if not text:
        return Markup("")
    out: list[Markup] = []
    pos = 0
    for m in _URL_OR_MAIL.finditer(text):
        found = m.group(0)
        if m.group(1):
            found = found.rstrip(".,:)")
            href = found
        else:
            href = "mailto:" + found
        start, end = m.start(), m.start() + len(found)
        out.append(escape(text[pos:start]))
        out.append(Markup('<a href="{0}" rel="noopener noreferrer">{1}</a>').format(href, found))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def safe_url(url: Optional[str]) -> Optional[str]:
    """An http(s) URL fit for ``href``, or None (``javascript:`` and friends are never links)."""
    if not url:
        return None
    url = url.strip()
    if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE):
        return url
    if re.match(r"^www\.[^\s<>\"'/]+\.[a-z]{2,}(/[^\s<>\"']*)?$", url, re.IGNORECASE):
        return "https://" + url
    return None


def nl_datum(value: Optional[str]) -> str:
    """'2016-06' -> 'juni 2016'; '2015-12-10' -> '10 december 2015'."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MAANDEN[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MAANDEN[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return value


def euro(value: Optional[int]) -> str:
    return "" if value is None else "€ " + f"{value:,}".replace(",", ".")


def erkenning_label(niveau: str) -> str:
    return "Erkenning onbekend" if niveau == "onbekend" else niveau[:1].upper() + niveau[1:]


def leeftijd(van: Optional[int], tot: Optional[int]) -> str:
    if van is None and tot is None:
        return ""
    if van is None:
        return f"tot {tot} jaar"
    if tot is None:
        return f"vanaf {van} jaar"
    return f"{van} jaar" if van == tot else f"{van}-{tot} jaar"


def _static_version() -> str:
    h = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(linkify=linkify, safe_url=safe_url, nl_datum=nl_datum, euro=euro,
                    erkenning_label=erkenning_label)
_env.globals.update(
    erkenning_rank=erkenning_rank, leeftijd=leeftijd, static_version=_static_version(),
)
templates = Jinja2Templates(env=_env)
static_files = StaticFiles(directory=STATIC_DIR)


def root_path(request: Request) -> str:
    return (request.scope.get("root_path") or "").rstrip("/")


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, name, {"root": root_path(request), **context}, status_code=status_code, headers=SECURITY_HEADERS,
    )


def not_found(request: Request, what: str) -> Response:
    return render(request, "error.html", {
        "status": 404,
        "title": "Niet gevonden",
        "heading": "Deze pagina bestaat niet",
        "message": what,
    }, status_code=404)


__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "TEMPLATE_DIR", "not_found", "render", "root_path", "static_files",
           "templates"]
