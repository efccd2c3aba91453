"""The matching engine on the bundled data: modes, fusion, filters, reasons, index lifecycle."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from gka_match.config import load_settings
from gka_match.data.models import CatalogueIntervention
from gka_match.data.store import Store
from gka_match.data.vocab import erkenning_rank
from gka_match.index.embedder import Embedder
from gka_match.runtime import open_embedder
from gka_match.index.engine import Engine
from gka_match.index.snapshot import IndexProblem
from gka_match.index.filters import Filters, parse_doelgroep
from gka_match.index.scoring import Ranker
from gka_match.index.search import SearchRequest, Searcher

from .conftest import ROOT, data_env

QUERY = "Veel kinderen in onze wijk beginnen groep 3 met een taalachterstand"


@pytest.fixture(scope="session")
def embedder(model_dir) -> Embedder:
    return open_embedder()


@pytest.fixture
def engine(settings_env, embedder) -> Engine:
    settings = load_settings()
    return Engine.open(settings.index_dir, Store(settings.database_url), embedder, model_dir=settings.model_dir)


def ask(engine: Engine, q: str, k: int = 10, mode: str = "hybrid", floor: float | None = 0.0, **filters):
    """The search core's results (floor 0 by default: these tests look at ranking, not strength)."""
    return Searcher(engine, Ranker.load()).search(SearchRequest(q=q, k=k, mode=mode, floor=floor, **filters)).results


# ---- search ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_each_mode_returns_sensible_dutch_matches(engine, mode):
    results = ask(engine, QUERY, mode=mode)
    assert len(results) == 10
    themes = [t for r in results for t in r.lead.themas]
    assert themes.count("taal en lezen") >= 4, f"{mode}: {[r.lead.name for r in results]}"
    assert all(r.reason.points for r in results)
    scores = [r.confidence for r in results]
    assert all(0.0 <= p <= 1.0 for p in scores)


def test_catalogue_results_list_the_municipalities_running_them(engine):
    results = ask(engine, "boekjes lezen met peuters en hun ouders thuis", k=20)
    boekstart = [r for r in results if r.lead.doc_id == "cat-boekstart"]
    assert boekstart, [r.lead.name for r in results]
    runners = boekstart[0].runners
    assert runners and all(r.agenda_id.startswith("agenda-") for r in runners)
    assert runners == engine.runners("cat-boekstart")


def test_abbreviation_is_expanded(engine):
    results = ask(engine, "VVE", mode="lexical")
    assert any("vve en jonge kind" in r.lead.themas for r in results)


# ---- filters ---------------------------------------------------------------------------------
def test_filters_hold_for_every_result_and_apply_inside_retrieval(engine):
    results = ask(engine, QUERY, thema=["gezondheid en bewegen"], provincie=["Limburg"], kind="agenda")
    assert results, "filtering inside retrieval still finds matches for an off-topic query"
    for r in results:
        assert r.lead.kind == "agenda" and r.lead.provincie == "Limburg"
        assert "gezondheid en bewegen" in r.lead.themas


def test_doelgroep_filter_uses_age_overlap(engine):
    lo, hi = parse_doelgroep("groep 1-2")[1]
    results = ask(engine, "extra aandacht voor taal", k=15, doelgroep=["groep 1-2"])
    assert results
    for r in results:
        span = r.lead.age_span()
        assert span is not None and span[0] <= hi and lo <= span[1], (r.lead.name, span)


def test_groep_1_2_is_4_to_5_years_and_excludes_programmes_from_6():
    assert parse_doelgroep("groep 1-2")[1] == (4, 5)
    assert parse_doelgroep("groep 6-8")[1] == (9, 11)


def test_min_erkenning_filter(engine):
    results = ask(engine, "gedrag in de klas verbeteren", min_erkenning="effectief volgens eerste aanwijzingen")
    assert results
    assert all(r.lead.erkenning_rank >= erkenning_rank("effectief volgens eerste aanwijzingen") for r in results)


def test_gemeente_filter_and_unknown_gemeente(engine):
    results = ask(engine, "ouders betrekken bij school", k=5, gemeente=["diemen"])
    assert results and {r.lead.gemeente for r in results} == {"Diemen"}
    assert engine.unknown_gemeenten(Filters(gemeente=["Atlantis"])) == ["Atlantis"]


def test_invalid_filter_values_are_refused_with_help():
    with pytest.raises(ValueError, match="groep"):
        Filters(doelgroep=["groep 11"])
    with pytest.raises(ValueError):
        Filters(thema=["astrologie"])


# ---- lifecycle -------------------------------------------------------------------------------
def _intervention(id_: str, naam: str, text: str) -> CatalogueIntervention:
    return CatalogueIntervention(
        id=id_, naam=naam, korte_omschrijving=text, doel=text, doelgroep=["4-12 jaar"],
        themas=["talentontwikkeling en loopbaan"], setting=["basisschool"], bron="test", illustratief=True,
    )


def test_incremental_add_change_delete_without_rebuild(engine):
    snapshot = engine.snapshot
    n = len(engine.docs)
    rec = _intervention("cat-test-sterrenkijken", "Sterrenkijken met de klas",
                        "Leerlingen bouwen een telescoop en bekijken planeten met een sterrenwacht.")
    engine.store.write(interventions=[rec])
    assert engine.sync() == 1
    assert len(engine.docs) == n + 1 and engine.snapshot == snapshot  # no rebuild happened
    assert ask(engine, "telescoop planeten sterrenwacht", k=1)[0].lead.doc_id == rec.id

    changed = rec.model_copy(update={"naam": "Robotica met de klas",
                                     "korte_omschrijving": "Leerlingen programmeren robots.",
                                     "doel": "Leerlingen programmeren robots."})
    engine.store.write(interventions=[changed])
    engine.sync()
    assert len(engine.docs) == n + 1
    assert ask(engine, "robots programmeren", k=1)[0].lead.name == "Robotica met de klas"

    engine.store.delete("intervention", rec.id)
    engine.sync()
    assert len(engine.docs) == n and engine.doc(rec.id) is None
    assert len(engine.vectors) == n and len(engine.lexical) == n


def test_reopen_catches_up_from_change_log(settings_env, embedder, engine):
    engine.store.write(interventions=[_intervention("cat-test-schaken", "Schaakles", "Kinderen leren schaken.")])
    reopened = Engine.open(load_settings().index_dir, Store(load_settings().database_url), embedder, model_dir=load_settings().model_dir)
    assert reopened.snapshot == engine.snapshot  # caught up incrementally, no rebuild
    assert reopened.doc("cat-test-schaken") is not None


def test_model_mismatch_is_detected_and_rebuilt(settings_env, embedder, model_dir, monkeypatch):
    monkeypatch.setenv("GKA_MODEL", str(model_dir / "multilingual-e5-small"))  # same weights, other name
    settings = load_settings()
    other = open_embedder(settings)
    store = Store(settings.database_url)
    with pytest.raises(IndexProblem, match="nooit gemengd"):
        Engine(settings.index_dir, store, other, model_dir=settings.model_dir).load()
    messages: list[str] = []
    rebuilt = Engine.open(settings.index_dir, store, other, say=messages.append, model_dir=settings.model_dir)
    assert messages and "model" in messages[0]
    assert ask(rebuilt, QUERY, k=3)


def test_corrupt_or_missing_index_file_is_rebuilt(settings_env, embedder, engine):
    snap = engine.index_dir / engine.snapshot
    (snap / "vectors.faiss").write_bytes(b"garbage")
    messages: list[str] = []
    reopened = Engine.open(load_settings().index_dir, engine.store, embedder, say=messages.append, model_dir=load_settings().model_dir)
    assert "beschadigd" in messages[0]
    assert reopened.snapshot != engine.snapshot and ask(reopened, QUERY, k=3)

    (engine.index_dir / reopened.snapshot / "lexical.npz").unlink()
    messages.clear()
    again = Engine.open(load_settings().index_dir, engine.store, embedder, say=messages.append, model_dir=load_settings().model_dir)
    assert "ontbreekt" in messages[0] and ask(again, QUERY, k=3)


def test_killed_build_leaves_previous_index_serving(data_dir, model_dir, embedder, monkeypatch):
    env = data_env(data_dir, model_dir)
    for cached in (data_dir / "index").glob("embeddings.sqlite*"):
        cached.unlink()  # force real encoding work to interrupt
    pointer = data_dir / "index" / "CURRENT"
    before = pointer.read_text()
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gka-match"), "build"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Wait until the build is embedding (its progress bar has started), then kill it hard.
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline and "Documenten insluiten" not in seen:
        seen += os.read(proc.stderr.fileno(), 4096).decode(errors="replace")
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert pointer.read_text() == before
    monkeypatch.setenv("GKA_DATA_DIR", str(data_dir))
    settings = load_settings()
    store = Store(settings.database_url)
    assert store.counts()["interventions"] >= 150
    engine = Engine(settings.index_dir, store, embedder, model_dir=settings.model_dir)
    engine.load()  # the previous snapshot loads cleanly
    assert engine.snapshot == before and ask(engine, QUERY, k=3)
