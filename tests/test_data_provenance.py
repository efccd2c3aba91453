"""The bundled data states only sourced facts, marks what is invented, and links to itself."""

from __future__ import annotations

import json
import subprocess

import pytest

from gka_match.data.bundled import load_bundled
from gka_match.data.report import INTERNAL_SOURCE, URL, data_report

from .conftest import ROOT


pytestmark = pytest.mark.fast


@pytest.fixture(scope="module")
def bundled():
    catalogue, agendas, issues = load_bundled()
    assert not issues, issues[:5]
    return catalogue, agendas


def test_the_data_report_meets_the_targets(bundled):
    report = data_report(*bundled)
    assert report.problems() == []
    assert report.agenda_municipalities_with_real_interventions >= 40
    assert report.real_agenda_interventions >= 100
    assert report.invented_share <= 0.20
    assert report.catalogue_real >= 250
    assert report.recognised_with_werkzame_elementen >= 0.80
    assert report.catalogue_with_website >= 0.70


def test_every_real_agenda_intervention_cites_a_public_url(bundled):
    _, agendas = bundled
    for agenda in agendas:
        for item in agenda.interventies:
            if not item.illustratief:
                assert URL.search(item.bron), (agenda.gemeente, item.naam, item.bron)
            else:
                assert item.bron.startswith("Illustratief"), (agenda.gemeente, item.naam)
        if not agenda.illustratief:
            assert URL.search(agenda.bron), agenda.gemeente


def test_no_source_names_a_file_of_the_project(bundled):
    catalogue, agendas = bundled
    sources = [c.bron for c in catalogue] + [a.bron for a in agendas] + [i.bron for a in agendas for i in a.interventies]
    assert not [s for s in sources if INTERNAL_SOURCE.search(s)]
    assert not [s for s in sources if "seeds/" in s or "shared/" in s]


def test_unknown_template_fields_stay_empty_rather_than_invented(bundled):
    _, agendas = bundled
    real = [i for a in agendas for i in a.interventies if not i.illustratief]
    # real records leave fields empty where no source states them: not every one of them is filled
    for name in ("monitoring_en_evaluatie", "financiering", "locatie"):
        assert any(not getattr(i, name) for i in real), name
    assert all(not a.afspraken for a in agendas if not a.illustratief)  # no template text passed off as fact


def test_links_point_to_existing_programmes(bundled):
    catalogue, agendas = bundled
    ids = {c.id for c in catalogue}
    links = [i.catalogus_id for a in agendas for i in a.interventies if i.catalogus_id]
    assert links and set(links) <= ids


def test_recognised_programmes_name_their_databank_and_country(bundled):
    catalogue, _ = bundled
    for c in catalogue:
        assert not c.illustratief
        if c.erkenningsniveau != "onbekend":
            assert c.erkenning_databank, c.naam
    assert {c.land for c in catalogue} == {"Nederland", "Vlaanderen"}
    assert next(c for c in catalogue if c.id == "cat-kies-kleur-tegen-pesten").land == "Vlaanderen"


def test_import_links_agenda_items_and_reports_it(tmp_path):
    env = {"GKA_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    cli = str(ROOT / ".venv/bin/gka-match")
    catalogue = {"id": "cat-kiva", "naam": "KiVa", "korte_omschrijving": "Antipestprogramma.", "doel": "Minder pesten.",
                 "doelgroep": ["4-12 jaar"], "themas": ["sociaal-emotioneel en gedrag"], "setting": ["basisschool"],
                 "bron": "https://www.kivaschool.nl", "illustratief": False}
    (tmp_path / "cat.jsonl").write_text(json.dumps(catalogue) + "\n")
    agenda = {"gemeente": "Testdorp", "provincie": "Utrecht", "bron": "https://example.org/agenda",
              "illustratief": False, "interventies": [
                  {"naam": "KiVa op alle scholen", "bron": "https://example.org/kiva", "illustratief": False},
                  {"naam": "Pestaanpak", "doel": "Met KiVa werken", "bron": "https://example.org/pest", "illustratief": False}]}
    (tmp_path / "agenda.jsonl").write_text(json.dumps(agenda) + "\n")
    subprocess.run([cli, "import", str(tmp_path / "cat.jsonl")], env=env, check=True, capture_output=True)
    done = subprocess.run([cli, "import", str(tmp_path / "agenda.jsonl"), "--link", "suggest"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Suggestie (niet gezet)" in done.stderr and "KiVa op alle scholen" in done.stderr
    out = subprocess.run([cli, "export", "agendas"], env=env, capture_output=True, text=True).stdout
    assert all(i["catalogus_id"] is None for i in json.loads(out)["interventies"])
    done = subprocess.run([cli, "import", str(tmp_path / "agenda.jsonl")], env=env, capture_output=True, text=True)
    assert "Gekoppeld: Testdorp: 'KiVa op alle scholen'" in done.stderr
    assert "Suggestie (niet gezet): Testdorp: 'Pestaanpak'" in done.stderr  # named only in the goal
    items = json.loads(subprocess.run([cli, "export", "agendas"], env=env, capture_output=True, text=True).stdout)["interventies"]
    assert [i["catalogus_id"] for i in items] == ["cat-kiva", None]


def test_data_report_command_prints_the_counts(tmp_path):
    env = {"GKA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cli = str(ROOT / ".venv/bin/gka-match")
    subprocess.run([cli, "seed"], env=env, check=True, capture_output=True)
    out = subprocess.run([cli, "data-report"], env=env, check=True, capture_output=True, text=True).stdout
    assert "Feiten laatst gecontroleerd" in out and "illustratief" in out and "Doel niet gehaald" not in out
