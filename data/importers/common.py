"""Helpers every reader shares: decoding, kind detection, id derivation, validation."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel

from ..columns import AGENDA_PREFIX
from ..errors import MISSING
from ..models import Agenda, CatalogueIntervention, agenda_id, agenda_intervention_id, catalogue_id
from ..validation import Issue, Kind, validate_rows
from .batch import ImportFileError

PROGRESS_THRESHOLD = 200  # show a progress bar for more records than this
TRUE_WORDS = {"true", "ja", "j", "yes", "y", "1", "waar", "wel", "x"}
FALSE_WORDS = {"false", "nee", "n", "no", "0", "onwaar", "niet"}


def decode_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{path.name} is in UTF-16 opgeslagen; sla het op als UTF-8 (in Excel: 'CSV UTF-8')")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start:exc.start + 1].hex()
        guess = ""
        try:
            data.decode("cp1252")
            guess = " Het lijkt Windows-1252/Latin-1."
        except UnicodeDecodeError:
            pass
        raise ImportFileError(
            f"{path.name} is geen UTF-8 (byte 0x{byte} op regel {line}).{guess} "
            "Sla het op als UTF-8 (in Excel: 'CSV UTF-8'; in een editor: codering UTF-8) en importeer het opnieuw"
        ) from exc
    if not text.strip():
        raise ImportFileError(f"{path.name} is leeg; er staan geen records in")
    return text


def progress_bar(items: list, enabled: bool, desc: str) -> Iterable:
    if not enabled or len(items) <= PROGRESS_THRESHOLD:
        return items
    from tqdm import tqdm

    return tqdm(items, total=len(items), desc=desc, unit="rec", file=sys.stderr, leave=False)


def model_for(kind: Kind) -> type[BaseModel]:
    return CatalogueIntervention if kind == "interventions" else Agenda


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def fill_ids(raw: dict, kind: Kind) -> dict:
    """Derive missing ids the same way the bundled data does, so re-imports hit the same record."""
    if kind == "interventions":
        if is_blank(raw.get("id")) and isinstance(raw.get("naam"), str) and raw["naam"].strip():
            raw["id"] = catalogue_id(raw["naam"])
        return raw
    if isinstance(raw.get("periode"), str):
        raw["periode"] = normalise_periode(raw["periode"])  # '2021 – 2024' -> '2021-2024'
    gemeente = raw.get("gemeente")
    if not isinstance(gemeente, str) or not gemeente.strip():
        return raw
    if is_blank(raw.get("id")):
        raw["id"] = agenda_id(gemeente)
    for item in raw.get("interventies") or []:
        if isinstance(item, dict) and is_blank(item.get("id")) and isinstance(item.get("naam"), str) \
                and item["naam"].strip():
            item["id"] = agenda_intervention_id(gemeente, item["naam"])
    return raw


def normalise_periode(value: str) -> str:
    return re.sub(r"\s*[-–—]\s*", "-", value.strip())


def detect_kind(keys: Iterable[str]) -> Kind:
    keys = set(keys)
    if "gemeente" in keys or any(k.startswith(AGENDA_PREFIX) for k in keys) or "interventies" in keys:
        return "agendas"
    return "interventions"


_CATALOGUE_ONLY = {"korte_omschrijving", "erkenningsniveau", "erkenning_databank", "aliassen", "werkzame_elementen"}


def check_kind(path: Path, given: Kind | None, keys: Iterable[str]) -> Kind:
    """The detected kind; refuse a given kind that the file clearly contradicts."""
    keys = set(keys)
    detected = detect_kind(keys)
    if given is None:
        return detected
    if given == "interventions" and detected == "agendas":
        raise ImportFileError(f"{path.name} lijkt agenda's te bevatten (het heeft 'gemeente' of agendavelden), geen "
                              "catalogus-interventies; gebruik --kind agendas of laat --kind weg")
    if given == "agendas" and detected == "interventions" and keys & _CATALOGUE_ONLY:
        raise ImportFileError(f"{path.name} lijkt catalogus-interventies te bevatten (het heeft "
                              f"{', '.join(sorted(keys & _CATALOGUE_ONLY))} en geen gemeente); "
                              "gebruik --kind interventions of laat --kind weg")
    return given


def validate_records(
    rows: list[tuple[int, dict]], kind: Kind, source: str, progress: bool
) -> tuple[list[tuple[int, BaseModel]], list[Issue]]:
    good, bad = validate_rows(progress_bar(rows, progress, f"Controleren: {source}"), model_for(kind), source)
    return good, drop_underived_ids(bad)


def drop_underived_ids(issues: list[Issue]) -> list[Issue]:
    """A missing id is derived from naam/gemeente; when that is missing too, report only the latter."""
    present = {(i.row, i.field) for i in issues}
    out = []
    for i in issues:
        if i.message == MISSING and (i.field == "id" or i.field.endswith(".id")):
            prefix = i.field[: -len("id")]
            source_field = "gemeente" if prefix == "" and (i.row, "gemeente") in present else "naam"
            if (i.row, prefix + source_field) in present:
                continue
        out.append(i)
    return out


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


__all__ = [
    "FALSE_WORDS", "PROGRESS_THRESHOLD", "TRUE_WORDS", "check_kind", "decode_text", "detect_kind",
    "drop_underived_ids", "fill_ids", "is_blank", "model_for", "normalise_periode", "progress_bar",
    "shorten", "validate_records",
]
