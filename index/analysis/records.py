"""The analyses' results as plain dataclasses (``asdict`` gives the JSON the API serves), and their constants."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# Block weights of the agenda vector (see the module docstring); they sum to 1.
WEIGHTS: dict[str, float] = {"uitdaging": 0.40, "interventies": 0.30, "themas": 0.20, "doelgroepen": 0.10}
EQUIVALENT_COSINE = 0.95
NAMED_COSINE = 0.92
NAME_SIMILARITY = 0.5
MAX_SENTENCE_PAIRS = 3

class UnknownAgenda(LookupError):
    """No agenda matches the given id or gemeente; ``suggestions`` holds close names."""

    def __init__(self, ref: str, suggestions: list[str], known: list[str] | None = None):
        self.ref, self.suggestions, self.known = ref, suggestions, sorted(known or [])
        hint = f" Bedoelt u: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"geen agenda met id of gemeente '{ref}'.{hint}")


@dataclass
class Item:
    """One agenda intervention as the analyses see it."""

    id: str
    naam: str
    agenda_id: str
    gemeente: str
    catalogus_id: str | None  # the programme it applies, or whose name it carries exactly
    programma: str | None
    erkenningsniveau: str
    themas: list[str]
    doelgroep: list[str]
    linked: bool  # True when catalogus_id comes from the record, False when inferred from the name
    illustratief: bool  # invented demonstration data: every view marks it
    vector: np.ndarray = field(repr=False)

    def ref(self) -> "InterventionRef":
        return InterventionRef(
            id=self.id, naam=self.naam, gemeente=self.gemeente, agenda_id=self.agenda_id,
            catalogus_id=self.catalogus_id, programma=self.programma,
            erkenningsniveau=self.erkenningsniveau, themas=list(self.themas),
            catalogus_via_naam=bool(self.catalogus_id and not self.linked), illustratief=self.illustratief,
        )


@dataclass
class AgendaProfile:
    id: str
    gemeente: str
    provincie: str
    challenge: str
    items: list[Item]
    themas: list[str]
    doelgroepen: list[str]
    illustratief: bool = False  # the agenda's own text is invented

    @property
    def invented_items(self) -> int:
        return sum(1 for i in self.items if i.illustratief)


@dataclass
class InterventionRef:
    id: str
    naam: str
    gemeente: str
    agenda_id: str
    catalogus_id: str | None
    programma: str | None
    erkenningsniveau: str
    themas: list[str]
    catalogus_via_naam: bool = False  # catalogus_id inferred from the name, not set in the record
    illustratief: bool = False


@dataclass
class SentencePair:
    a: str
    b: str
    similarity: float


@dataclass
class SharedIntervention:
    a: InterventionRef
    b: InterventionRef
    relatie: str  # "zelfde programma" | "zelfde programma (lokale naam)" | "zelfde naam" | "vergelijkbaar"
    similarity: float
    catalogus_id: str | None
    programma: str | None


@dataclass
class SimilarAgenda:
    agenda_id: str
    gemeente: str
    provincie: str
    score: float
    rank: int
    components: dict[str, float]
    shared_themas: list[str]
    shared_interventions: list[SharedIntervention]
    similar_sentences: list[SentencePair]
    reason: str
    illustratief: bool = False  # the agenda's own text is invented
    illustratieve_interventies: int = 0  # how many of its interventions are invented

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ThemeOverlap:
    shared: list[str]
    only_a: list[str]
    only_b: list[str]
    jaccard: float


@dataclass
class Comparison:
    a: dict[str, str]
    b: dict[str, str]
    score: float
    components: dict[str, float]
    shared: list[SharedIntervention]
    only_in_a: list[InterventionRef]
    only_in_b: list[InterventionRef]
    themas: ThemeOverlap
    doelgroepen: ThemeOverlap
    similar_sentences: list[SentencePair]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GapPeer:
    gemeente: str
    agenda_id: str
    intervention_id: str
    naam: str
    similarity: float
    illustratief: bool = False


@dataclass
class Gap:
    naam: str
    catalogus_id: str | None
    programma: str | None
    erkenningsniveau: str
    themas: list[str]
    score: float  # similarity-weighted share of the peers that use it, in [0, 1]
    n_peers: int
    peers: list[GapPeer]
    rank: int = 0
    illustratief: bool = False  # every peer item behind it is invented

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GapReport:
    agenda_id: str
    gemeente: str
    peers: list[dict[str, Any]]
    gaps: list[Gap]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Cluster:
    cluster: int
    label: str
    size: int
    gemeenten: list[str]
    agenda_ids: list[str]
    terms: list[str]
    themas: list[str]


@dataclass
class ClusterReport:
    n_clusters: int
    silhouette: float | None
    clusters: list[Cluster]
    assignments: list[dict[str, Any]]  # {agenda_id, gemeente, provincie, cluster}

    def to_dict(self) -> dict:
        return asdict(self)
