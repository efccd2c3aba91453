"""Why an option fits, in a few short Dutch points a policy officer can use.

- the concepts it matches, in the user's own words, content words only: no stop or filler
  words, and no word that a quarter of the corpus contains ("kinderen", "school");
- whether its doelgroep fits the ages asked for, and says so plainly when it does not;
- its erkenning, with databank and date;
- who already does it ("ook in 3 gemeenten: …"), with invented data marked.

No raw similarity numbers in the text: those stay in the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .documents import SearchDoc
from .query_terms import QuerySignals
from .scoring import age_fit
from .text import STOPWORDS, analyze, stem, words

# Frequent words that say nothing about why something fits, even when the corpus is small.
FILLER = frozenset({
    "kinderen", "kind", "leerlingen", "leerling", "school", "scholen", "thuis", "jongeren", "onderwijs",
    "gemeente", "wijk", "ouders", "problemen", "probleem", "aanpak", "hulp", "helpen", "extra", "goed",
    "beter", "nieuwe", "jaar", "tijd", "samen", "programma", "interventie", "basisscholen", "basisschool",
})
# General Dutch verbs and adjectives: a document that shares only "beginnen" or "dreigen" with
# the question does not fit because of it. Like FILLER, they count only inside a compound with
# a neighbour ("zitten thuis" against "thuiszitters").
GENERAL = frozenset({
    "beginnen", "begint", "starten", "start", "zitten", "zit", "dreigen", "dreigt", "vallen", "valt",
    "staan", "staat", "liggen", "ligt", "lopen", "loopt", "blijven", "blijft", "krijgen", "krijgt",
    "maken", "maakt", "geven", "geeft", "nemen", "neemt", "houden", "houdt", "brengen", "laten",
    "vinden", "vindt", "merken", "merkt", "raken", "raakt", "lukt", "lukken", "weten", "denken",
    "moeilijk", "lastig", "groot", "grote", "klein", "kleine", "hoog", "hoge", "nieuw", "vooral",
    "juist", "genoeg", "minder", "vaker", "soms", "snel", "lang", "lange", "eigen", "andere",
})
WEAK = FILLER | GENERAL
COMMON_SHARE = 0.25  # a word in more than this share of the documents is too common to be a reason
FIELD_LABELS = {
    "naam": "naam", "aliassen": "naam", "doel": "doel", "omschrijving": "omschrijving",
    "doelgroep": "doelgroep", "themas": "thema's", "werkzame_elementen": "werkzame elementen",
    "uitdaging": "uitdaging van de agenda",
}


@dataclass
class Reason:
    concepts: list[str] = field(default_factory=list)  # the user's words that match
    fields: list[str] = field(default_factory=list)  # where they match
    doelgroep_fit: str = "onbekend"  # "past" | "past niet" | "onbekend"
    doelgroep: str = ""  # the point about the target group, if any
    erkenning: str = ""  # the point about the evidence, if any
    gemeenten: str = ""  # the point about who does it, if any
    points: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return " ".join(p if p.endswith(".") else p + "." for p in self.points)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def age_label(doc: SearchDoc) -> str:
    """The ages as the record states them: its explicit range, else its age bands as written
    ("0-4 jaar", not the computed 0-3), so the reason never contradicts the source."""
    if doc.leeftijd_van is None and doc.leeftijd_tot is None:
        return ", ".join(d for d in doc.doelgroep if d not in ("ouders", "leerkrachten/professionals"))
    lo, hi = doc.age_span() or (0, 30)
    if hi >= 30:
        return f"vanaf {lo} jaar"
    return f"{lo} jaar" if lo == hi else f"{lo}-{hi} jaar"


_analysed: tuple[frozenset[str], dict[str, tuple[str, ...]]] = (frozenset(), {})


def _word_tokens(word: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    """A query word's stems, the same for every result of a query: analysed once per word for
    the current vocabulary (only the latest vocabulary's words are kept)."""
    global _analysed
    known, memo = _analysed
    if known is not vocabulary:
        known, memo = _analysed = (vocabulary, {})
    tokens = memo.get(word)
    if tokens is None:
        tokens = memo[word] = tuple(analyze(word, vocabulary))
        if len(memo) > 50_000:
            memo.clear()
    return tokens


def _compounded(a: str, b: str, fields: list[frozenset[str]]) -> bool:
    """Whether a field has one word holding both stems ("thuiszitter": thuis + zit)."""
    return any(a in t and b in t and len(t) >= len(a) + len(b) for stems in fields for t in stems)


def matched_concepts(query: str, doc_stems: dict[str, frozenset[str]], vocabulary: frozenset[str],
                     df_share) -> tuple[list[str], list[str]]:
    """The query's content words (as typed) that a document field contains, and those fields.

    A weak word (FILLER, GENERAL) is no reason alone; beside another word it counts when a field
    joins the two in one compound: "zitten thuis" against "thuiszitters" says more than "zitten"."""
    concepts: list[str] = []
    fields: list[str] = []

    def add(phrase: str, hit: list[str]) -> None:
        concepts.append(phrase)
        for name in hit:
            label = FIELD_LABELS.get(name, name)
            if label not in fields:
                fields.append(label)

    def compounded_in(a: str, b: str) -> list[str]:
        return [name for name, stems in doc_stems.items() if _compounded(stem(a), stem(b), [stems])]

    sequence = words(query)
    for i, word in enumerate(sequence):
        if word in STOPWORDS or len(word) < 3 or any(word in c.split() for c in concepts):
            continue
        if word in WEAK:
            after = sequence[i + 1] if i + 1 < len(sequence) else ""
            hit = compounded_in(word, after) if after in WEAK and after not in STOPWORDS else []
            if hit:
                add(f"{word} {after}", hit)
            continue
        tokens = [t for t in _word_tokens(word, vocabulary) if df_share(t) <= COMMON_SHARE]
        hit = [name for name, stems in doc_stems.items() if any(t in stems for t in tokens)]
        if not hit:
            continue
        phrase = word
        for j in (i - 1, i + 1):
            if 0 <= j < len(sequence) and sequence[j] in WEAK and _compounded(
                    stem(sequence[j]), stem(word), [doc_stems[name] for name in hit]):
                phrase = f"{sequence[j]} {phrase}" if j < i else f"{phrase} {sequence[j]}"
        add(phrase, hit)
    return concepts, fields


def erkenning_point(doc: SearchDoc) -> str:
    niveau = doc.erkenningsniveau
    if niveau in ("onbekend",):
        return ""
    if niveau == "niet erkend":
        return "Beoordeeld en niet erkend" + (f" ({doc.extra['erkenning_databank']})" if doc.extra.get("erkenning_databank") else "")
    where = ", ".join(x for x in (doc.extra.get("erkenning_databank"), doc.extra.get("erkenning_datum")) if x)
    return f"Erkend: {niveau}" + (f" ({where})" if where else "")


def municipality_labels(gemeenten: list[tuple[str, bool]]) -> list[str]:
    """One label per municipality, in order, marked "(illustratief)" only when every item of it
    that applies the option is invented (a real item makes the municipality real)."""
    invented: dict[str, bool] = {}
    for g, illustratief in gemeenten:
        invented[g] = invented.get(g, True) and illustratief
    return [g + (" (illustratief)" if all_invented else "") for g, all_invented in invented.items()]


def runners_point(gemeenten: list[tuple[str, bool]], lead: SearchDoc) -> str:
    """``gemeenten``: (name, illustratief) of the municipalities that apply the option."""
    if not gemeenten:
        return ""
    names = municipality_labels(gemeenten)
    shown = names[:4] + ([f"{len(names) - 4} andere"] if len(names) > 4 else [])
    if lead.kind == "agenda" and len(names) == 1:
        return f"Uit de GKA-agenda van {shown[0]}"
    return f"Ook in {len(names)} gemeente{'n' if len(names) != 1 else ''}: {_join(shown)}"


def explain(query: str, lead: SearchDoc, doc_stems: dict[str, frozenset[str]], vocabulary: frozenset[str],
            df_share, signals: QuerySignals, gemeenten: list[tuple[str, bool]]) -> Reason:
    """``df_share(token)``: the share of documents that contain a stemmed token."""
    concepts, fields = matched_concepts(query, doc_stems, vocabulary, df_share)
    reason = Reason(concepts=concepts[:6], fields=fields)
    if concepts:
        reason.points.append(f"Sluit aan op: {_join(concepts[:6])}")
    fit = age_fit(signals, lead)
    asked = _join(signals.age_terms) if signals.age_terms else ""
    label = age_label(lead)
    if fit > 0:
        reason.doelgroep_fit = "past"
        reason.doelgroep = f"Doelgroep {label}: past bij {asked}" if asked else f"Doelgroep {label}"
    elif fit < 0:
        reason.doelgroep_fit = "past niet"
        reason.doelgroep = f"Let op: gericht op {label}; u vraagt naar {asked}"
    if reason.doelgroep:
        reason.points.append(reason.doelgroep)
    reason.erkenning = erkenning_point(lead)
    if reason.erkenning:
        reason.points.append(reason.erkenning)
    reason.gemeenten = runners_point(gemeenten, lead)
    if reason.gemeenten:
        reason.points.append(reason.gemeenten)
    if not concepts:
        reason.points.insert(0, "Inhoudelijk verwant aan uw beschrijving (geen gedeelde kernwoorden)")
    return reason


__all__ = ["Reason", "explain", "age_label", "FILLER", "GENERAL"]
