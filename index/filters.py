"""Search filters, applied inside retrieval (as a candidate mask), never by cutting a top-k.

Doelgroep accepts the age bands of the vocabulary, 'ouders', 'leerkrachten/professionals',
primary-school groepen ('groep 1-2', 'groep 7') and ages ('0-4 jaar', '3 jaar'); ages match by
overlap with the ages an intervention reaches.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gka_match.data.models import Erkenningsniveau, Provincie, Setting, Thema
from gka_match.data.vocab import (
    DOELGROEP_LEEFTIJD, DOELGROEPEN, ERKENNINGSNIVEAUS, PROVINCIES, SETTINGS, THEMAS, erkenning_rank, groep_to_ages,
)

from .documents import SearchDoc

_GROEP = re.compile(r"^groep\s*(\d)(?:\s*(?:-|t/m|tot)\s*(\d))?$")
_AGES = re.compile(r"^(\d{1,2})(?:\s*-\s*(\d{1,2}))?\s*jaar$")
NON_AGE_DOELGROEPEN = ("ouders", "leerkrachten/professionals")
DOELGROEP_HELP = (
    "gebruik een leeftijdsgroep (" + ", ".join(DOELGROEPEN) + "), 'groep N' of 'groep N-M' (1-8), of 'N-M jaar'"
)


def parse_doelgroep(value: str) -> tuple[str, tuple[int, int] | None]:
    """Return (normalised label, age span or None for a non-age group); ValueError if unknown."""
    v = value.strip().lower()
    if v in NON_AGE_DOELGROEPEN:
        return v, None
    if v in DOELGROEP_LEEFTIJD:
        return v, DOELGROEP_LEEFTIJD[v]
    m = _GROEP.match(v)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if not (1 <= lo <= hi <= 8):
            raise ValueError(f"'{value}': de groepen lopen van 1 tot en met 8")
        return f"groep {lo}-{hi}" if hi != lo else f"groep {lo}", groep_to_ages(lo, hi)
    m = _AGES.match(v)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo > hi or hi > 30:
            raise ValueError(f"'{value}': geef leeftijden als 'N-M jaar' met N <= M <= 30")
        return f"{lo}-{hi} jaar", (lo, hi)
    raise ValueError(f"'{value}' is geen bekende doelgroep; {DOELGROEP_HELP}")


_CANONICAL: dict[str, dict[str, str]] = {
    "thema": {v.casefold(): v for v in THEMAS}, "setting": {v.casefold(): v for v in SETTINGS},
    "provincie": {v.casefold(): v for v in PROVINCIES}, "min_erkenning": {v.casefold(): v for v in ERKENNINGSNIVEAUS},
    "kind": {"catalogue": "catalogue", "agenda": "agenda"},
}


class Filters(BaseModel):
    """Every filter is optional; values within one filter are alternatives (OR), filters AND."""

    model_config = ConfigDict(extra="forbid")

    thema: list[Thema] = Field(default_factory=list)
    doelgroep: list[str] = Field(default_factory=list, description=DOELGROEP_HELP)
    setting: list[Setting] = Field(default_factory=list)
    min_erkenning: Optional[Erkenningsniveau] = None
    kind: Optional[Literal["catalogue", "agenda"]] = None
    gemeente: list[str] = Field(default_factory=list)
    provincie: list[Provincie] = Field(default_factory=list)

    @field_validator("thema", "setting", "provincie", "min_erkenning", "kind", mode="before")
    @classmethod
    def _any_case(cls, value, info):
        """Vocabulary values in any case ("limburg", "Taal en lezen"), as for gemeente."""
        vocab = _CANONICAL[info.field_name]
        if isinstance(value, str):
            return vocab.get(value.strip().casefold(), value)
        if isinstance(value, list):
            return [vocab.get(v.strip().casefold(), v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("doelgroep")
    @classmethod
    def _valid_doelgroep(cls, values: list[str]) -> list[str]:
        return [parse_doelgroep(v)[0] for v in values]

    @field_validator("gemeente")
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v.strip()]

    def is_empty(self) -> bool:
        return not any(getattr(self, f) for f in type(self).model_fields)

    def accepts(self, doc: SearchDoc) -> bool:
        if self.kind and doc.kind != self.kind:
            return False
        if self.thema and not set(self.thema) & set(doc.themas):
            return False
        if self.setting and not set(self.setting) & set(doc.setting):
            return False
        if self.min_erkenning and doc.erkenning_rank < erkenning_rank(self.min_erkenning):
            return False
        if self.gemeente and (doc.gemeente or "").lower() not in {g.lower() for g in self.gemeente}:
            return False
        if self.provincie and doc.provincie not in self.provincie:
            return False
        if self.doelgroep and not any(_doelgroep_match(v, doc) for v in self.doelgroep):
            return False
        return True

    def mask(self, docs: list[SearchDoc]) -> np.ndarray:
        return np.fromiter((self.accepts(d) for d in docs), dtype=bool, count=len(docs))


def _doelgroep_match(value: str, doc: SearchDoc) -> bool:
    label, span = parse_doelgroep(value)
    if span is None:
        return label in doc.doelgroep
    reach = doc.age_span()
    return reach is not None and reach[0] <= span[1] and span[0] <= reach[1]
