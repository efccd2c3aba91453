"""Answers a policy officer can trust: one result per option, honest strength, useful reasons.

These run the search core (``index/search.py``) on the bundled data with the packaged ranker.
"""

from __future__ import annotations

import pytest

from gka_match.config import load_settings
from gka_match.data.models import AgendaIntervention, CatalogueIntervention
from gka_match.data.linking import Linker
from gka_match.data.store import Store
from gka_match.index.documents import SearchDoc
from gka_match.index.engine import Engine
from gka_match.index.evaluation import OFFTOPIC_SET, evaluate, load_queries
from gka_match.index.options import group_options
from gka_match.index.query_terms import read_signals
from gka_match.index.scoring import Ranker
from gka_match.index.search import SearchRequest, Searcher
from gka_match.index.text import analyze, words
from gka_match.runtime import open_embedder

REALISTIC = [
    "Veel peuters spreken thuis weinig Nederlands",
    "Er wordt veel gepest in groep 6-8 op onze basisscholen",
    "Jongeren zitten thuis en gaan niet meer naar school",
    "Ouders met weinig geld kunnen de schoolspullen niet betalen",
    "Kinderen uit onze wijk krijgen een te laag schooladvies",
    "We willen dat kinderen gezonder eten en meer bewegen op school",
]


@pytest.fixture(scope="module")
def searcher(seeded_dir, model_dir) -> Searcher:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GKA_DATA_DIR", str(seeded_dir))
        mp.setenv("GKA_MODEL_DIR", str(model_dir))
        settings = load_settings()
        engine = Engine.open(settings.index_dir, Store(settings.database_url), open_embedder(settings), model_dir=settings.model_dir)
    return Searcher(engine, Ranker.load())


def ask(searcher: Searcher, q: str, **kw):
    return searcher.search(SearchRequest(q=q, **kw))


def _option_key(result) -> str:
    lead = result.lead
    return lead.catalogus_id if lead.kind == "agenda" and lead.catalogus_id else lead.doc_id


# ---- one result per option ---------------------------------------------------------------------
@pytest.mark.parametrize("q", REALISTIC)
def test_the_top_five_are_five_different_options(searcher, q):
    results = ask(searcher, q, k=5, floor=0.0).results
    assert len(results) == 5
    keys = [_option_key(r) for r in results]
    assert len(set(keys)) == 5, [r.lead.name for r in results]
    names = [r.lead.name.lower() for r in results]
    assert len(set(names)) == 5, names


def test_a_programme_carries_every_municipality_that_applies_it(searcher):
    results = ask(searcher, "gezonde lunch en elke dag extra bewegen op de basisschool", k=5).results
    gbt = next(r for r in results if r.lead.doc_id == "cat-de-gezonde-basisschool-van-de-toekomst")
    assert {"Heerlen", "Maastricht", "Sittard-Geleen"} <= {x.gemeente for x in gbt.runners}
    assert gbt.runners == searcher.engine.runners("cat-de-gezonde-basisschool-van-de-toekomst")
    assert any("gemeenten" in p for p in gbt.reason.points)
    # its local copies never show up as separate results
    assert not [r for r in results if r.lead.catalogus_id == "cat-de-gezonde-basisschool-van-de-toekomst"]


def test_flat_results_stay_available(searcher):
    flat = ask(searcher, "gezonde lunch en elke dag extra bewegen op de basisschool", k=10, group=False, floor=0.0).results
    assert all(len(r.members) == 1 for r in flat)
    assert any(r.lead.catalogus_id == "cat-de-gezonde-basisschool-van-de-toekomst" for r in flat)


def _doc(doc_id: str, gemeente: str, naam: str, catalogus_id: str | None = None) -> SearchDoc:
    return SearchDoc(doc_id=doc_id, kind="agenda", record_id=f"agenda-{gemeente.lower()}", name=naam, summary="",
                     fields={"naam": naam}, dense_text=naam, themas=[], doelgroep=[], setting=[], leeftijd_van=None,
                     leeftijd_tot=None, erkenningsniveau="onbekend", erkenning_rank=0, gemeente=gemeente,
                     catalogus_id=catalogus_id)


def test_near_duplicate_local_approaches_fold_into_one_option():
    docs = [_doc("a", "Zaanstad", "Brugfunctionaris op de basisschool"), _doc("b", "Woerden", "Brugfunctionaris"),
            _doc("c", "Breda", "Taalklas voor ouders"), _doc("d", "Waadhoeke", "Brugfunctionaris Waadhoeke")]
    stems = {d.doc_id: {"naam": frozenset(analyze(d.name))} for d in docs}
    options = group_options([0, 1, 2, 3], docs, lambda d: stems[d.doc_id])
    assert [o.lead.doc_id for o in options] == ["a", "c"]
    assert [m.doc_id for m in options[0].members] == ["a", "b", "d"]


# ---- linking ------------------------------------------------------------------------------------
def _programme(id_: str, naam: str, aliassen=()) -> CatalogueIntervention:
    return CatalogueIntervention(id=id_, naam=naam, aliassen=list(aliassen), korte_omschrijving="x", doel="x",
                                 doelgroep=["4-12 jaar"], themas=["taal en lezen"], setting=["basisschool"],
                                 bron="https://example.org", illustratief=False)


def _item(naam: str, doel: str = "", catalogus_id: str | None = None) -> AgendaIntervention:
    return AgendaIntervention(id="ai-x-" + str(abs(hash(naam)) % 10**8), naam=naam, doel=doel,
                              catalogus_id=catalogus_id, bron="https://example.org", illustratief=False)


def test_linker_links_by_name_and_only_suggests_weaker_evidence():
    linker = Linker([_programme("cat-kiva", "KiVa"), _programme("cat-brede-school", "Brede school"),
                     _programme("cat-imc", "IMC Weekendschool", ["Weekendschool"]),
                     _programme("cat-thuis-in-taal", "Thuis in Taal"), _programme("cat-leergeld", "Stichting Leergeld")])
    hit = linker.suggest(_item("KiVa in Overvecht"))
    assert hit[0].id == "cat-kiva" and hit[1] == "naam" and hit[3] is True
    assert linker.suggest(_item("Brede School Academie")) is None  # a longer proper name
    assert linker.suggest(_item("Thuis in Taal & Spel")) is None
    weak = linker.suggest(_item("Weekendschool Súdwest-Fryslân"), "Súdwest-Fryslân")
    assert weak[0].id == "cat-imc" and weak[3] is False  # a one-word ordinary alias: suggested only
    partner = linker.suggest(_item("Inclusieve aanpak", doel="Samen met Stichting Leergeld"))
    assert partner[1] == "omschrijving" and partner[3] is False


def test_an_explicit_link_is_never_changed(searcher):
    from gka_match.data.models import Agenda

    linker = Linker([_programme("cat-kiva", "KiVa")])
    agenda = Agenda(id="agenda-x", gemeente="X", provincie="Utrecht", bron="https://example.org", illustratief=False,
                    interventies=[_item("KiVa light", catalogus_id="cat-other")])
    linked, links = linker.link([agenda])
    assert linked[0].interventies[0].catalogus_id == "cat-other" and not links


def test_the_bundled_agendas_are_linked_to_the_programmes_they_name(searcher):
    engine = searcher.engine
    assert "Apeldoorn" in {r.gemeente for r in engine.runners("cat-2getthere")}
    assert {"Heerlen", "Maastricht", "Sittard-Geleen"} <= {r.gemeente for r in engine.runners("cat-de-gezonde-basisschool-van-de-toekomst")}
    assert {r.gemeente for r in engine.runners("cat-kansrijk-adviseren")} >= {"Delft"}


# ---- Dutch analysis -----------------------------------------------------------------------------
def test_past_participles_diminutives_and_groepen():
    vocabulary = frozenset(words("pesten scheiden boek groep lezen"))
    assert "pest" in analyze("gepest", vocabulary)
    assert "scheid" in analyze("gescheiden", vocabulary)
    assert "boek" in analyze("boekjes", vocabulary)
    tokens = analyze("in groep 6-8 en groep 1 en 2", vocabulary)
    assert "68" not in tokens and "6" not in tokens and "12" not in tokens
    signals = read_signals("Er wordt veel gepest in groep 6-8")
    assert signals.ages == (9, 11) and signals.age_terms == ["groep 6-8"]
    assert "sociaal-emotioneel en gedrag" in signals.themas
    assert read_signals("groep 1 en 2").ages == (4, 5)
    assert read_signals("jongeren van 16 tot 23").ages == (16, 23)
    assert read_signals("jongeren van 16 tot 23").age_terms == ["16 tot 23 jaar"]  # as a reason reads it


def test_filler_words_never_count_as_a_reason(searcher):
    results = ask(searcher, "Veel peuters spreken thuis weinig Nederlands en komen in groep 3 met een achterstand", k=5).results
    assert results
    for r in results:
        assert not {"weinig", "komen", "groep", "thuis", "veel"} & set(r.reason.concepts), r.reason.concepts
        assert all("gelijkenis" not in p and "0." not in p for p in r.reason.points)


def test_gepest_finds_bullying_programmes(searcher):
    results = ask(searcher, "Er wordt veel gepest in groep 6-8 op onze basisscholen", k=10).results
    bullying = [r for r in results if "pest" in (r.lead.name + r.lead.summary).lower()]
    assert len(bullying) >= 5, [r.lead.name for r in results]


# ---- rare words stand out ----------------------------------------------------------------------
@pytest.mark.parametrize("q, expected", [("steungroepaanpak", "cat-kiva"),
                                         ("leerlingmediatoren", "cat-de-vreedzame-school")])
def test_a_rare_exact_word_lifts_its_document_into_the_top_three(searcher, q, expected):
    results = ask(searcher, q, k=3).results
    assert expected in [r.lead.doc_id for r in results], [r.lead.name for r in results]


# ---- doelgroep fit -------------------------------------------------------------------------------
def test_ages_asked_for_rank_and_explain(searcher):
    results = ask(searcher, "taalachterstand bij peuters", k=10, floor=0.0).results
    top = results[0].lead.age_span()
    assert top is not None and top[0] <= 3, results[0].lead.name
    mismatch = [r for r in results if r.reason.doelgroep_fit == "past niet"]
    for r in mismatch:
        assert r.reason.doelgroep.startswith("Let op: gericht op") and "u vraagt naar peuters" in r.reason.doelgroep
    fits = [i for i, r in enumerate(results) if r.reason.doelgroep_fit == "past"]
    misses = [i for i, r in enumerate(results) if r.reason.doelgroep_fit == "past niet"]
    if fits and misses:
        assert min(fits) < min(misses)


# ---- strength and "geen goede match" -----------------------------------------------------------
@pytest.mark.parametrize("q", ["asdfghjkl qwerty", "Wat is het weer morgen in Utrecht?", "Schrijf een gedicht over de zee"])
def test_nonsense_and_off_topic_get_no_good_match(searcher, q):
    answer = ask(searcher, q)
    assert answer.no_good_match and not answer.results
    assert "Beschrijf de uitdaging" in answer.advice
    assert ask(searcher, q, floor=0.0).results  # the floor hid them; nothing is lost


def test_results_carry_a_calibrated_strength(searcher):
    answer = ask(searcher, "Veel peuters spreken thuis weinig Nederlands")
    assert answer.results and answer.results[0].strength in ("sterk", "redelijk")
    ranker = searcher.ranker
    for r in answer.results:
        assert r.confidence >= ranker.floor
        assert r.strength == ("sterk" if r.confidence >= ranker.strong else "redelijk" if r.confidence >= ranker.fair else "zwak")


def test_evidence_first_among_comparable_options(searcher):
    results = ask(searcher, "pesten op school aanpakken", k=10, floor=0.0).results
    window = searcher.ranker.evidence_window
    assert window > 0
    keys = [(-int(r.confidence / window), -r.lead.erkenning_rank) for r in results]
    assert keys == sorted(keys)


def test_request_validation_is_strict():
    from pydantic import ValidationError

    for bad in ({"q": "taal", "k": True}, {"q": "taal \ud800"}, {"q": "   "}, {"q": "taal", "k": 0},
                {"q": "taal", "provincies": ["Limburg"]}, {"q": "taal", "floor": 2}):
        with pytest.raises(ValidationError):
            SearchRequest(**bad)
    assert SearchRequest(q=" taal\x07 ").q == "taal"


# ---- quality, measured ---------------------------------------------------------------------------
def test_eval_reports_quality_and_calibration(searcher):
    report = evaluate(searcher, load_queries(), load_queries(OFFTOPIC_SET), modes=("hybrid", "dense"))
    hybrid, dense = report["modes"]["hybrid"]["overall"], report["modes"]["dense"]["overall"]
    assert hybrid["ndcg@10"] > dense["ndcg@10"]
    assert hybrid["hit@5"] >= 0.85
    assert hybrid["distinct@5"] == 5.0
    assert hybrid["offtopic_silent"] >= 0.95
    assert hybrid["lost_all_relevant"] <= 0.03
