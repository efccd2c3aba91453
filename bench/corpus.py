"""Deterministic benchmark corpora and queries, grown from the bundled data.

The bundled data holds 331 real search documents (164 catalogue interventions, 167 agenda
interventions). A corpus of N documents is the bundled data plus N - 331 *synthetic* catalogue
interventions. Each synthetic record recombines sentences of real records that share a theme
(its description and goal are real sentences, in a new combination), takes its target group,
themes and setting from one real record, and is marked: its name starts with ``[synthetisch]``,
``illustratief`` is true and ``bron`` says how it was made. Record ``i`` depends only on ``i``,
so the 1k corpus is a prefix of the 10k corpus, which is a prefix of the 50k corpus.

Every synthetic record also names the real documents its sentences came from (``sources``);
``bench/vectors.py`` uses them to derive its embedding without running the model.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from gka_match.data.bundled import load_bundled
from gka_match.data.models import Agenda, CatalogueIntervention

SYNTHETIC_PREFIX = "[synthetisch]"
SYNTHETIC_BRON = (
    "synthetisch (bench/corpus.py): zinnen van echte gebundelde interventies herschikt; "
    "alleen voor snelheidsmetingen"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if len(s.strip()) >= 20]


@dataclass
class RealItem:
    """One real search document, reduced to what recombination needs."""

    doc_id: str
    naam: str
    themas: list[str]
    doelgroep: list[str]
    setting: list[str]
    leeftijd_van: int | None
    leeftijd_tot: int | None
    description: list[str]
    goal: list[str]


@dataclass
class Corpus:
    catalogue: list[CatalogueIntervention]
    agendas: list[Agenda]
    synthetic: list[CatalogueIntervention]
    # synthetic record id -> [(real doc id, weight)]: where its sentences came from
    sources: dict[str, list[tuple[str, float]]]

    @property
    def n_real(self) -> int:
        return len(self.catalogue) + sum(len(a.interventies) for a in self.agendas)

    @property
    def n_docs(self) -> int:
        return self.n_real + len(self.synthetic)


def real_items(catalogue: list[CatalogueIntervention], agendas: list[Agenda]) -> list[RealItem]:
    items = [
        RealItem(c.id, c.naam, list(c.themas), list(c.doelgroep), list(c.setting), c.leeftijd_van, c.leeftijd_tot,
                 sentences(c.korte_omschrijving), sentences(c.doel))
        for c in catalogue
    ]
    for agenda in agendas:
        for i in agenda.interventies:
            items.append(RealItem(i.id, i.naam, list(i.themas), list(i.doelgroep), list(i.setting), i.leeftijd_van,
                                  i.leeftijd_tot, sentences(i.omschrijving_activiteiten), sentences(i.doel)))
    return [it for it in items if it.description or it.goal]


class Generator:
    """Synthetic record ``i`` is a pure function of ``i`` and the bundled data."""

    def __init__(self) -> None:
        catalogue, agendas, issues = load_bundled()
        if issues:
            raise RuntimeError(f"bundled data is invalid: {issues[:3]}")
        self.catalogue, self.agendas = catalogue, agendas
        # the synthetic records recombine items whose classification a source states in full
        self.items = [it for it in real_items(catalogue, agendas)
                      if it.doelgroep and it.themas and it.setting and (it.description or it.goal)]
        self.by_thema: dict[str, list[RealItem]] = {}
        for it in self.items:
            for t in it.themas:
                self.by_thema.setdefault(t, []).append(it)

    def record(self, i: int) -> tuple[CatalogueIntervention, list[tuple[str, float]]]:
        rng = random.Random(f"gka-bench-{i}")
        base = rng.choice(self.items)
        thema = rng.choice(base.themas)
        donors = [d for d in rng.sample(self.by_thema[thema], k=min(3, len(self.by_thema[thema]))) if d is not base]
        donors = donors[:2] or [base]
        pool_desc = [(s, base) for s in base.description] or [(s, base) for s in base.goal]
        description = [rng.choice(pool_desc)]
        for d in donors:
            if d.description:
                description.append((rng.choice(d.description), d))
        goal_donor = rng.choice([base, *donors])
        goal_pool = goal_donor.goal or goal_donor.description
        goal = (rng.choice(goal_pool), goal_donor)
        used = [*description, goal]
        weights: dict[str, float] = {}
        for _, src in used:
            weights[src.doc_id] = weights.get(src.doc_id, 0.0) + 1.0
        total = sum(weights.values())
        naam = f"{SYNTHETIC_PREFIX} {base.naam} / {donors[0].naam}" if donors[0] is not base else \
            f"{SYNTHETIC_PREFIX} {base.naam}"
        rec = CatalogueIntervention(
            id=f"syn-{i:06d}",
            naam=naam[:300],
            korte_omschrijving=" ".join(s for s, _ in description),
            doel=goal[0],
            doelgroep=base.doelgroep,
            doelgroep_omschrijving="",
            leeftijd_van=base.leeftijd_van,
            leeftijd_tot=base.leeftijd_tot,
            themas=base.themas,
            setting=base.setting,
            erkenningsniveau="onbekend",
            bron=SYNTHETIC_BRON,
            illustratief=True,
        )
        return rec, [(doc_id, w / total) for doc_id, w in weights.items()]

    def corpus(self, n_docs: int) -> Corpus:
        """The bundled data plus synthetic records up to ``n_docs`` search documents in total."""
        real = len(self.catalogue) + sum(len(a.interventies) for a in self.agendas)
        synthetic, sources = [], {}
        for i in range(max(0, n_docs - real)):
            rec, src = self.record(i)
            synthetic.append(rec)
            sources[rec.id] = src
        return Corpus(self.catalogue, self.agendas, synthetic, sources)

    # ---- queries --------------------------------------------------------------------------
    def queries(self, n: int, seed: str = "gka-bench-queries") -> list[str]:
        """``n`` distinct Dutch queries: the dev set's first, then fragments of real sentences
        phrased as an officer would (so a query-embedding cache never hits by accident)."""
        from gka_match.index.evaluation import load_dev_set

        out: list[str] = []
        seen: set[str] = set()
        for q in load_dev_set():
            if q.q not in seen:
                seen.add(q.q)
                out.append(q.q)
        rng = random.Random(seed)
        openers = ("", "", "Wat werkt als ", "Interventie voor ", "Hoe pakken we aan: ", "Aanpak gezocht: ",
                   "In onze wijk: ", "Gemeente zoekt iets voor ")
        attempts = 0
        while len(out) < n and attempts < 50 * n:
            attempts += 1
            it = rng.choice(self.items)
            pool = it.goal + it.description
            words = rng.choice(pool).rstrip(".").split()
            if len(words) < 5:
                continue
            start = rng.randrange(0, max(1, len(words) - 6))
            frag = " ".join(words[start: start + rng.randint(5, 12)])
            q = f"{rng.choice(openers)}{frag[0].lower()}{frag[1:]}"
            if q not in seen:
                seen.add(q)
                out.append(q)
        return out[:n]
