"""Word documents: the advice note of a search (HTTP and CLI), every bundled agenda in the
template's layout (importing it back changes nothing) and the blank template.

The documents are read back with python-docx, as a policy officer's Word would open them."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import httpx
import pytest

from gka_match.data.bundled import load_bundled
from gka_match.data.docx_agenda import write_agenda_docx, write_blank_template
from gka_match.data.importers import read_records
from gka_match.data.template import SECTION_TITLES

try:
    from .conftest import data_env
except ImportError:  # tests/ run as plain directory
    from conftest import data_env

ROOT = Path(__file__).resolve().parents[1]
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHALLENGE = "Veel peuters in onze wijk hebben een taalachterstand en ouders spreken thuis weinig Nederlands"


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def table_rows(table) -> dict[str, str]:
    return {row.cells[0].text: row.cells[1].text for row in table.rows}


def hyperlinks(document) -> list[str]:
    return [rel.target_ref for rel in document.part.rels.values() if rel.is_external and "hyperlink" in rel.reltype]


def title(hit: dict) -> str:
    """An option's heading in the note: an agenda's approach names its municipality."""
    return hit["name"] + (f" ({hit['gemeente']})" if hit["kind"] == "agenda" else "")


def note(server, **params) -> httpx.Response:
    return httpx.get(server.url + "/report.docx", params=params, timeout=120)


def search(server, **params) -> list[dict]:
    resp = httpx.get(server.url + "/search", params=params, timeout=120)
    assert resp.status_code == 200, resp.text
    return resp.json()["results"]


# ---- agendas in the template --------------------------------------------------------------------
@pytest.mark.fast
def test_every_bundled_agenda_round_trips_through_its_word_document(tmp_path):
    _, agendas, _ = load_bundled()
    assert len(agendas) > 50
    for agenda in agendas:
        path = tmp_path / f"{agenda.id}.docx"
        write_agenda_docx(agenda, path)
        batch = read_records(path, "agendas")
        assert not batch.issues, (agenda.id, batch.issues[:3])
        assert [r.model_dump() for _, r in batch.records] == [agenda.model_dump()], agenda.id


@pytest.mark.fast
def test_agenda_document_follows_the_template_and_marks_invented_items(tmp_path):
    _, agendas, _ = load_bundled()
    agenda = next(a for a in agendas if any(i.illustratief for i in a.interventies))
    path = tmp_path / "agenda.docx"
    write_agenda_docx(agenda, path)
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    for title in ("Aanleiding en uitdagingen", "Inzet gemeente"):
        assert title in headings(document, 1)
    assert agenda.gemeente in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    invented = next(i for i in agenda.interventies if i.illustratief)
    assert invented.naam in cells
    assert "Illustratief" in cells


@pytest.mark.fast
def test_blank_template_has_every_section_and_imports_as_no_agenda(tmp_path):
    path = tmp_path / "sjabloon.docx"
    write_blank_template(path)
    found = headings(docx.Document(str(path)), 1)
    assert set(SECTION_TITLES.values()) <= set(found)
    batch = read_records(path, "agendas")  # unfilled, it is no agenda, and it says what to fill in
    assert batch.records == []
    missing = {issue.field for issue in batch.issues}
    assert {"Provincie", "Bron"} <= missing
    assert all("ontbreekt; voeg" in issue.message or "ontbreekt; zet" in issue.message for issue in batch.issues)


# ---- the advice note over HTTP --------------------------------------------------------------------
def test_advice_note_holds_the_top_five_distinct_options(server):
    hits = search(server, q=CHALLENGE, k=5)
    resp = note(server, q=CHALLENGE)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == MEDIA_TYPE
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "adviesnotitie-veel-peuters" in disposition
    document = docx.Document(io.BytesIO(resp.content))
    assert headings(document, 1) == ["De vraag", "Opties", "Verantwoording"]
    names = headings(document, 2)
    assert len(names) == len(hits) == 5
    for name, hit in zip(names, hits):
        assert name.removesuffix(" [illustratief]") == title(hit)
        assert ("[illustratief]" in name) == hit["illustratief"]
    question = table_rows(document.tables[0])
    assert question["Uitdaging"] == CHALLENGE and question["Filters"] == "geen"
    assert question["Aantal opties"] == "5"
    for table, hit in zip(document.tables[1:], hits):
        rows = table_rows(table)
        assert rows["Match"].startswith(hit["match"])
        assert rows["Erkenning"].startswith(hit["erkenningsniveau"])
        assert rows["Waarom dit past"].split("\n") == hit["reason"]["points"]
        if hit["werkzame_elementen"]:
            assert rows["Werkzame elementen"] == "; ".join(hit["werkzame_elementen"])
        for g in hit["gemeenten"]:
            assert g["gemeente"] in rows["Gemeenten die dit doen"]
    links = hyperlinks(document)
    assert links and all(link.startswith(("http://", "https://")) for link in links)
    assert any(link in hit["bron"] for hit in hits for link in links)
    closing = "\n".join(p.text for p in document.paragraphs[-2:])
    assert "illustratief" in closing and "openbare bronnen" in closing


def test_advice_note_with_chosen_options_in_the_given_order_and_filters(server):
    hits = search(server, q=CHALLENGE, k=5, thema="taal en lezen")
    chosen = [hits[2]["id"], hits[0]["id"]]
    resp = note(server, q=CHALLENGE, thema="taal en lezen", ids=",".join(chosen))
    assert resp.status_code == 200, resp.text
    document = docx.Document(io.BytesIO(resp.content))
    assert [h.removesuffix(" [illustratief]") for h in headings(document, 2)] == [
        title(hits[2]), title(hits[0])]
    assert table_rows(document.tables[0])["Filters"] == "thema: taal en lezen"
    repeated = httpx.get(server.url + "/report.docx", params=[("q", CHALLENGE), ("ids", chosen[1]), ("ids", chosen[0])],
                         timeout=120)
    assert headings(docx.Document(io.BytesIO(repeated.content)), 2)[0].startswith(title(hits[0]))


def test_advice_note_marks_an_invented_option_everywhere(server):
    _, agendas, _ = load_bundled()
    item = next(i for a in agendas for i in a.interventies if i.illustratief)
    resp = note(server, q=CHALLENGE, ids=item.id)
    assert resp.status_code == 200, resp.text
    document = docx.Document(io.BytesIO(resp.content))
    assert headings(document, 2) == [f"{item.naam} ({next(a.gemeente for a in agendas if item in a.interventies)}) "
                                     "[illustratief]"]
    rows = table_rows(document.tables[1])
    assert rows["Let op"].startswith("Illustratief")
    assert "in deze notitie 1 record." in document.paragraphs[-1].text


@pytest.mark.parametrize("params, says", [
    ({"q": ""}, "q"),
    ({"q": "asdfghjkl qwerty"}, "geen optie die goed bij deze vraag past"),
    ({"q": CHALLENGE, "ids": "bestaat-niet"}, "onbekende id"),
    ({"q": CHALLENGE, "thema": "ruimtevaart"}, "thema"),
    ({"q": CHALLENGE, "k": "0"}, "k"),
    ({"q": CHALLENGE, "kleur": "blauw"}, "kleur"),
])
def test_advice_note_refusals_say_what_to_fix_and_send_no_file(server, params, says):
    resp = note(server, **params)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert says in resp.text


def test_agenda_document_and_template_over_http(server, tmp_path):
    agenda = httpx.get(server.url + "/agendas", timeout=60).json()["items"][0]
    resp = httpx.get(server.url + f"/agendas/{agenda['id']}/document.docx", timeout=60)
    assert resp.status_code == 200 and resp.headers["content-type"] == MEDIA_TYPE
    assert f"gka-agenda-{agenda['id'].removeprefix('agenda-')}.docx" in resp.headers["content-disposition"]
    path = tmp_path / "agenda.docx"
    path.write_bytes(resp.content)
    (record,) = [r for _, r in read_records(path, "agendas").records]
    assert record.model_dump(mode="json") == agenda
    by_name = httpx.get(server.url + f"/agendas/{agenda['gemeente']}/document.docx", timeout=60)
    assert by_name.status_code == 200 and by_name.content[:2] == b"PK"
    missing = httpx.get(server.url + "/agendas/agenda-bestaat-niet/document.docx", timeout=60)
    assert missing.status_code == 404 and "GET /agendas" in missing.json()["detail"]
    blank = httpx.get(server.url + "/sjabloon.docx", timeout=60)
    assert blank.status_code == 200 and "gka-agenda-sjabloon.docx" in blank.headers["content-disposition"]
    assert set(SECTION_TITLES.values()) <= set(headings(docx.Document(io.BytesIO(blank.content)), 1))


def test_chat_offers_the_advice_note(server):
    reply = httpx.post(server.url + "/chat", json={"message": CHALLENGE}, timeout=120).json()
    assert reply["results"] and reply["report_url"].startswith("/report.docx?q=")
    resp = httpx.get(server.url + reply["report_url"], timeout=120)
    assert resp.status_code == 200
    names = headings(docx.Document(io.BytesIO(resp.content)), 2)
    assert [n.removesuffix(" [illustratief]").split(" (")[0] for n in names][:1] == \
        [reply["results"][0]["name"].split(" (")[0]]
    vague = httpx.post(server.url + "/chat", json={"message": "hallo"}, timeout=120).json()
    assert vague["report_url"] is None


# ---- the CLI --------------------------------------------------------------------------------------
def test_cli_report_writes_a_note_or_nothing(data_dir, model_dir, tmp_path):
    env = data_env(data_dir, model_dir)
    out = tmp_path / "notitie.docx"
    done = subprocess.run([str(ROOT / ".venv/bin/gka-match"), "report", CHALLENGE, "--k", "3", "--output", str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(headings(docx.Document(str(out)), 2)) == 3
    nothing = tmp_path / "leeg.docx"
    done = subprocess.run([str(ROOT / ".venv/bin/gka-match"), "report", "asdfghjkl qwerty", "--output", str(nothing)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and not nothing.exists()
    assert "geen" in done.stderr.lower()
