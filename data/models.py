"""The data model: catalogue interventions, GKA-agenda's, their interventions and communities.

Field names are the Dutch names of the GKA-agenda template and of the intervention databanks,
because exports and the outside scripts in ``../shared/README.md`` rely on them. Every record
carries ``bron`` (what it rests on) and ``illustratief`` (true when any detail is made up).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .vocab import DOELGROEPEN, ERKENNINGSNIVEAUS, LANDEN, PROVINCIES, SETTINGS, THEMAS

Thema = Literal[THEMAS]  # type: ignore[valid-type]
Doelgroep = Literal[DOELGROEPEN]  # type: ignore[valid-type]
Setting = Literal[SETTINGS]  # type: ignore[valid-type]
Erkenningsniveau = Literal[ERKENNINGSNIVEAUS]  # type: ignore[valid-type]
Provincie = Literal[PROVINCIES]  # type: ignore[valid-type]
Land = Literal[LANDEN]  # type: ignore[valid-type]

RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,120}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Age = Annotated[int, Field(ge=0, le=30)]

DEFAULT_AFSPRAKEN: list[str] = [
    "Voert twee keer per jaar bestuurlijk (wethouder) overleg met de Gelijke Kansen Alliantie",
    "Organiseert minimaal 1 keer per jaar een kennissessie rondom interventies, onderzoeken, "
    "professionalisering en thema's uit de GKA-agenda",
    "Levert een actieve bijdrage aan kennisdeling tussen gemeenten onderling",
    "Neemt deel aan de landelijke kennisdelingsagenda",
]


def slugify(text: str) -> str:
    """Stable, readable id part: 'Uk & Puk' -> 'uk-en-puk'. Ids must not change between imports."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " en ").replace("!", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def catalogue_id(naam: str) -> str:
    return f"cat-{slugify(naam)}"


def agenda_id(gemeente: str) -> str:
    return f"agenda-{slugify(gemeente)}"


def agenda_intervention_id(gemeente: str, naam: str) -> str:
    return f"ai-{slugify(gemeente)}-{slugify(naam)}"[:120].rstrip("-")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value):
        """No NUL or other control characters (tab and line breaks are text): PostgreSQL refuses
        NUL in text, and none of them is ever meant in a name or a description."""
        for text in (value if isinstance(value, list) else [value]):
            if isinstance(text, str) and (m := _CONTROL.search(text)):
                raise ValueError(f"bevat het stuurteken U+{ord(m.group()):04X}; haal het weg")
        return value

    bron: Text = Field(description="URL(s) or databank name(s) that the record rests on")
    illustratief: bool = Field(description="True when any detail is made up for demonstration")


class _Targeted(_Record):
    """Fields shared by everything that has a doelgroep, themes and a setting.

    Agenda interventions may leave the classification empty when no source states it; the
    catalogue requires it (see :class:`CatalogueIntervention`)."""

    doelgroep: list[Doelgroep] = Field(default_factory=list)
    doelgroep_omschrijving: OptionalText = ""
    leeftijd_van: Optional[Age] = Field(None, description="youngest child age in years")
    leeftijd_tot: Optional[Age] = Field(None, description="oldest child age in years")
    themas: list[Thema] = Field(default_factory=list)
    setting: list[Setting] = Field(default_factory=list)

    @model_validator(mode="after")
    def _age_order(self) -> "_Targeted":
        if (
            self.leeftijd_van is not None
            and self.leeftijd_tot is not None
            and self.leeftijd_van > self.leeftijd_tot
        ):
            raise ValueError("leeftijd_van mag niet groter zijn dan leeftijd_tot")
        return self

    @field_validator("doelgroep", "themas", "setting")
    @classmethod
    def _no_duplicates(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class CatalogueIntervention(_Targeted):
    """A proven or described programme, independent of any agenda."""

    doelgroep: list[Doelgroep] = Field(min_length=1)
    themas: list[Thema] = Field(min_length=1)
    setting: list[Setting] = Field(min_length=1)
    id: RecordId
    naam: ShortText
    aliassen: list[ShortText] = Field(default_factory=list, description="other names, abbreviations")
    korte_omschrijving: Text
    doel: Text
    erkenningsniveau: Erkenningsniveau = "onbekend"
    erkenning_databank: Optional[ShortText] = None
    erkenning_datum: Optional[Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}){0,2}$")]] = None
    werkzame_elementen: list[ShortText] = Field(default_factory=list)
    website: Optional[ShortText] = None
    land: Land = Field("Nederland", description="where the programme comes from and is run")

    @model_validator(mode="after")
    def _erkenning_has_source(self) -> "CatalogueIntervention":
        if self.erkenningsniveau not in ("onbekend",) and not self.erkenning_databank:
            raise ValueError("erkenning_databank is verplicht als erkenningsniveau niet 'onbekend' is")
        return self


class AgendaIntervention(_Targeted):
    """One intervention of a GKA-agenda, with exactly the template's fields.

    Only the name is required: a template field that no source states stays empty (every view
    shows "niet vermeld in de bron"), it is never filled with plausible text."""

    id: RecordId
    naam: ShortText
    betrokken_partijen: list[ShortText] = Field(default_factory=list)
    doel: OptionalText = ""
    locatie: OptionalText = Field("", description="wijk, school")
    omschrijving_activiteiten: OptionalText = ""
    monitoring_en_evaluatie: OptionalText = ""
    financiering: OptionalText = ""
    website: Optional[ShortText] = None
    contactpersoon: Optional[ShortText] = None
    catalogus_id: Optional[RecordId] = Field(None, description="the catalogue programme it applies")


class Community(_Record):
    naam: ShortText
    betrokken_partijen: list[ShortText] = Field(min_length=1)
    doel: Text
    doelgroep: Text
    activiteiten: Text


class Agenda(_Record):
    """A municipality's GKA-agenda in the template's shape.

    ``illustratief`` marks what is invented in the agenda's own fields; each intervention and
    community carries its own mark. Fields no source states stay empty."""

    id: RecordId
    gemeente: ShortText
    provincie: Provincie
    periode: Optional[Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{4}$")]] = None
    ondertekend: OptionalText = Field("", description="when and by whom it was signed, as the source says")
    gka_themas: list[ShortText] = Field(default_factory=list, description="the GKA's own theme labels for this agenda")
    aanleiding_en_uitdagingen: OptionalText = ""
    inzet_gemeente: OptionalText = ""
    inzet_npo: OptionalText = Field("", description="Inzet vanuit het Nationaal Programma Onderwijs")
    samenwerking_gka: OptionalText = ""
    kennis: OptionalText = ""
    interventies: list[AgendaIntervention] = Field(default_factory=list, max_length=30)
    communities: list[Community] = Field(default_factory=list)
    afspraken: list[ShortText] = Field(default_factory=lambda: list(DEFAULT_AFSPRAKEN))
    begroting_ocw_euro: Optional[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        None, description="OCW's extra contribution (Bijlage 1), at most EUR 100.000"
    )
    begroting_toelichting: OptionalText = ""

    @model_validator(mode="after")
    def _unique_intervention_ids(self) -> "Agenda":
        ids = [i.id for i in self.interventies]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"dubbele interventie-id's in de agenda: {', '.join(dupes)}")
        return self
