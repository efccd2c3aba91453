"""The fast tier: the service's behaviour on every surface, in-process, on the bundled data with
the hashed n-gram encoder instead of the language model (``make test-fast``).

What is checked here does not depend on what the vectors mean: the request contract, grouping
into distinct options, the answer's shape and marks, the Dutch pages, the chat's turns and the
documents. Match quality is measured with the real model (``gka-match eval``, test_answers)."""

from __future__ import annotations

import io

import docx
import pytest

from .conftest import TEST_API_KEY

pytestmark = pytest.mark.fast
CHALLENGE = "Veel peuters in onze wijk hebben een taalachterstand en ouders spreken thuis weinig Nederlands"


def search(client, **body) -> dict:
    resp = client.post("/search", json={"q": CHALLENGE, **body})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_health_names_the_encoder(fast_client):
    health = fast_client.get("/health").json()
    assert health["status"] == "ok" and health["runtime"] == "hash"


def test_search_answers_distinct_options_with_strength_and_marks(fast_client):
    body = search(fast_client, k=10, floor=0)
    results = body["results"]
    assert len(results) == 10 and [r["rank"] for r in results] == list(range(1, 11))
    keys = [r["id"] if r["kind"] == "catalogue" else r["catalogus_id"] or r["id"] for r in results]
    assert len(set(keys)) == len(keys)  # one result per option
    for r in results:
        assert r["match"] in ("sterk", "redelijk", "zwak") and 0 <= r["score"] <= 1
        assert isinstance(r["illustratief"], bool) and r["reason"]["points"]
        assert all(isinstance(g["illustratief"], bool) and g["gemeente"] for g in r["gemeenten"])


def test_a_programme_carries_its_municipalities_and_hides_its_local_copies(fast_client):
    programme = fast_client.get("/interventions/cat-de-gezonde-basisschool-van-de-toekomst").json()
    assert len(programme["gemeenten"]) >= 3
    q = "De Gezonde Basisschool van de Toekomst: gezonde lunch en elke dag bewegen op school"
    grouped = fast_client.post("/search", json={"q": q, "k": 20, "floor": 0}).json()["results"]
    flat = fast_client.post("/search", json={"q": q, "k": 20, "floor": 0, "group": False}).json()["results"]
    copies = [r for r in flat if r["catalogus_id"] == "cat-de-gezonde-basisschool-van-de-toekomst"]
    assert copies, "the flat list shows the agenda items that apply the programme"
    assert not [r for r in grouped if r["catalogus_id"] == "cat-de-gezonde-basisschool-van-de-toekomst"]
    card = next(r for r in grouped if r["id"] == "cat-de-gezonde-basisschool-van-de-toekomst")
    assert {g["gemeente"] for g in card["gemeenten"]} >= {c["gemeente"] for c in copies}


def test_filters_apply_inside_retrieval(fast_client):
    results = search(fast_client, k=10, floor=0, provincie=["limburg"], kind="agenda")["results"]
    assert results and all(r["provincie"] == "Limburg" and r["kind"] == "agenda" for r in results)
    results = search(fast_client, k=10, floor=0, min_erkenning="effectief volgens eerste aanwijzingen")["results"]
    assert results and all(r["erkenningsniveau"].startswith("effectief") for r in results)


@pytest.mark.parametrize("params, says", [
    ({"q": "taal", "provincies": "Limburg"}, "onbekende naam provincies; bekend zijn: thema, doelgroep"),
    ({"q": "taal", "k": "0"}, "k"),
    ({"q": "taal", "k": "true"}, "k"),
    ({"q": "taal", "mode": "semantic"}, "hybrid"),
    ({"q": "taal", "thema": "ruimtevaart"}, "taal en lezen"),
    ({"q": "x" * 2001}, "2000"),
    ({"q": "   "}, "q"),
])
def test_bad_requests_are_422_saying_what_to_fix(fast_client, params, says):
    resp = fast_client.get("/search", params=params)
    assert resp.status_code == 422 and says in resp.json()["detail"], resp.text


def test_an_unknown_name_is_refused_alike_on_get_and_post(fast_client):
    get = fast_client.get("/search", params={"q": "taal", "provincies": "Limburg"})
    post = fast_client.post("/search", json={"q": "taal", "provincies": ["Limburg"]})
    assert get.status_code == post.status_code == 422
    assert get.json()["detail"] == post.json()["detail"] and "provincie, q, k" in get.json()["detail"]


def test_a_lone_surrogate_is_refused_on_every_surface(fast_client):
    raw = b'{"q": "taal \\ud800"}'
    assert fast_client.post("/search", content=raw, headers={"Content-Type": "application/json"}).status_code == 422
    raw = b'{"message": "taal \\ud800"}'
    assert fast_client.post("/chat", content=raw, headers={"Content-Type": "application/json"}).status_code == 422


def test_web_page_renders_cards_and_dutch_mistakes(fast_client):
    page = fast_client.get("/", params={"q": CHALLENGE})
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert page.text.count('<article class="card') >= 1 or "Geen goede match" in page.text
    bad = fast_client.get("/", params={"q": CHALLENGE, "thema": "onzin"})
    assert bad.status_code == 422 and "Controleer uw zoekvraag" in bad.text


def test_invented_data_is_marked_on_the_agenda_page(fast_client):
    agendas = fast_client.get("/agendas").json()["items"]
    agenda = next(a for a in agendas if any(i["illustratief"] for i in a["interventies"]))
    page = fast_client.get(f"/agenda/{agenda['id']}")
    assert page.status_code == 200 and "Illustratief" in page.text


def test_chat_refines_and_offers_the_note(fast_client):
    first = fast_client.post("/chat", json={"message": CHALLENGE}).json()
    assert first["intent"] == "challenge" and first["challenge"]
    second = fast_client.post("/chat", json={"conversation_id": first["conversation_id"],
                                             "message": "alleen in Limburg"}).json()
    assert second["filters"]["provincie"] == ["Limburg"]
    assert all(r["provincie"] == "Limburg" for r in second["results"] if r["kind"] == "agenda")
    if second["results"]:
        assert "provincie=Limburg" in second["report_url"]


def test_documents_and_agendas_by_name(fast_client):
    note = fast_client.get("/report.docx", params={"q": CHALLENGE, "ids": "cat-vve-thuis,cat-boekstart"})
    assert note.status_code == 200
    names = [p.text for p in docx.Document(io.BytesIO(note.content)).paragraphs if p.style.name == "Heading 2"]
    assert names == ["VVE Thuis", "BoekStart"]
    assert fast_client.get("/report.docx", params={"q": CHALLENGE, "ids": "nee"}).status_code == 422
    assert fast_client.get("/agendas/Venray").json()["id"] == "agenda-venray"
    assert fast_client.get("/agendas/compare", params={"a": "Venray", "b": "venray"}).status_code == 422
    assert fast_client.get("/sjabloon.docx").content[:2] == b"PK"


def test_a_nul_in_a_record_is_a_422_not_a_database_error(fast_client):
    rec = {"id": "cat-nul", "naam": "Nul\x00", "korte_omschrijving": "x", "doel": "x", "doelgroep": ["ouders"],
           "themas": ["taal en lezen"], "setting": ["thuis"], "bron": "https://example.org", "illustratief": False}
    resp = fast_client.post("/interventions", json=rec, headers={"X-API-Key": TEST_API_KEY})
    assert resp.status_code == 422 and "U+0000" in resp.json()["detail"]
    assert fast_client.get("/interventions/cat-nul").status_code == 404
