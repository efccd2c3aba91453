"""The Dutch web page over plain HTTP: pages render, every visitor mistake is a Dutch 4xx page
(never a 500 or JSON), unknown ids give a Dutch 404, and all data is HTML-escaped."""

from __future__ import annotations

import re

import httpx
import pytest

try:
    from .conftest import TEST_API_KEY
except ImportError:  # tests/ run as plain directory
    from conftest import TEST_API_KEY

SCRIPT = "<script>alert(1)</script>"


def get(server, path: str, **params) -> httpx.Response:
    return httpx.get(server.url + path, params=params or None, timeout=60, follow_redirects=False)


def assert_html(resp: httpx.Response, status: int) -> str:
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in resp.text
    return resp.text


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card .*?</article>', html, flags=re.S)


# ---- the search page -----------------------------------------------------------------------------
def test_empty_query_shows_the_form(server):
    html = assert_html(get(server, "/"), 200)
    assert 'for="q"' in html and "Beschrijf uw uitdaging" in html
    assert '<textarea id="q" name="q"' in html
    assert 'method="get"' in html
    assert "Of begin met een voorbeeld" in html
    assert not cards(html)
    # Whitespace only is "empty" too, and filters alone do not start a search.
    assert not cards(assert_html(get(server, "/", q="   ", thema="taal en lezen"), 200))


def test_search_renders_cards_with_reason_and_municipalities(server):
    html = assert_html(get(server, "/", q="peuters met een taalachterstand in de wijk"), 200)
    found = cards(html)
    assert 5 <= len(found) <= 10
    for card in found:
        assert "Waarom dit past" in card
        assert re.search(r'<ul class="card__reason">\s*<li>.+?</li>', card, flags=re.S)
        assert re.search(r'class="match match--(sterk|redelijk|zwak)"', card)
        assert "Welke gemeenten doen dit" in card
        assert 'class="badge badge--erk-' in card
        assert re.search(r'href="/(interventie|agenda)/[a-z0-9-]+', card)
    assert 'href="/agenda/agenda-' in html  # some card links to an agenda that runs it
    assert "resultaten" in html and "peuters met een taalachterstand" in html


def test_search_page_uses_the_api_search(server):
    """The page shows the same results as GET /search (grouped), in the same order."""
    params = {"q": "jongeren die thuiszitten", "k": "10", "group": "true"}
    api_ids = [h["id"] for h in httpx.get(server.url + "/search", params=params, timeout=60).json()["results"]]
    html = assert_html(get(server, "/", q="jongeren die thuiszitten"), 200)
    page_ids = re.findall(r'<article class="card [^"]*" data-id="([^"]+)"', html)
    assert page_ids == api_ids


def test_filters_are_applied_and_shown(server):
    html = assert_html(get(server, "/", q="Veel kinderen hebben een taalachterstand als ze naar school gaan",
                           provincie="Limburg", doelgroep="groep 1-2", k="20"), 200)
    found = cards(html)
    assert found
    for card in found:
        assert 'data-provincie="Limburg"' in card
        lo, hi = map(int, re.search(r'data-leeftijd="(\d+)-(\d+)"', card).groups())
        assert lo <= 5 and hi >= 4  # groep 1-2 is 4-5 (up to 6)
    assert 'class="chip"' in html and "groep 1-2" in html
    assert '<option value="Limburg" selected>' in html
    assert '<input type="checkbox" name="doelgroep" value="groep 1-2" checked>' in html
    assert '<option value="20" selected>' in html


def test_soort_and_min_erkenning_filters(server):
    html = assert_html(get(server, "/", q="er wordt veel gepest in de klas", soort="programma",
                           min_erkenning="effectief volgens goede aanwijzingen"), 200)
    found = cards(html)
    assert found
    for card in found:
        assert 'data-kind="catalogue"' in card
        assert re.search(r"badge--erk-[56]", card)
    html = assert_html(get(server, "/", q="er wordt veel gepest in de klas", soort="gemeente"), 200)
    assert all('data-kind="agenda"' in c for c in cards(html))


@pytest.mark.parametrize("params, fragment", [
    ({"thema": "onzin"}, "Het thema ‘onzin’ kennen we niet"),
    ({"doelgroep": "groep 9"}, "De doelgroep ‘groep 9’ kennen we niet"),
    ({"doelgroep": "bejaarden"}, "De doelgroep ‘bejaarden’ kennen we niet"),
    ({"setting": "ruimtevaart"}, "De setting ‘ruimtevaart’ kennen we niet"),
    ({"min_erkenning": "heel goed"}, "Het erkenningsniveau ‘heel goed’ kennen we niet"),
    ({"soort": "alles"}, "De soort ‘alles’ kennen we niet"),
    ({"provincie": "Vlaanderen"}, "De provincie ‘Vlaanderen’ kennen we niet"),
    ({"gemeente": "Atlantis"}, "Van de gemeente ‘Atlantis’ hebben we geen GKA-agenda"),
    ({"k": "veel"}, "Het aantal resultaten moet een heel getal"),
    ({"k": "0"}, "Het aantal resultaten moet een heel getal"),
    ({"k": "1000"}, "Het aantal resultaten moet een heel getal"),
])
def test_bad_filter_values_give_a_dutch_422(server, params, fragment):
    html = assert_html(get(server, "/", q="taalachterstand bij peuters", **params), 422)
    assert 'role="alert"' in html and "Controleer uw zoekvraag" in html
    assert fragment in html
    assert not cards(html)
    # The form comes back filled in, without the wrong value.
    assert ">taalachterstand bij peuters</textarea>" in html
    value = next(iter(params.values()))
    assert f'value="{value}" checked' not in html and f'<option value="{value}" selected' not in html


def test_bad_filter_without_query_is_still_reported(server):
    html = assert_html(get(server, "/", thema="onzin"), 422)
    assert "Het thema ‘onzin’ kennen we niet" in html


def test_too_long_query_gives_a_dutch_422(server):
    q = "taalachterstand " * 200  # 3200 characters; the limit is 2000
    html = assert_html(get(server, "/", q=q), 422)
    assert "het maximum is 2.000 tekens" in html
    assert "Maak de beschrijving korter" in html
    assert not cards(html)


def test_known_gemeente_filter_is_case_insensitive(server):
    html = assert_html(get(server, "/", q="brugklas", gemeente="amsterdam"), 200)
    found = cards(html)
    assert found and all("Aanpak gemeente <span class=\"card__gemeente\">Amsterdam</span>" in c for c in found)


def test_query_is_escaped_in_the_page(server):
    q = f'taal {SCRIPT} "><img src=x onerror=alert(2)>'
    html = assert_html(get(server, "/", q=q), 200)
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_security_headers(server):
    resp = get(server, "/")
    assert "script-src" not in resp.headers["content-security-policy"]  # no script at all
    assert "default-src 'none'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"


# ---- detail pages --------------------------------------------------------------------------------
def test_intervention_page_shows_all_fields(server):
    rec = httpx.get(server.url + "/interventions/cat-piramide", timeout=30).json()
    html = assert_html(get(server, "/interventie/cat-piramide"), 200)
    assert "<h1" in html and ">Piramide</h1>" in html
    for text in ("Doel", "Werkzame elementen", "Welke gemeenten doen dit", "Doelgroep", "Thema's", "Setting",
                 "Erkenning", "Website", "Bron", "Effectief volgens eerste aanwijzingen",
                 "NJi Databank Effectieve Jeugdinterventies", "juni 2016", "Piramide-methode"):
        assert text in html, text
    for runner in rec["gemeenten"]:
        assert f'href="/agenda/{runner["agenda_id"]}#{runner["intervention_id"]}"' in html
    assert "Illustratief." not in html  # a real record has no notice


def test_agenda_page_shows_all_template_fields(server):
    agenda = httpx.get(server.url + "/agendas/agenda-amsterdam", timeout=30).json()
    html = assert_html(get(server, "/agenda/agenda-amsterdam"), 200)
    for text in ("GKA-agenda Amsterdam", "Aanleiding en uitdagingen", "Inzet gemeente",
                 "Inzet vanuit het Nationaal Programma Onderwijs", "Samenwerking met de GKA", "Kennis",
                 "Interventies", "Communities", "Afspraken", "Bijlage 1: activiteitenplan en begroting",
                 "Extra bijdrage OCW", "Bron", "Naam/titel", "Betrokken partijen", "Locatie (wijk, school)",
                 "Omschrijving activiteiten", "Monitoring en evaluatie", "Financiering", "Meer informatie",
                 "Noord-Holland", agenda["periode"].replace("-", "–")):
        assert text in html, text
    for item in agenda["interventies"]:
        assert f'id="{item["id"]}"' in html
    # what no source states is shown as such, never filled in
    assert "Niet vermeld in de bron" in html and not agenda["afspraken"]
    if agenda["illustratief"]:
        assert "Illustratief." in html and "Deze agenda" in html


def test_agenda_intervention_redirects_into_its_agenda(server):
    item = httpx.get(server.url + "/agendas/agenda-amsterdam", timeout=30).json()["interventies"][0]["id"]
    resp = get(server, f"/interventie/{item}")
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/agenda/agenda-amsterdam#{item}"


@pytest.mark.parametrize("path", ["/interventie/bestaat-niet", "/agenda/agenda-atlantis",
                                  "/interventie/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                                  "/agenda/a/b/c", "/interventie/"])
def test_unknown_ids_give_a_dutch_404_page(server, path):
    html = assert_html(get(server, path), 404)
    assert "Deze pagina bestaat niet" in html and "Naar het zoekformulier" in html
    assert SCRIPT not in html


def test_static_files(server):
    css = get(server, "/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert get(server, "/static/favicon.svg").status_code == 200
    assert get(server, "/static/../web.py").status_code == 404
    assert get(server, "/static/bestaat-niet.css").status_code == 404


def test_html_routes_are_not_in_the_openapi_schema(server):
    paths = httpx.get(server.url + "/openapi.json", timeout=30).json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith(("/interventie/", "/agenda/", "/static"))]
    assert "/search" in paths


# ---- escaping of stored data ----------------------------------------------------------------------
def xss_intervention(record_id: str = "cat-xss-voorleesproject") -> dict:
    return {
        "id": record_id,
        "naam": f"{SCRIPT} Voorleesproject Xsstest",
        "aliassen": ['"><img src=x onerror=alert(5)>'],
        "korte_omschrijving": "Vrijwilligers lezen voor aan peuters thuis. <b>vet</b> <img src=x onerror=alert(2)>",
        "doel": "Taalachterstand bij peuters verkleinen door voorlezen thuis. <script>alert(3)</script>",
        "doelgroep": ["0-4 jaar", "ouders"],
        "leeftijd_van": 2, "leeftijd_tot": 4,
        "themas": ["taal en lezen", "vve en jonge kind"],
        "setting": ["thuis"],
        "erkenningsniveau": "onbekend",
        "werkzame_elementen": ["<i>samen lezen</i>"],
        "website": "javascript:alert(4)",
        "bron": "Test <script>alert(6)</script> https://example.org/bron?a=1&b=2",
        "illustratief": True,
    }


def xss_agenda(intervention_id: str) -> dict:
    item = {
        "id": "ai-xss-voorlezen", "naam": f"{SCRIPT} Voorlezen thuis", "betrokken_partijen": ["<b>bieb</b>"],
        "doel": "Meer voorlezen thuis.", "doelgroep": ["0-4 jaar"], "themas": ["taal en lezen"],
        "setting": ["thuis"], "locatie": "Wijk <i>Noord</i>", "omschrijving_activiteiten": "Voorlezen.",
        "monitoring_en_evaluatie": "Tellen.", "financiering": "Gemeente.", "website": "javascript:alert(7)",
        "contactpersoon": "<script>alert(8)</script> info@example.org", "catalogus_id": intervention_id,
        "bron": "test", "illustratief": True,
    }
    return {
        "id": "agenda-xss", "gemeente": "<script>alert(9)</script>", "provincie": "Utrecht",
        "periode": "2024-2027",
        "aanleiding_en_uitdagingen": "Een test van het escapen: <script>alert(10)</script> en nog wat tekst erbij.",
        "interventies": [item],
        "communities": [{"naam": "<u>Community</u>", "betrokken_partijen": ["x"], "doel": "d", "doelgroep": "g",
                         "activiteiten": "a", "bron": "test", "illustratief": True}],
        "begroting_ocw_euro": 100000, "bron": "test", "illustratief": True,
    }


def test_stored_data_is_escaped_everywhere(private_server):
    srv = private_server(GKA_API_KEY=TEST_API_KEY)
    headers = {"X-API-Key": TEST_API_KEY}
    rec = xss_intervention()
    assert httpx.post(srv.url + "/interventions", json=rec, headers=headers, timeout=120).status_code == 201
    assert httpx.post(srv.url + "/agendas", json=xss_agenda(rec["id"]), headers=headers,
                      timeout=120).status_code == 201

    pages = {
        "search": assert_html(get(srv, "/", q="Voorleesproject Xsstest voorlezen peuters", k="50"), 200),
        "intervention": assert_html(get(srv, "/interventie/" + rec["id"]), 200),
        "agenda": assert_html(get(srv, "/agenda/agenda-xss"), 200),
    }
    assert rec["id"] in pages["search"]
    for name, html in pages.items():
        assert "<script" not in html.lower(), name
        assert "<img src=x" not in html and "<b>" not in html and "<i>" not in html and "<u>" not in html, name
        assert 'href="javascript' not in html.lower(), name
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Voorleesproject Xsstest" in pages["search"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Voorleesproject Xsstest</h1>" in pages["intervention"]
    assert "Illustratief." in pages["intervention"]
    # The safe URL in the bron is a link, with the ampersand escaped in the attribute.
    assert '<a href="https://example.org/bron?a=1&amp;b=2"' in pages["intervention"]
    assert "GKA-agenda &lt;script&gt;alert(9)&lt;/script&gt;" in pages["agenda"]
    assert '<a href="mailto:info@example.org"' in pages["agenda"]
    # The new gemeente is offered in the filter, escaped.
    assert '<option value="&lt;script&gt;alert(9)&lt;/script&gt;"' in pages["search"]
