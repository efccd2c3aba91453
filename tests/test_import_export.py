"""Import, export, backup and restore: the data commands, on a real SQLite store, without the model."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gka_match.cli import main
from gka_match.data.bundled import load_bundled
from gka_match.data.importers import ImportFileError, SectionIssue, read_records
from gka_match.data.store import Store

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "gka-match"


# ---- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    """A store with the bundled data, made once; tests copy the file instead of seeding again."""
    path = tmp_path_factory.mktemp("template") / "gka.sqlite3"
    store = Store(f"sqlite:///{path}")
    catalogue, agendas, issues = load_bundled()
    assert not issues
    store.write(catalogue, agendas)
    store.close()  # checkpoints the WAL into the file
    return path


class Env:
    """Points GKA_DATA_DIR/GKA_DATABASE_URL at a fresh folder; opens stores on it."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.root, self.mp = root, monkeypatch
        self._stores: list[Store] = []
        self.use("main")

    def use(self, name: str) -> Path:
        data_dir = self.root / name
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db = data_dir / "gka.sqlite3"
        self.url = f"sqlite:///{self.db}"
        self.mp.setenv("GKA_DATA_DIR", str(data_dir))
        self.mp.setenv("GKA_DATABASE_URL", self.url)
        return data_dir

    def store(self) -> Store:
        store = Store(self.url)
        self._stores.append(store)
        return store

    def snapshot(self) -> tuple[int, dict[str, int]]:
        store = self.store()
        return store.data_version(), store.counts()

    def close(self) -> None:
        for s in self._stores:
            s.close()


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = Env(tmp_path / "var", monkeypatch)
    yield e
    e.close()


@pytest.fixture
def seeded(env, seeded_template):
    shutil.copy(seeded_template, env.db)
    return env


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


INTERVENTION = {
    "naam": "Voorleesexpress Testwijk",
    "korte_omschrijving": "Vrijwilligers lezen twintig weken voor bij gezinnen thuis.",
    "doel": "Taalontwikkeling en leesplezier van jonge kinderen vergroten.",
    "doelgroep": ["4-12 jaar", "ouders"],
    "themas": ["taal en lezen", "ouderbetrokkenheid"],
    "setting": ["thuis"],
    "bron": "Testbestand",
    "illustratief": True,
}


def intervention(n: int, **changes) -> dict:
    rec = dict(INTERVENTION, naam=f"Testinterventie {n}", **changes)
    return rec


# ---- validation: every issue with file, row and field ------------------------------------------
def test_csv_issues_name_file_row_and_field_and_nothing_is_written(seeded, tmp_path, capsys):
    header = ["naam", "korte_omschrijving", "doel", "doelgroep", "themas", "setting", "leeftijd_van",
              "bron", "illustratief"]
    good = ["Goed", "Omschrijving", "Doel", "ouders", "taal en lezen", "thuis", "", "test", "nee"]
    rows = [
        header,
        good,
        ["Leeftijd fout", "Omschrijving", "Doel", "ouders", "taal en lezen", "thuis", "vier", "test", "ja"],
        ["Thema fout", "Omschrijving", "Doel", "ouders", "taal; koken", "thuis", "", "test", "ja"],
        ["Bool fout", "Omschrijving", "Doel", "ouders", "taal en lezen", "thuis", "", "test", "misschien"],
        ["Doel leeg", "Omschrijving", "", "ouders", "taal en lezen", "thuis", "", "test", "ja"],
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = seeded.snapshot()
    code, out, err = run(capsys, "import", path)
    assert code == 2
    assert "bad.csv, rij 2, veld 'leeftijd_van'" in err and "heel getal" in err
    assert "bad.csv, rij 3, veld 'themas (waarde 1)': 'taal' is niet toegestaan" in err
    assert "bad.csv, rij 3, veld 'themas (waarde 2)': 'koken' is niet toegestaan" in err
    assert "bad.csv, rij 4, veld 'illustratief': 'misschien' is niet waar of onwaar" in err
    assert "bad.csv, rij 5, veld 'doel': ontbreekt; vul het in" in err
    assert "er is niets geïmporteerd" in err and "--skip-invalid" in err
    assert "Traceback" not in err and out == ""
    assert seeded.snapshot() == before


def test_skip_invalid_writes_the_good_rows_and_lists_the_rest(env, tmp_path, capsys):
    rows = [intervention(1), intervention(2, themas=["koken"]), intervention(3),
            intervention(4, illustratief="misschien")]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n", encoding="utf-8")
    code, _, err = run(capsys, "import", path)
    assert code == 2 and env.snapshot()[1]["interventions"] == 0
    code, out, err = run(capsys, "import", path, "--skip-invalid")
    assert code == 0
    assert "mixed.jsonl, rij 2, veld 'themas.0'" in err
    assert "mixed.jsonl, rij 4, veld 'illustratief'" in err
    assert "mixed.jsonl, rij 5: geen geldige JSON" in err
    assert "2 nieuw, 0 bijgewerkt, 0 ongewijzigd; 3 ongeldige overgeslagen" in out
    store = env.store()
    assert store.counts()["interventions"] == 2
    assert store.get_intervention("cat-testinterventie-1").naam == "Testinterventie 1"


def test_agenda_csv_issues_point_at_the_row_and_column(seeded, tmp_path, capsys):
    main(["export", "agendas", "--format", "csv", "--output", str(tmp_path / "all.csv")])
    capsys.readouterr()
    rows = list(csv.reader((tmp_path / "all.csv").open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    col = header.index
    diemen = [r for r in body if r[col("gemeente")] == "Diemen"]
    assert [r[col("naam")] for r in diemen][:2] == ["Sport connecting us", "Spelinloop"]
    diemen[1][col("agenda_provincie")] = "Utrecht"  # conflicts with row 1 of the agenda
    diemen[1][col("setting")] = "school"
    diemen[2][col("agenda_periode")] = ""  # empty on a later row is fine
    path = write_csv(tmp_path / "diemen.csv", [header] + diemen)
    before = seeded.snapshot()
    code, _, err = run(capsys, "import", path)
    assert code == 2
    assert "diemen.csv, rij 2, veld 'agenda_provincie': wijkt af van rij 1 van dezelfde agenda" in err
    assert "diemen.csv, rij 2, veld 'setting (waarde 1)': 'school' is niet toegestaan" in err
    assert "rij 3" not in err
    assert seeded.snapshot() == before

    diemen[1][col("agenda_provincie")] = "Noord-Holland"
    diemen[1][col("setting")] = "basisschool"
    diemen[2][col("catalogus_id")] = "cat-bestaat-niet"
    code, _, err = run(capsys, "import", write_csv(tmp_path / "diemen.csv", [header] + diemen))
    assert code == 2
    assert "diemen.csv, rij 3, veld 'catalogus_id': 'cat-bestaat-niet' is geen id van een catalogus-interventie" in err
    assert seeded.snapshot() == before


# ---- round trips ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx", "json"])
def test_export_import_round_trip(seeded, tmp_path, capsys, fmt):
    files = {}
    for kind in ("interventions", "agendas"):
        files[kind] = tmp_path / f"{kind}.{fmt}"
        code, _, err = run(capsys, "export", kind, "--format", fmt, "--output", files[kind])
        assert code == 0, err
    original = seeded.store()
    want_i = [r.model_dump() for r in original.list_interventions()]
    want_a = [r.model_dump() for r in original.list_agendas()]

    seeded.use("copy")  # an empty store
    code, out, err = run(capsys, "import", files["interventions"])
    assert code == 0, err
    assert f"{len(want_i)} nieuw, 0 bijgewerkt, 0 ongewijzigd" in out
    code, out, err = run(capsys, "import", files["agendas"])
    assert code == 0, err
    assert f"{len(want_a)} nieuw, 0 bijgewerkt, 0 ongewijzigd" in out
    copy = seeded.store()
    assert [r.model_dump() for r in copy.list_interventions()] == want_i
    assert [r.model_dump() for r in copy.list_agendas()] == want_a

    version = copy.data_version()
    for kind, n in (("interventions", len(want_i)), ("agendas", len(want_a))):
        code, out, _ = run(capsys, "import", files[kind])
        assert code == 0 and f"0 nieuw, 0 bijgewerkt, {n} ongewijzigd" in out
    assert copy.data_version() == version


def test_csv_with_bom_semicolons_and_derived_ids(env, tmp_path, capsys):
    text = ("naam;korte_omschrijving;doel;doelgroep;themas;setting;bron;illustratief\n"
            "Uk & Puk;Peuterprogramma;Brede ontwikkeling;0-4 jaar;vve en jonge kind; kinderopvang en voorschool;"
            "NJi;ja\n")
    # Dutch Excel writes ';' between columns; the BOM and the stray space are harmless
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, err = run(capsys, "import", path)
    assert code == 0, err
    rec = env.store().get_intervention("cat-uk-en-puk")
    assert rec is not None and rec.setting == ["kinderopvang en voorschool"] and rec.illustratief is True


def test_progress_bar_for_more_than_200_records(env, tmp_path, capsys):
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(intervention(n)) for n in range(250)), encoding="utf-8")
    code, out, err = run(capsys, "import", path)
    assert code == 0
    assert "250 nieuw" in out and "Controleren" in err
    code, out, _ = run(capsys, "import", path)
    assert "0 nieuw, 0 bijgewerkt, 250 ongewijzigd" in out


# ---- DOCX -----------------------------------------------------------------------------------
def make_agenda_docx(path: Path, *, provincie: str | None = "Noord-Holland", themas: bool = True) -> Path:
    """A filled-in GKA-agenda in the template's shape: top table, headings, interventions."""
    import docx

    d = docx.Document()
    d.add_heading("Gelijke Kansen in Gemeente Diemen", 0)
    top = d.add_table(rows=0, cols=2)
    for label, value in [("Provincie", provincie), ("Periode", "2021 – 2024"),
                         ("Bron", "Nieuwsbericht D66 Diemen (seeds/000)"), ("Illustratief", "ja")]:
        if value is not None:
            cells = top.add_row().cells
            cells[0].text, cells[1].text = label, value
    d.add_paragraph("Toelichting")
    for heading, text in [
        ("Aanleiding en uitdagingen", ["Niet alle kinderen krijgen thuis dezelfde steun bij hun schoolloopbaan.",
                                       "Ouders van jonge kinderen zijn soms geïsoleerd."]),
        ("Inzet gemeente", ["Met de GKA-agenda komen bestaande en nieuwe projecten bij elkaar."]),
        ("Inzet vanuit het Nationaal Programma Onderwijs", ["NPO-middelen voor extra ondersteuning."]),
        ("Samenwerking met de Gelijke Kansen Alliantie", ["Schoolbestuur Florente is penvoerder."]),
        ("Kennis", ["Jaarlijks een kennissessie."]),
    ]:
        d.add_heading(heading, 1)
        for t in text:
            d.add_paragraph(t)
    d.add_heading("En verder…", 1)
    # intervention 1 as the template's table
    table = d.add_table(rows=0, cols=2)
    rows = [
        ("Naam/titel interventie", "Sport connecting us"),
        ("Betrokken partijen", "Diemense scholen\nschoolbestuur Florente (penvoerder)"),
        ("Doel interventie", "Ouders trainen om hun kinderen te ondersteunen en te motiveren."),
        ("Doelgroep", "ouders van schoolgaande kinderen"),
        ("Doelgroep labels", "ouders; 4-12 jaar; 12-18 jaar"),
        ("Leeftijd", "4-18"),
        ("Locatie (wijk, school)", "Diemense scholen"),
        ("Omschrijving activiteiten", "Trainingen gegeven door een voetbalscheidsrechter."),
        ("Monitoring en evaluatie", "Deelname per school."),
        ("Financiering", "Rijkssubsidie via Florente."),
        ("Meer informatie", "Website: https://www.diemen.nl\nContactpersoon: beleidsadviseur onderwijs"),
    ]
    if themas:
        rows.insert(5, ("Thema's", "ouderbetrokkenheid; talentontwikkeling en loopbaan"))
        rows.insert(6, ("Setting", "basisschool; voortgezet onderwijs; sport en cultuur"))
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    # intervention 2 as paragraphs, one label standing alone above its text
    for line in [
        "Naam/titel interventie: Spelinloop",
        "Betrokken partijen: pedagoog; gemeente Diemen",
        "Doel interventie",
        "Ouders stimuleren de ontwikkeling van hun kind met spel en muziek.",
        "Doelgroep: 0-4 jaar; ouders",
        "Thema's: ouderbetrokkenheid, vve en jonge kind",
        "Setting: wijk en buurthuis",
        "Locatie (wijk, school): inlooplocaties in Diemen-Noord",
        "Omschrijving activiteiten: Spelinloop onder begeleiding van een pedagoog.",
        "Monitoring en evaluatie: registratie van bezoekers",
        "Financiering: gemeente",
        "Meer informatie",
        "- Website: www.diemen.nl/spelinloop",
        "- Contactpersoon (project en/of gemeente): beleidsadviseur jeugd",
    ]:
        d.add_paragraph(line)
    comm = d.add_table(rows=0, cols=2)
    for label, value in [("Naam Community", "Ouderkamer Diemen"), ("Betrokken partijen", "scholen; welzijn"),
                         ("Doel Community", "Ouders ontmoeten elkaar."), ("Doelgroep", "ouders"),
                         ("Activiteiten", "Maandelijkse bijeenkomsten.")]:
        cells = comm.add_row().cells
        cells[0].text, cells[1].text = label, value
    # the template's closing part: its "Gemeente" label must not swallow the duties below it
    d.add_heading("Taken en Rollen", 1)
    d.add_paragraph("Samenwerking")
    d.add_paragraph("Gemeente")
    d.add_paragraph("1. Voert twee keer per jaar bestuurlijk (wethouder) overleg met de GKA;")
    d.add_paragraph("Ondertekening bevoegd gezag")
    d.add_heading("Bijlage 1. Activiteitenplan & begroting", 1)
    d.add_paragraph("Voor het uitvoeren van de interventies stelt OCW aanvullend maximaal 100.000,- beschikbaar.")
    d.save(str(path))
    return path


def test_docx_agenda_import(env, tmp_path, capsys):
    path = make_agenda_docx(tmp_path / "GKA-agenda Diemen.docx")
    code, out, err = run(capsys, "import", path)
    assert code == 0, err
    assert "(agenda's): 1 nieuw, 0 bijgewerkt, 0 ongewijzigd" in out
    agenda = env.store().get_agenda("agenda-diemen")
    assert agenda.gemeente == "Diemen" and agenda.provincie == "Noord-Holland" and agenda.periode == "2021-2024"
    assert agenda.illustratief is True and agenda.bron.startswith("Nieuwsbericht")
    assert agenda.aanleiding_en_uitdagingen.startswith("Niet alle kinderen") and "geïsoleerd" in agenda.aanleiding_en_uitdagingen
    assert agenda.inzet_npo == "NPO-middelen voor extra ondersteuning."
    assert agenda.samenwerking_gka == "Schoolbestuur Florente is penvoerder." and agenda.kennis
    sport, spel = agenda.interventies
    assert sport.id == "ai-diemen-sport-connecting-us" and sport.naam == "Sport connecting us"
    assert sport.betrokken_partijen == ["Diemense scholen", "schoolbestuur Florente (penvoerder)"]
    assert sport.doelgroep == ["ouders", "4-12 jaar", "12-18 jaar"]
    assert sport.doelgroep_omschrijving == "ouders van schoolgaande kinderen"
    assert (sport.leeftijd_van, sport.leeftijd_tot) == (4, 18)
    assert sport.themas == ["ouderbetrokkenheid", "talentontwikkeling en loopbaan"]
    assert sport.setting == ["basisschool", "voortgezet onderwijs", "sport en cultuur"]
    assert sport.website == "https://www.diemen.nl" and sport.contactpersoon == "beleidsadviseur onderwijs"
    assert sport.bron == agenda.bron and sport.illustratief is True
    assert spel.naam == "Spelinloop" and spel.doel.startswith("Ouders stimuleren")
    assert spel.doelgroep == ["0-4 jaar", "ouders"] and spel.themas == ["ouderbetrokkenheid", "vve en jonge kind"]
    assert spel.website == "www.diemen.nl/spelinloop" and spel.contactpersoon == "beleidsadviseur jeugd"
    assert [c.naam for c in agenda.communities] == ["Ouderkamer Diemen"]
    code, out, _ = run(capsys, "import", path)
    assert "0 nieuw, 0 bijgewerkt, 1 ongewijzigd" in out


def test_docx_issues_name_the_section(env, tmp_path, capsys):
    path = make_agenda_docx(tmp_path / "onvolledig.docx", provincie=None, themas=False)
    batch = read_records(path)
    assert not batch.records
    text = [str(i) for i in batch.issues]
    assert all(isinstance(i, SectionIssue) for i in batch.issues)
    assert "onvolledig.docx, onderdeel 'Kopgegevens', veld 'Provincie': ontbreekt; zet 'Provincie: …' bovenaan " \
        "(als alinea of als rij van de bovenste tabel)" in text
    # an intervention's themes and setting may stay empty when the source does not state them
    assert not any("veld 'Thema's'" in t or "veld 'Setting'" in t for t in text)
    code, _, err = run(capsys, "import", path)
    assert code == 2 and "onderdeel 'Kopgegevens', veld 'Provincie'" in err
    assert env.snapshot()[1] == {"interventions": 0, "agendas": 0}
    with pytest.raises(ImportFileError, match="één GKA-agenda"):
        read_records(path, "interventions")


# ---- bad files: a clear message, the store untouched ----------------------------------------
def _bad_files(tmp: Path) -> dict[str, tuple[Path, list[str], str]]:
    out = {}
    out["missing columns"] = (write_csv(tmp / "kolommen.csv", [["naam", "doel", "themas"], ["A", "B", "taal en lezen"]]),
                              [], "verplichte kolom(men) voor interventions ontbreken: korte_omschrijving, doelgroep, setting, bron, illustratief")
    out["unknown column"] = (write_csv(tmp / "onbekend.csv", [list(INTERVENTION) + ["opmerking"],
                                                             ["x"] * (len(INTERVENTION) + 1)]),
                             [], "onbekende kolom(men): opmerking")
    wrong = [intervention(1, leeftijd_van="vier"), intervention(2, doelgroep="ouders"), intervention(3, illustratief="misschien")]
    p = tmp / "types.json"
    p.write_text(json.dumps(wrong), encoding="utf-8")
    out["wrong types"] = (p, [], "3 problemen in 3 van 3 interventies")
    p = tmp / "leeg.csv"
    p.write_bytes(b"")
    out["empty"] = (p, [], "leeg.csv is leeg")
    p = tmp / "alleen-kop.csv"
    p.write_text(",".join(INTERVENTION) + "\n", encoding="utf-8")
    out["header only"] = (p, [], "heeft een kopregel maar geen rijen met gegevens")
    p = tmp / "latin1.csv"
    p.write_bytes("naam,korte_omschrijving\nCafé Taal,Één\n".encode("latin-1"))
    out["latin-1"] = (p, [], "latin1.csv is geen UTF-8 (byte 0xe9 op regel 2)")
    p = tmp / "groot.jsonl"
    with p.open("wb") as fh:
        fh.write((json.dumps(intervention(1)) + "\n").encode())
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing 50 MB
    out["50 MB"] = (p, [], "groot.jsonl is 50.0 MB, groter dan de importgrens van 20.0 MB")
    p = tmp / "lijst.txt"
    p.write_text("naam\n", encoding="utf-8")
    out["extension"] = (p, [], "bestandstype '.txt' wordt niet ondersteund; gebruik .csv, .docx, .json, .jsonl, .xlsx")
    p = tmp / "kapot.json"
    p.write_text('[{"naam": "x",}]', encoding="utf-8")
    out["invalid json"] = (p, [], "kapot.json is geen geldige JSON (regel 1, kolom 15")
    p = tmp / "kapot.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    out["broken xlsx"] = (p, [], "kapot.xlsx is geen geldige .xlsx-werkmap")
    p = tmp / "agendas.csv"
    write_csv(p, [["gemeente", "naam"], ["Diemen", "Spelinloop"]])
    out["agenda columns"] = (p, ["--kind", "agendas"], "verplichte kolom(men) voor agendas ontbreken: agenda_provincie")
    p = tmp / "catalogus.jsonl"
    p.write_text(json.dumps(intervention(1)) + "\n", encoding="utf-8")
    out["wrong kind"] = (p, ["--kind", "agendas"], "catalogus.jsonl lijkt catalogus-interventies te bevatten")
    import docx

    p = tmp / "brief.docx"
    document = docx.Document()
    document.add_paragraph("Beste collega, hierbij de stukken.")
    document.save(str(p))
    out["docx without agenda"] = (p, [], "brief.docx bevat geen GKA-agenda")
    return out


BAD = ["missing columns", "unknown column", "wrong types", "empty", "header only", "latin-1", "50 MB", "extension",
       "invalid json", "broken xlsx", "agenda columns", "wrong kind", "docx without agenda"]


@pytest.mark.parametrize("case", BAD)
def test_bad_file_gives_a_clear_error_and_leaves_the_store_alone(seeded, tmp_path, capsys, case):
    path, extra, message = _bad_files(tmp_path)[case]
    before = seeded.snapshot()
    code, out, err = run(capsys, "import", path, *extra)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("gka-match import: ") and message in last, err
    assert "Traceback" not in err and out == ""
    assert seeded.snapshot() == before


def test_wrong_types_are_listed_per_field(env, tmp_path, capsys):
    path, _, _ = _bad_files(tmp_path)["wrong types"]
    _, _, err = run(capsys, "import", path)
    assert "types.json, rij 1, veld 'leeftijd_van': moet een heel getal zijn" in err
    assert "types.json, rij 2, veld 'doelgroep': moet een lijst zijn" in err
    assert "types.json, rij 3, veld 'illustratief': moet true of false zijn" in err


def test_import_limit_is_a_setting(env, tmp_path, capsys, monkeypatch):
    path = tmp_path / "een.jsonl"
    path.write_text(json.dumps(intervention(1)) + "\n", encoding="utf-8")
    monkeypatch.setenv("GKA_MAX_IMPORT_BYTES", "100")
    code, _, err = run(capsys, "import", path)
    assert code == 2 and "groter dan de importgrens" in err and "GKA_MAX_IMPORT_BYTES" in err
    monkeypatch.delenv("GKA_MAX_IMPORT_BYTES")
    assert run(capsys, "import", path)[0] == 0


# ---- export of the bundled data -------------------------------------------------------------
def test_export_bundled_data(env, capsys):
    code, _, err = run(capsys, "seed")
    assert code == 0, err
    code, out, _ = run(capsys, "export", "interventions", "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) >= 150
    assert all(isinstance(r["bron"], str) and r["bron"] and isinstance(r["illustratief"], bool) for r in records)
    assert all(r["naam"] and r["id"].startswith("cat-") for r in records)

    code, out, _ = run(capsys, "export", "agendas", "--format", "jsonl")
    agendas = {a["gemeente"]: a for a in map(json.loads, out.splitlines())}
    names = [i["naam"] for i in agendas["Diemen"]["interventies"]]
    assert "Sport connecting us" in names and "Spelinloop" in names
    assert all("bron" in a and "illustratief" in a for a in agendas.values())

    code, out, _ = run(capsys, "export", "agendas", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    diemen = [r["naam"] for r in rows if r["gemeente"] == "Diemen"]
    assert "Sport connecting us" in diemen and "Spelinloop" in diemen
    assert {"gemeente", "naam", "bron", "illustratief", "agenda_bron", "agenda_illustratief"} <= set(rows[0])
    code, out, _ = run(capsys, "export", "interventions", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(records) and {"naam", "bron", "illustratief"} <= set(rows[0])


# ---- backup and restore ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["sqlite", "jsonl"])
def test_backup_restore_round_trip(seeded, tmp_path, capsys, fmt):
    store = seeded.store()
    want_i = [r.model_dump() for r in store.list_interventions()]
    want_a = [r.model_dump() for r in store.list_agendas()]
    target = tmp_path / f"backup.{fmt}"
    code, _, err = run(capsys, "backup", target, "--format", fmt)
    assert code == 0, err
    assert f"{len(want_i)} interventies, {len(want_a)} agenda's" in err
    if fmt == "sqlite":
        assert target.read_bytes()[:16] == b"SQLite format 3\x00"
        assert not Path(str(target) + "-wal").exists()

    # change the store: a new intervention, a changed one, a deleted agenda
    extra = tmp_path / "extra.jsonl"
    changed = dict(want_i[0], naam=want_i[0]["naam"] + " (gewijzigd)")
    extra.write_text(json.dumps(intervention(1)) + "\n" + json.dumps(changed) + "\n", encoding="utf-8")
    assert run(capsys, "import", extra)[0] == 0
    store.delete("agenda", "agenda-diemen")
    version = store.data_version()

    code, out, err = run(capsys, "restore", target)
    assert code == 0, err
    # Diemen back (new), the changed intervention back (updated), the extra one removed (deleted)
    assert f"1 nieuw, 1 bijgewerkt, {len(want_i) + len(want_a) - 2} ongewijzigd, 1 verwijderd" in out
    assert [r.model_dump() for r in store.list_interventions()] == want_i
    assert [r.model_dump() for r in store.list_agendas()] == want_a
    assert store.data_version() > version  # the change log moves forward, so indexes follow
    code, out, _ = run(capsys, "restore", target)
    assert f"0 nieuw, 0 bijgewerkt, {len(want_i) + len(want_a)} ongewijzigd, 0 verwijderd" in out


def test_restore_refuses_what_is_not_a_backup(seeded, tmp_path, capsys):
    before = seeded.snapshot()
    csv_file = tmp_path / "records.jsonl"
    csv_file.write_text(json.dumps(intervention(1)) + "\n", encoding="utf-8")
    other_db = tmp_path / "other.sqlite3"
    sqlite3.connect(other_db).execute("CREATE TABLE x (y)").connection.commit()
    truncated = tmp_path / "kapot.jsonl"
    assert run(capsys, "backup", truncated, "--format", "jsonl")[0] == 0
    truncated.write_text("\n".join(truncated.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8")
    empty = tmp_path / "leeg.bak"
    empty.write_bytes(b"")
    for path, message in [
        (csv_file, "records.jsonl is geen gka-match-back-up (de eerste regel is niet de back-upkop"),
        (other_db, "other.sqlite3 is geen gka-match-back-up (een SQLite-database zonder de tabel(len) agendas"),
        (truncated, "kapot.jsonl is onvolledig: de kop belooft"),
        (empty, "leeg.bak is geen gka-match-back-up (het bestand is leeg)"),
        (tmp_path / "nergens.bak", "bestaat niet"),
    ]:
        code, out, err = run(capsys, "restore", path)
        assert code == 2 and message in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert seeded.snapshot() == before


def test_restore_refuses_invalid_records(seeded, tmp_path, capsys):
    target = tmp_path / "b.jsonl"
    assert run(capsys, "backup", target, "--format", "jsonl")[0] == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[1])
    rec["record"]["themas"] = ["koken"]
    lines[1] = json.dumps(rec)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = seeded.snapshot()
    code, _, err = run(capsys, "restore", target)
    assert code == 2 and "b.jsonl, rij 2, veld 'themas.0'" in err and "er is niets teruggezet" in err
    assert seeded.snapshot() == before


def test_backup_refuses_the_live_database(seeded, capsys):
    code, _, err = run(capsys, "backup", seeded.db)
    assert code == 2 and "is de draaiende database zelf" in err


# ---- end to end, as a separate process ---------------------------------------------------------
def test_cli_subprocess_without_the_model(seeded, tmp_path):
    env = dict(os.environ, GKA_DATA_DIR=str(seeded.db.parent), GKA_DATABASE_URL=seeded.url)
    script = (
        "import sys\n"
        "from gka_match.cli import main\n"
        f"codes = [main(['export', 'interventions', '--format', 'csv', '--output', {str(tmp_path / 'i.csv')!r}]),\n"
        f"         main(['import', {str(tmp_path / 'i.csv')!r}]),\n"
        f"         main(['backup', {str(tmp_path / 'b.sqlite3')!r}])]\n"
        "assert codes == [0, 0, 0], codes\n"
        "loaded = [m for m in ('sentence_transformers', 'faiss') if m in sys.modules]\n"
        "assert not loaded, f'import/export/backup loaded {loaded}'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "0 nieuw, 0 bijgewerkt" in done.stdout

    bad = tmp_path / "latin1.csv"
    bad.write_bytes("naam\nCafé\n".encode("latin-1"))
    done = subprocess.run([str(CLI), "import", str(bad)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "gka-match import: latin1.csv is geen UTF-8 (byte 0xe9 op regel 2). Het lijkt Windows-1252/Latin-1. "
        "Sla het op als UTF-8 (in Excel: 'CSV UTF-8'; in een editor: codering UTF-8) en importeer het opnieuw"
    ]


def test_agenda_csv_with_plain_agenda_columns_and_empty_repeats(env, tmp_path, capsys):
    header = ["gemeente", "provincie", "periode", "aanleiding_en_uitdagingen", "agenda_bron", "agenda_illustratief",
              "naam", "betrokken_partijen", "doel", "doelgroep", "themas", "setting", "locatie",
              "omschrijving_activiteiten", "monitoring_en_evaluatie", "financiering", "bron", "illustratief"]
    item = ["pedagoog; gemeente", "Ontwikkeling stimuleren.", "0-4 jaar; ouders", "vve en jonge kind",
            "wijk en buurthuis", "buurthuis", "Spelen met ouders.", "Bezoekers tellen.", "gemeente", "test", "ja"]
    rows = [header,
            ["Testdorp", "Utrecht", "2023 – 2026", "Veel jonge kinderen starten met een taalachterstand op school.",
             "test", "ja", "Spelinloop"] + item,
            ["Testdorp", "", "", "", "", "", "Voorleescafé"] + item]  # agenda cells may stay empty here
    code, out, err = run(capsys, "import", write_csv(tmp_path / "plain.csv", rows))
    assert code == 0, err
    assert "(agenda's): 1 nieuw" in out
    agenda = env.store().get_agenda("agenda-testdorp")
    assert agenda.periode == "2023-2026" and agenda.provincie == "Utrecht"
    assert [i.id for i in agenda.interventies] == ["ai-testdorp-spelinloop", "ai-testdorp-voorleescafe"]
