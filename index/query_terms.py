"""What a Dutch query says about itself: abbreviations, themes and target groups.

Municipal staff write "VVE", "NT2", "po-vo", "peuters", "groep 7/8". Expanding abbreviations
helps both retrievers; recognised themes and doelgroepen feed the match reasons and the chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gka_match.data.vocab import groep_to_ages

from .text import fold

ABBREVIATIONS: dict[str, str] = {
    "vve": "voor- en vroegschoolse educatie",
    "ve": "voorschoolse educatie",
    "nt2": "Nederlands als tweede taal",
    "po": "primair onderwijs basisschool",
    "vo": "voortgezet onderwijs middelbare school",
    "mbo": "middelbaar beroepsonderwijs",
    "isk": "internationale schakelklas nieuwkomers",
    "oab": "onderwijsachterstandenbeleid",
    "npo": "Nationaal Programma Onderwijs",
    "jgz": "jeugdgezondheidszorg",
    "bso": "buitenschoolse opvang",
    "smw": "schoolmaatschappelijk werk",
    "swv": "samenwerkingsverband passend onderwijs",
    "ikc": "integraal kindcentrum",
    "lob": "loopbaanoriëntatie en -begeleiding",
    "oka": "ouder- en kindadviseur",
    "gka": "Gelijke Kansen Alliantie",
    "pbs": "positive behaviour support schoolbreed gedrag",
    "swpbs": "schoolwide positive behaviour support",
}

# Words that signal a theme (folded, matched as word prefixes).
THEMA_SIGNALS: dict[str, tuple[str, ...]] = {
    "taal en lezen": ("taal", "lezen", "lees", "voorlezen", "woordenschat", "laaggeletterd", "boek"),
    "vve en jonge kind": ("peuter", "kleuter", "vve", "voorschool", "vroegschool", "baby", "dreumes", "jonge kind"),
    "ouderbetrokkenheid": ("ouder", "gezin", "thuis", "moeder", "vader"),
    "overgang po-vo": ("brugklas", "overgang", "schooladvies", "po-vo", "voortgezet", "middelbare school", "groep 8"),
    "schoolverzuim en thuiszitters": ("verzuim", "thuiszit", "spijbel", "uitval", "leerplicht", "schooluitval"),
    "sociaal-emotioneel en gedrag": ("pest", "gepest", "gedrag", "sociaal", "emotione", "weerbaar", "agressie", "veiligheid", "welbevinden"),
    "gezondheid en bewegen": ("gezond", "bewegen", "sport", "overgewicht", "voeding", "lunch", "ontbijt", "fruit", "zwem"),
    "armoede en meedoen": ("armoede", "arm", "inkomen", "schuld", "minima", "meedoen", "kosten", "geld"),
    "verlengde leertijd": ("verlengde", "naschools", "weekendschool", "zomerschool", "huiswerk", "extra leertijd", "bijles"),
    "talentontwikkeling en loopbaan": ("talent", "loopbaan", "beroep", "stage", "mentor", "rolmodel", "arbeidsmarkt"),
    "nieuwkomers en nt2": ("nieuwkomer", "statushouder", "vluchteling", "nt2", "anderstalig", "migrant", "isk"),
    "segregatie": ("segregatie", "gemengd", "zwarte school", "witte school", "menging"),
    "professionalisering": ("leerkracht", "docent", "team", "professional", "scholing", "training voor"),
    "samenwerking in de wijk": ("wijk", "buurt", "netwerk", "samenwerking", "partners"),
    "rekenen en wiskunde": ("reken", "wiskunde", "cijfer"),
}

# Ages in whole years, inclusive (see ``vocab.groep_to_ages`` for groepen).
AGE_SIGNALS: dict[str, tuple[int, int]] = {
    "baby": (0, 1), "zuigeling": (0, 1), "zwanger": (0, 0), "dreumes": (1, 2), "peuter": (2, 3),
    "voorschool": (2, 3), "peuterspeelzaal": (2, 3), "kinderdagverblijf": (0, 3), "kleuter": (4, 5),
    "basisschool": (4, 11), "basisonderwijs": (4, 11), "basisschoolleerling": (4, 11),
    "brugklas": (12, 13), "puber": (12, 16), "tiener": (12, 18), "middelbare school": (12, 18),
    "voortgezet onderwijs": (12, 18), "vmbo": (12, 16), "havo": (12, 17), "vwo": (12, 18),
    "mbo": (16, 23), "student": (17, 23), "jongvolwassen": (18, 23), "jongeren": (12, 23), "vo": (12, 18),
}

GROEP_PATTERN = re.compile(r"\bgroep(?:en)?\s*(\d)((?:\s*(?:-|t/m|tot en met|tot|en|/|,)\s*\d)*)")
YEARS_PATTERN = re.compile(
    r"\b(?:(van|tussen)\s+)?(\d{1,2})\s*(?:-|t/m|tot en met|tot|en)\s*(\d{1,2})(?:\s*(jaar|jarigen))?"
)
SINGLE_AGE_PATTERN = re.compile(r"\b(\d{1,2})(?:\s*jaar\b|-?jarigen?\b)")


def groep_range(m: re.Match) -> tuple[int, int] | None:
    """(lowest, highest) groep of a ``GROEP_PATTERN`` match ("groep 1 en 2", "groepen 6-8"), or
    None when a number is not a groep."""
    numbers = [int(m.group(1)), *map(int, re.findall(r"\d", m.group(2) or ""))]
    return (min(numbers), max(numbers)) if all(1 <= n <= 8 for n in numbers) else None


def years_range(m: re.Match) -> tuple[int, int] | None:
    """(from, to) of a ``YEARS_PATTERN`` match that really names ages ("van 4 tot 12",
    "16-23 jaar", "tussen 4 en 6 jaar"), or None ("6-8" or "3 en 4" alone is not an age)."""
    lo, hi = int(m.group(2)), int(m.group(3))
    return (lo, hi) if (m.group(1) or m.group(4)) and lo <= hi <= 30 else None


@dataclass
class QuerySignals:
    themas: list[str] = field(default_factory=list)
    ages: tuple[int, int] | None = None
    age_terms: list[str] = field(default_factory=list)  # the user's own words for the ages
    ouders: bool = False
    professionals: bool = False


def expand_abbreviations(text: str) -> str:
    """Append the expansion of every known abbreviation in ``text`` (the text itself is kept)."""
    found = []
    for token in re.findall(r"[A-Za-z0-9]+", text):
        exp = ABBREVIATIONS.get(token.lower())
        if exp and exp not in found and (token.isupper() or len(token) > 2):
            found.append(exp)
    return text if not found else f"{text} ({'; '.join(found)})"


def _has(folded: str, signal: str) -> bool:
    """Long cues match as word prefixes ('peuter' in 'peuters'); short ones ('vo', 'arm') only
    as whole words, so that 'vo' does not fire on 'voor'."""
    tail = r"\b" if len(signal) <= 3 else ""
    return re.search(r"\b" + re.escape(signal) + tail, folded) is not None


def read_signals(text: str) -> QuerySignals:
    folded = fold(text)
    signals = QuerySignals()
    for thema, cues in THEMA_SIGNALS.items():
        if any(_has(folded, c) for c in cues):
            signals.themas.append(thema)
    spans: list[tuple[int, int]] = []
    groepen = GROEP_PATTERN.sub(" ", folded)  # what is left once groepen are read
    for m in GROEP_PATTERN.finditer(folded):
        groep = groep_range(m)
        if groep:
            spans.append(groep_to_ages(*groep))
            signals.age_terms.append(m.group(0).strip())
    for m in YEARS_PATTERN.finditer(groepen):
        years = years_range(m)
        if years:
            spans.append(years)
            term = re.sub(r"^(van|tussen) ", "", m.group(0).strip())  # "van 16 tot 23" reads as "16 tot 23 jaar"
            signals.age_terms.append(term if term.endswith("jaar") else term + " jaar")
    if not signals.age_terms:
        for m in SINGLE_AGE_PATTERN.finditer(groepen):
            if int(m.group(1)) <= 30:
                spans.append((int(m.group(1)), int(m.group(1))))
                signals.age_terms.append(m.group(0).strip())
    for cue, span in AGE_SIGNALS.items():
        hit = re.search(r"\b" + re.escape(cue) + (r"\b" if len(cue) <= 3 else r"\w*"), groepen)
        if hit and not (cue == "jongeren" and spans):  # "jongeren van 16 tot 23" is 16-23, not 12-23
            spans.append(span)
            signals.age_terms.append(hit.group(0))
    if spans:
        signals.ages = (min(s[0] for s in spans), max(s[1] for s in spans))
    signals.ouders = any(_has(folded, c) for c in ("ouder", "moeder", "vader", "gezin"))
    signals.professionals = any(_has(folded, c) for c in ("leerkracht", "docent", "professional", "pedagogisch medewerk"))
    return signals
