"""Controlled vocabularies shared by the data model, the filters and the chat parser.

They follow ``../shared/README.md`` and are extended where the bundled data needs it.
Keeping them in one module means a filter value the API accepts is exactly a value the
data may hold.
"""

from __future__ import annotations

THEMAS: tuple[str, ...] = (
    "taal en lezen",
    "vve en jonge kind",
    "ouderbetrokkenheid",
    "overgang po-vo",
    "schoolverzuim en thuiszitters",
    "sociaal-emotioneel en gedrag",
    "gezondheid en bewegen",
    "armoede en meedoen",
    "verlengde leertijd",
    "talentontwikkeling en loopbaan",
    "nieuwkomers en nt2",
    "segregatie",
    "professionalisering",
    "samenwerking in de wijk",
    "rekenen en wiskunde",
    "opvoedondersteuning",
)

DOELGROEPEN: tuple[str, ...] = (
    "0-4 jaar",
    "4-12 jaar",
    "12-18 jaar",
    "18-23 jaar",
    "ouders",
    "leerkrachten/professionals",
)

# Age span (inclusive, in years) behind each age band; used for overlap filtering.
DOELGROEP_LEEFTIJD: dict[str, tuple[int, int]] = {
    "0-4 jaar": (0, 3),
    "4-12 jaar": (4, 12),
    "12-18 jaar": (12, 18),
    "18-23 jaar": (18, 23),
}

SETTINGS: tuple[str, ...] = (
    "thuis",
    "kinderopvang en voorschool",
    "basisschool",
    "voortgezet onderwijs",
    "mbo en hoger onderwijs",
    "bibliotheek",
    "wijk en buurthuis",
    "sport en cultuur",
    "jeugdgezondheidszorg",
    "gemeente",
    "online",
)

# Ordered from weakest to strongest evidence; the order is what `min_erkenning` uses.
# "goed beschreven" is Loket Gezond Leven's first level (judged by practitioners), below the
# commission's "goed onderbouwd"; NJi's older "theoretisch goed onderbouwd" is "goed onderbouwd".
ERKENNINGSNIVEAUS: tuple[str, ...] = (
    "onbekend",
    "niet erkend",
    "goed beschreven",
    "goed onderbouwd",
    "effectief volgens eerste aanwijzingen",
    "effectief volgens goede aanwijzingen",
    "effectief volgens sterke aanwijzingen",
)

PROVINCIES: tuple[str, ...] = (
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
    # Flemish programmes may appear in the catalogue; agendas are Dutch municipalities.
)


LANDEN: tuple[str, ...] = ("Nederland", "Vlaanderen")


def erkenning_rank(niveau: str) -> int:
    """Position of an erkenningsniveau on the evidence ladder (higher is stronger)."""
    return ERKENNINGSNIVEAUS.index(niveau)


def groep_to_ages(groep_van: int, groep_tot: int) -> tuple[int, int]:
    """Map primary-school groepen to ages in whole years, inclusive: a child in groep N is N+3
    (turning N+4 during the year), so groep 1-2 is 4-5 (up to 6) and groep 8 is 11 (up to 12).
    A programme for 6-9-year-olds therefore does not reach groep 1-2."""
    return groep_van + 3, groep_tot + 3
