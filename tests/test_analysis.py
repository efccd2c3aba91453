"""Agenda analyses (``gka_match.index.analysis``), their CLI and their web pages.

Two in-process engines, opened once per module over copies of the seeded data dir:
* ``fixture_engine``: the bundled catalogue with six small agendas built here for the properties
  (three health agendas, two language agendas, one truancy agenda);
* ``bundled_engine``: the bundled data as shipped.
Both share one embedder, so the model is loaded once.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from gka_match.data.models import Agenda, AgendaIntervention, agenda_id, agenda_intervention_id

from .conftest import ROOT, data_env

pytestmark = pytest.mark.slow


# ---- fixture agendas --------------------------------------------------------------------------
def _item(gemeente: str, naam: str, doel: str, omschrijving: str, themas: list[str], doelgroep: list[str],
          catalogus_id: str | None = None, setting: tuple[str, ...] = ("basisschool",)) -> AgendaIntervention:
    return AgendaIntervention(
        id=agenda_intervention_id(gemeente, naam), naam=naam, betrokken_partijen=["gemeente", "schoolbesturen"],
        doel=doel, locatie="wijken met de grootste achterstand", omschrijving_activiteiten=omschrijving,
        monitoring_en_evaluatie="jaarlijkse monitor", financiering="gemeente en OCW", doelgroep=doelgroep,
        themas=themas, setting=list(setting), catalogus_id=catalogus_id, bron="test", illustratief=True,
    )


def _agenda(gemeente: str, provincie: str, challenge: str, items: list[AgendaIntervention]) -> Agenda:
    return Agenda(id=agenda_id(gemeente), gemeente=gemeente, provincie=provincie, periode="2023-2026",
                  aanleiding_en_uitdagingen=challenge, interventies=items, bron="test", illustratief=True)


def fixture_agendas() -> list[Agenda]:
    health = "gezondheid en bewegen"
    jogg = ("Gezond opgroeien met JOGG", "Meer kinderen op een gezond gewicht.",
            "Wijkgerichte JOGG-aanpak: gezonde school, water drinken, sport in de wijk, ouders betrekken.",
            [health, "samenwerking in de wijk"], ["4-12 jaar", "ouders"], "cat-jogg")
    sportcoach = ("Buurtsportcoach na school", "Kinderen bewegen elke dag.",
                  "Buurtsportcoaches geven sport en spel op het schoolplein en na schooltijd.",
                  [health, "armoede en meedoen"], ["4-12 jaar"], "cat-buurtsportcoach")
    return [
        _agenda("Mijnstreek-Oost", "Limburg",
                "In Mijnstreek-Oost hebben veel kinderen overgewicht en bewegen ze te weinig. Gezinnen met een laag "
                "inkomen eten minder gezond; kinderen komen zonder ontbijt of met een ongezonde lunch naar school. "
                "De gezondheidsachterstand begint al op de basisschool en hangt samen met lagere leerprestaties.",
                [_item("Mijnstreek-Oost", *jogg), _item("Mijnstreek-Oost", *sportcoach),
                 _item("Mijnstreek-Oost", "Gezonde lunch op school", "Elke dag een gezonde lunch op school.",
                       "Scholen bieden een gezonde lunch en dagelijks bewegen aan.", [health], ["4-12 jaar"])]),
        _agenda("Heuvelland-Zuid", "Limburg",
                "Kinderen in Heuvelland-Zuid bewegen weinig en overgewicht komt vaak voor, vooral in gezinnen die "
                "rond moeten komen van een laag inkomen. Veel kinderen eten weinig groente en fruit. Een ongezonde "
                "leefstijl gaat van ouders op kinderen over en kinderen kunnen zich op school slecht concentreren.",
                [_item("Heuvelland-Zuid", *jogg), _item("Heuvelland-Zuid", *sportcoach),
                 _item("Heuvelland-Zuid", "Schoolfruit voor iedereen", "Kinderen eten meer fruit en groente.",
                       "Drie keer per week fruit en groente op school via EU-Schoolfruit.", [health], ["4-12 jaar"],
                       "cat-eu-schoolfruit")]),
        _agenda("Parkstad-Noord", "Limburg",
                "Parkstad-Noord kampt met een grote gezondheidsachterstand: overgewicht, weinig beweging en "
                "ongezonde voeding bij kinderen in wijken met veel armoede. Leerkrachten zien kinderen met alleen "
                "koek of frisdrank naar school komen. We willen dat gezond eten en bewegen gewoon worden op school.",
                [_item("Parkstad-Noord", "Vignet Gezonde School", "Scholen werken aan gezondheid.",
                       "Scholen behalen het vignet Gezonde School voor voeding en bewegen.",
                       [health, "professionalisering"], ["4-12 jaar", "leerkrachten/professionals"], "cat-gezonde-school"),
                 _item("Parkstad-Noord", "Gezonde lunch Parkstad-Noord", "Elke dag een gezonde lunch op school.",
                       "Gratis gezonde lunch voor alle kinderen op scholen in de wijk.", [health, "armoede en meedoen"],
                       ["4-12 jaar"])]),
        _agenda("Taaldorp", "Gelderland",
                "In Taaldorp beginnen veel kinderen met een taalachterstand aan de basisschool. Ouders zijn vaak "
                "laaggeletterd of spreken thuis weinig Nederlands en lezen zelden voor. De taalachterstand is aan "
                "het eind van de basisschool nog zichtbaar en leidt tot lagere schooladviezen.",
                [_item("Taaldorp", "VoorleesExpress-aanpak in de wijk", "Kinderen horen thuis vaker voorlezen.",
                       "Vrijwilligers lezen twintig weken lang wekelijks voor bij gezinnen thuis en leren ouders "
                       "voorlezen.", ["taal en lezen", "ouderbetrokkenheid"], ["4-12 jaar", "ouders"],
                       setting=("thuis",)),
                 _item("Taaldorp", "Taallessen voor ouders", "Ouders spreken beter Nederlands.",
                       "Taalcursus voor ouders op de basisschool van hun kind.", ["taal en lezen", "ouderbetrokkenheid"],
                       ["ouders"])]),
        _agenda("Leesveen", "Overijssel",
                "Leesveen heeft veel kinderen met een taalachterstand; thuis wordt weinig voorgelezen en ouders "
                "zijn niet altijd taalvaardig in het Nederlands. Leesplezier en woordenschat blijven achter, "
                "waardoor kinderen op school moeite hebben met begrijpend lezen.",
                [_item("Leesveen", "Voorlezen aan huis in Leesveen-Oost", "Meer voorlezen in gezinnen.",
                       "Getrainde vrijwilligers komen thuis voorlezen en laten ouders zien hoe zij kunnen voorlezen.",
                       ["taal en lezen", "ouderbetrokkenheid"], ["4-12 jaar", "ouders"], "cat-voorleesexpress",
                       setting=("thuis",)),
                 _item("Leesveen", "BoekStart voor baby's", "Ouders lezen vroeg voor.",
                       "Ouders krijgen een BoekStartkoffertje en gaan naar de bibliotheek.",
                       ["taal en lezen", "vve en jonge kind"], ["0-4 jaar", "ouders"], "cat-boekstart",
                       setting=("bibliotheek",))]),
        _agenda("Verzuimstad", "Utrecht",
                "In Verzuimstad zitten steeds meer jongeren thuis zonder passend onderwijs en het schoolverzuim op "
                "het vmbo stijgt. Scholen, leerplicht en jeugdhulp werken onvoldoende samen en er zijn weinig "
                "tussenvoorzieningen voor jongeren met psychische klachten.",
                [_item("Verzuimstad", "Thuiszitterspact Verzuimstad", "Geen jongere langer dan drie maanden thuis.",
                       "Scholen, leerplicht en jeugdhulp bespreken elke thuiszitter aan een thuiszitterstafel.",
                       ["schoolverzuim en thuiszitters", "samenwerking in de wijk"], ["12-18 jaar"],
                       "cat-thuiszitterspact", setting=("voortgezet onderwijs",)),
                 _item("Verzuimstad", "Jongerencoaches", "Jongeren blijven naar school gaan.",
                       "Jongerencoaches begeleiden jongeren die dreigen uit te vallen.",
                       ["schoolverzuim en thuiszitters"], ["12-18 jaar"], setting=("voortgezet onderwijs",))]),
    ]


HEALTH = {"Mijnstreek-Oost", "Heuvelland-Zuid", "Parkstad-Noord"}


# ---- engines -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def module_env(model_dir, seeded_dir, tmp_path_factory):
    """Copies of the seeded data dir and the settings for them (the env is restored afterwards)."""
    dirs = {}
    for name in ("fixture", "bundled"):
        target = tmp_path_factory.mktemp(f"analysis-{name}")
        shutil.copytree(seeded_dir, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("models"))
        dirs[name] = target
    return dirs


def _open(data_dir: Path, model_dir: Path, embedder=None, prepare=None):
    from gka_match.config import load_settings
    from gka_match.index.engine import Engine
    from gka_match.runtime import open_embedder, open_store

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GKA_DATA_DIR", str(data_dir))
        mp.setenv("GKA_MODEL_DIR", str(model_dir))
        settings = load_settings()
    store = open_store(settings)
    if prepare:
        prepare(store)
    return Engine.open(settings.index_dir, store, embedder or open_embedder(settings), model_dir=settings.model_dir)


@pytest.fixture(scope="module")
def bundled_engine(module_env, model_dir):
    engine = _open(module_env["bundled"], model_dir)
    yield engine
    engine.store.close()


@pytest.fixture(scope="module")
def fixture_engine(module_env, model_dir, bundled_engine):
    def replace_agendas(store):
        for a in store.list_agendas():
            store.delete("agenda", a.id)
        store.write(agendas=fixture_agendas())

    engine = _open(module_env["fixture"], model_dir, bundled_engine.embedder, replace_agendas)
    yield engine
    engine.store.close()


def names(results) -> list[str]:
    return [r.gemeente for r in results]


# ---- properties on the fixture agendas ---------------------------------------------------------
def test_health_agendas_are_each_others_nearest(fixture_engine):
    from gka_match.index.analysis import similar_agendas

    for gemeente in HEALTH:
        top = similar_agendas(fixture_engine, gemeente, k=2)
        assert set(names(top)) == HEALTH - {gemeente}, (gemeente, [(r.gemeente, r.score) for r in top])
        assert top[0].score >= top[1].score
        assert "gezondheid en bewegen" in top[0].shared_themas
        assert top[0].reason.endswith(".")


def test_score_is_the_weighted_sum_of_the_components(fixture_engine):
    from gka_match.index.analysis import WEIGHTS, similar_agendas

    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    for r in similar_agendas(fixture_engine, "Taaldorp", k=5):
        assert r.score == pytest.approx(sum(WEIGHTS[b] * r.components[b] for b in WEIGHTS), abs=2e-3)
        assert -1.0 <= r.score <= 1.0


def test_language_agendas_share_taal_en_lezen(fixture_engine):
    from gka_match.index.analysis import compare_agendas, similar_agendas

    assert similar_agendas(fixture_engine, "Taaldorp", k=1)[0].gemeente == "Leesveen"
    cmp = compare_agendas(fixture_engine, "Taaldorp", "Leesveen")
    assert "taal en lezen" in cmp.themas.shared
    assert 0 < cmp.themas.jaccard <= 1
    assert cmp.themas.jaccard == pytest.approx(
        len(cmp.themas.shared) / len(set(cmp.themas.shared) | set(cmp.themas.only_a) | set(cmp.themas.only_b)), abs=1e-3)
    assert "vve en jonge kind" in cmp.themas.only_b


def test_compare_finds_a_programme_applied_under_a_local_name(fixture_engine):
    from gka_match.index.analysis import compare_agendas

    cmp = compare_agendas(fixture_engine, "taaldorp", "agenda-leesveen")
    shared = {(s.a.naam, s.b.naam): s for s in cmp.shared}
    pair = shared.get(("VoorleesExpress-aanpak in de wijk", "Voorlezen aan huis in Leesveen-Oost"))
    assert pair is not None, cmp.shared
    assert pair.catalogus_id == "cat-voorleesexpress" and pair.programma == "VoorleesExpress"
    assert pair.relatie.startswith("zelfde programma")
    assert [r.naam for r in cmp.only_in_a] == ["Taallessen voor ouders"]
    assert [r.naam for r in cmp.only_in_b] == ["BoekStart voor baby's"]
    # the other way round gives the mirror image
    back = compare_agendas(fixture_engine, "Leesveen", "Taaldorp")
    assert [(s.b.naam, s.a.naam) for s in back.shared] == list(shared)


def test_compare_same_programme_and_nothing_between_unrelated_agendas(fixture_engine):
    from gka_match.index.analysis import compare_agendas

    cmp = compare_agendas(fixture_engine, "Mijnstreek-Oost", "Heuvelland-Zuid")
    assert {s.catalogus_id for s in cmp.shared} >= {"cat-jogg", "cat-buurtsportcoach"}
    assert all(s.relatie == "zelfde programma" for s in cmp.shared if s.catalogus_id)
    far = compare_agendas(fixture_engine, "Verzuimstad", "Heuvelland-Zuid")
    assert far.shared == [] and far.themas.shared == ["samenwerking in de wijk"]
    assert "gezondheid en bewegen" in far.themas.only_b and far.themas.jaccard < 0.3


def test_gaps_returns_the_programmes_the_peers_use(fixture_engine):
    from gka_match.index.analysis import gaps

    report = gaps(fixture_engine, "Parkstad-Noord", k_peers=2)
    assert {p["gemeente"] for p in report.peers} == HEALTH - {"Parkstad-Noord"}
    by_id = {g.catalogus_id: g for g in report.gaps}
    assert set(by_id) >= {"cat-jogg", "cat-buurtsportcoach"}
    top_two = {g.catalogus_id for g in report.gaps[:2]}
    assert top_two == {"cat-jogg", "cat-buurtsportcoach"}, [(g.naam, g.score) for g in report.gaps]
    jogg = by_id["cat-jogg"]
    assert jogg.n_peers == 2 and jogg.score == pytest.approx(1.0)
    assert {p.gemeente for p in jogg.peers} == {"Mijnstreek-Oost", "Heuvelland-Zuid"}
    assert jogg.erkenningsniveau == "onbekend" and jogg.programma == "JOGG"
    # what Parkstad-Noord already does (a healthy lunch, under another name) is not a gap
    assert all("lunch" not in g.naam.lower() for g in report.gaps)
    assert [g.rank for g in report.gaps] == list(range(1, len(report.gaps) + 1))
    assert len(gaps(fixture_engine, "Parkstad-Noord", k_peers=2, k=1).gaps) == 1


def test_clusters_and_projection(fixture_engine):
    from gka_match.index.analysis import clusters, projection_2d

    report = clusters(fixture_engine, n_clusters=3)
    label_of = {a["gemeente"]: a["cluster"] for a in report.assignments}
    assert len({label_of[g] for g in HEALTH}) == 1
    assert label_of["Taaldorp"] == label_of["Leesveen"] != label_of["Mijnstreek-Oost"]
    health = next(c for c in report.clusters if set(c.gemeenten) >= HEALTH)
    assert health.themas[0] == "gezondheid en bewegen" and health.terms and health.label
    assert sum(c.size for c in report.clusters) == 6 == len(report.assignments)
    auto = clusters(fixture_engine)
    assert 2 <= auto.n_clusters <= 5 and auto.silhouette is not None
    first, second = projection_2d(fixture_engine), projection_2d(fixture_engine)
    assert first == second and len(first) == 6
    assert all(isinstance(p["x"], float) and isinstance(p["y"], float) for p in first)
    with pytest.raises(ValueError):
        clusters(fixture_engine, n_clusters=7)


def test_unknown_agenda_suggests_close_names(fixture_engine):
    from gka_match.index.analysis import UnknownAgenda, resolve_agenda, similar_agendas

    assert resolve_agenda(fixture_engine, "LEESVEEN").id == "agenda-leesveen"
    assert resolve_agenda(fixture_engine, "parkstad noord").gemeente == "Parkstad-Noord"
    with pytest.raises(UnknownAgenda) as err:
        similar_agendas(fixture_engine, "Taaldrop")
    assert "Taaldorp" in err.value.suggestions and "Taaldorp" in str(err.value)


def test_challenge_embeddings_are_cached_per_agenda_and_data_version(fixture_engine):
    from gka_match.index import analysis

    space = analysis.agenda_space(fixture_engine)
    assert analysis.agenda_space(fixture_engine) is space  # same data version: same space
    assert (fixture_engine.index_dir / analysis.CACHE_FILENAME).exists()
    encoded: list[str] = []
    embedder = fixture_engine.embedder
    original = embedder.encode_documents

    def counting(texts, *args, **kwargs):
        encoded.extend(texts)
        return original(texts, *args, **kwargs)

    agenda = fixture_engine.store.get_agenda("agenda-verzuimstad")
    changed = agenda.model_copy(update={"aanleiding_en_uitdagingen": agenda.aanleiding_en_uitdagingen
                                        + " Ook het verzuim op het mbo neemt toe."})
    embedder.encode_documents = counting
    try:
        fixture_engine.store.write(agendas=[changed])
        fixture_engine.sync()
        new_space = analysis.agenda_space(fixture_engine)
    finally:
        embedder.encode_documents = original
        fixture_engine.store.write(agendas=[agenda])
        fixture_engine.sync()
    assert new_space is not space and new_space.data_version > space.data_version
    assert changed.aanleiding_en_uitdagingen in encoded
    assert not any(t.startswith("In Taaldorp") for t in encoded)  # unchanged agendas are not re-embedded


# ---- the bundled data ---------------------------------------------------------------------------
def test_sittard_geleen_is_most_like_maastricht(bundled_engine):
    from gka_match.index.analysis import similar_agendas

    top = similar_agendas(bundled_engine, "Sittard-Geleen", k=3)
    assert names(top)[0] == "Maastricht", [(r.gemeente, r.score) for r in top]
    maastricht = top[0]
    assert any(s.programma == "De Gezonde Basisschool van de Toekomst" for s in maastricht.shared_interventions)
    assert all(r.illustratieve_interventies >= 0 and r.illustratief is False for r in top)


def test_heerlen_and_maastricht_share_the_healthy_school(bundled_engine):
    from gka_match.index.analysis import compare_agendas

    cmp = compare_agendas(bundled_engine, "Heerlen", "Maastricht")
    assert "gezondheid en bewegen" in cmp.themas.shared
    assert ("De Gezonde Basisschool van de Toekomst", "zelfde programma") in {(s.programma, s.relatie) for s in cmp.shared}


def test_bundled_gaps_and_clusters(bundled_engine):
    from gka_match.index.analysis import clusters, gaps

    report = gaps(bundled_engine, "Heerlen", k_peers=5, k=10)
    assert 0 < len(report.gaps) <= 10
    assert all(g.peers and 0 < g.score <= 1 for g in report.gaps)
    assert [g.score for g in report.gaps] == sorted((g.score for g in report.gaps), reverse=True)
    used = {i.catalogus_id for i in bundled_engine.store.get_agenda("agenda-heerlen").interventies} - {None}
    assert used and not used & {g.catalogus_id for g in report.gaps}
    # a gap that rests on invented agenda items only says so, and so does each such peer
    for gap in report.gaps:
        assert gap.illustratief == all(p.illustratief for p in gap.peers)
    groups = clusters(bundled_engine)
    assert groups.n_clusters >= 2 and sum(c.size for c in groups.clusters) == len(groups.assignments)


# ---- CLI ---------------------------------------------------------------------------------------
@pytest.fixture
def cli(bundled_engine, monkeypatch, capsys):
    """Run ``gka-match`` in-process on the bundled engine (no second model load)."""
    import gka_match.runtime
    from gka_match.cli import main

    monkeypatch.setattr(gka_match.runtime, "open_engine", lambda *a, **k: bundled_engine)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_similar_json_is_the_fixed_interface(module_env, model_dir):
    """The documented contract, through the installed console script."""
    proc = subprocess.run([str(ROOT / ".venv/bin/gka-match"), "similar", "sittard-geleen", "--k", "3", "--json"],
                          env=data_env(module_env["bundled"], model_dir), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert isinstance(rows, list) and len(rows) == 3
    assert all(isinstance(r["gemeente"], str) and isinstance(r["score"], float) for r in rows)
    assert rows[0]["gemeente"] == "Maastricht"


def test_cli_unknown_gemeente_lists_close_names(cli):
    code, out, err = cli("similar", "Sittard")
    assert code == 2 and out == ""
    assert "Sittard-Geleen" in err and "Traceback" not in err
    code, _, err = cli("compare", "Schiedam", "Venrai")
    assert code == 2 and "Venray" in err
    code, _, err = cli("similar", "Venray", "--k", "0")
    assert code == 2 and "--k" in err


def test_cli_text_output(cli):
    code, out, _ = cli("similar", "Venray", "--k", "2")
    assert code == 0 and "Agenda's die lijken op Venray" in out and " 2. " in out
    code, out, _ = cli("compare", "Schiedam", "Venray")
    assert code == 0 and "Gedeelde interventies" in out and "taal en lezen" in out
    code, out, _ = cli("gaps", "Venray", "--k", "3")
    assert code == 0 and "gebruikt door" in out
    code, out, _ = cli("clusters", "--json")
    assert code == 0 and json.loads(out)["n_clusters"] >= 2


def test_cli_csv_and_xlsx_exports(cli, tmp_path):
    code, out, _ = cli("similar", "Sittard-Geleen", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns[:5]) == ["rank", "gemeente", "agenda_id", "provincie", "score"]
    assert len(frame) == 5 and frame["gemeente"][0] == "Maastricht"
    assert "illustratief" in frame.columns and "illustratieve_interventies" in frame.columns

    path = tmp_path / "gaten.xlsx"
    code, _, err = cli("gaps", "Venray", "--k", "4", "--format", "xlsx", "--output", str(path))
    assert code == 0 and "4 rijen" in err
    sheet = pd.read_excel(path, engine="openpyxl")
    assert len(sheet) == 4 and {"naam", "catalogus_id", "erkenningsniveau", "score", "gemeenten"} <= set(sheet.columns)

    path = tmp_path / "vergelijking.csv"
    code, _, _ = cli("compare", "Heerlen", "Maastricht", "--output", str(path))  # format from the suffix
    rows = pd.read_csv(path)
    themes = rows[(rows["onderdeel"] == "thema") & (rows["status"] == "gedeeld")]
    assert "gezondheid en bewegen" in set(themes["naam_a"]) and "illustratief" in rows.columns

    path = tmp_path / "groepen.xlsx"
    assert cli("clusters", "--format", "xlsx", "-o", str(path))[0] == 0
    groups = pd.read_excel(path, engine="openpyxl")
    assert len(groups) >= 40 and {"gemeente", "cluster", "label", "x", "y"} <= set(groups.columns)

    code, _, err = cli("gaps", "Venray", "--format", "xlsx")
    assert code == 2 and "--output" in err


# ---- web pages (in-process) ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def web_client(bundled_engine, module_env, model_dir):
    from fastapi.testclient import TestClient

    from gka_match.config import load_settings
    from gka_match.service.app import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GKA_DATA_DIR", str(module_env["bundled"]))
        mp.setenv("GKA_MODEL_DIR", str(model_dir))
        app = create_app(load_settings(), engine=bundled_engine)
    with TestClient(app) as client:
        yield client


def test_web_vergelijkbare_gemeenten(web_client):
    page = web_client.get("/vergelijkbaar")
    assert page.status_code == 200 and "Vergelijkbare gemeenten" in page.text and "Sittard-Geleen" in page.text
    page = web_client.get("/vergelijkbaar", params={"gemeente": "sittard-geleen"})
    assert page.status_code == 200
    assert "Gemeenten die lijken op Sittard-Geleen" in page.text
    assert 'data-agenda="agenda-heerlen"' in page.text and 'data-agenda="agenda-maastricht"' in page.text
    assert "Wat vergelijkbare gemeenten doen en Sittard-Geleen (nog) niet" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    page = web_client.get("/vergelijkbaar", params={"gemeente": "Sitard-Geleen"})
    assert page.status_code == 404 and "Sittard-Geleen" in page.text and "geen GKA-agenda" in page.text


def test_web_vergelijk_agendas(web_client):
    page = web_client.get("/vergelijk", params={"a": "Schiedam", "b": "Venray"})
    assert page.status_code == 200
    assert "Schiedam en Venray vergeleken" in page.text
    assert "Alleen in Schiedam" in page.text and "Alleen in Venray" in page.text
    assert "taal en lezen" in page.text
    page = web_client.get("/vergelijk", params={"a": "Schiedam", "b": "<script>x</script>"})
    assert page.status_code == 404 and "<script>x" not in page.text
    assert web_client.get("/vergelijk", params={"a": "Venray", "b": "venray"}).status_code == 422
    assert web_client.get("/vergelijk", params={"a": "Venray"}).status_code == 422
    assert web_client.get("/vergelijk").status_code == 200
