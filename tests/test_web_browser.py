"""The Dutch web page in a real browser (Debian's chromium via Playwright), keyboard first.

Screenshots land in test-output/ (web-*.png) for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

try:
    from .conftest import TEST_API_KEY
except ImportError:  # tests/ run as plain directory
    from conftest import TEST_API_KEY

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHALLENGE = ("Veel peuters in onze wijk hebben een taalachterstand en ouders spreken thuis weinig Nederlands. "
             "Hoe bereiken we ze voor ze naar groep 1 gaan?")
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    pg = context.new_page()
    pg.set_default_timeout(60_000)  # a search embeds the query on a CPU
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.dialogs, pg.errors = dialogs, errors
    yield pg
    assert not dialogs, f"a dialog fired: {dialogs}"
    assert not errors, f"page errors: {errors}"
    context.close()


def focused(page) -> str:
    return page.evaluate("(() => { const e = document.activeElement; return e.id || e.tagName + ':' + "
                         "(e.getAttribute('name') || '') + ':' + (e.value || e.textContent || '').trim(); })()")


def tab_until(page, predicate, limit: int = 120) -> str:
    """Press Tab until the focused element satisfies ``predicate``; keyboard only."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        if predicate(current):
            return current
    raise AssertionError("never reached the element with Tab")


def search_by_keyboard(page, server, text: str = CHALLENGE) -> None:
    page.goto(server.url + "/")
    # The first Tab lands on the skip link, which jumps to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    tab_until(page, lambda f: f == "q")
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert focused(page) == "zoekknop"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def card_data(page) -> list[dict]:
    return page.eval_on_selector_all("article.card", """els => els.map(e => ({
        id: e.dataset.id, kind: e.dataset.kind, provincie: e.dataset.provincie, leeftijd: e.dataset.leeftijd,
        title: e.querySelector('.card__title').innerText,
        reason: e.querySelector('.card__reason').innerText,
        points: [...e.querySelectorAll('.card__reason li')].map(li => li.innerText),
        match: (e.querySelector('.match') || {}).dataset ? e.querySelector('.match').dataset.match : null,
        matchText: (e.querySelector('.match') || {}).innerText || null,
        illustratief: [...e.querySelectorAll('.tag--illustratief')].length,
        gemeenten: [...e.querySelectorAll('.who__list a')].map(a => a.getAttribute('href')),
        provincieText: (e.querySelector('.card__provincie') || {}).innerText || null,
        leeftijdText: (e.querySelector('.card__leeftijd') || {}).innerText || null,
        gemeenteText: (e.querySelector('.card__gemeente') || {}).textContent || null,
    }))""")


def test_search_with_the_keyboard_shows_cards_with_reasons(page, server, output_dir):
    search_by_keyboard(page, server)
    assert "q=Veel+peuters" in page.url
    assert page.locator("#q").input_value() == CHALLENGE  # the query stays in the box
    cards = card_data(page)
    assert 5 <= len(cards) <= 10
    for card in cards:
        assert card["title"].strip()
        assert card["points"] and all(p.strip() for p in card["points"]), card
        assert card["match"] in ("sterk", "redelijk", "zwak") and card["matchText"].endswith("match")
        assert not re.search(r"0\.\d\d", card["reason"])  # no raw similarity numbers for people
    titles = [c["title"].strip().lower() for c in cards[:5]]
    assert len(set(titles)) == 5, titles  # five different options
    assert any(c["gemeenten"] for c in cards), "no card says which municipalities run it"
    assert page.get_by_role("heading", name=re.compile(rf"^{len(cards)} resultaten")).is_visible()
    page.screenshot(path=str(output_dir / "web-search.png"), full_page=True)

    # The URL is shareable: opening it again gives the same list.
    again = page.context.new_page()
    again.goto(page.url)
    assert [c["id"] for c in card_data(again)] == [c["id"] for c in cards]
    again.close()


def test_filter_by_doelgroep_with_the_keyboard(page, server, output_dir):
    search_by_keyboard(page, server)
    # Open the (closed) filter panel and the Doelgroep group, tick "0-4 jaar", apply: keyboard only.
    page.locator(".filters__toggle").focus()
    page.keyboard.press("Enter")
    tab_until(page, lambda f: f.startswith("SUMMARY:") and "Doelgroep" in f)
    page.keyboard.press("Enter")
    tab_until(page, lambda f: f.startswith("INPUT:doelgroep:0-4 jaar"))
    page.keyboard.press("Space")
    assert page.locator('input[name="doelgroep"][value="0-4 jaar"]').is_checked()
    tab_until(page, lambda f: "Filters toepassen" in f)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "doelgroep=0-4+jaar" in page.url
    cards = card_data(page)
    assert cards
    for card in cards:  # every card reaches children of 0-3 years
        lo, hi = map(int, card["leeftijd"].split("-"))
        assert lo <= 3, card
        assert card["leeftijdText"], card
    assert page.locator(".chip", has_text="0-4 jaar").is_visible()
    page.screenshot(path=str(output_dir / "web-filter-doelgroep.png"), full_page=True)


def test_filter_by_provincie(page, server, output_dir):
    page.goto(server.url + "/?q=" + "leerlingen+met+een+laag+schooladvies+en+de+overgang+naar+de+brugklas")
    page.locator(".filters__toggle").click()
    page.select_option("#provincie", "Limburg")
    page.get_by_role("button", name="Filters toepassen").click()
    page.wait_for_url(re.compile(r"provincie=Limburg"))
    cards = card_data(page)
    assert cards
    for card in cards:
        assert card["kind"] == "agenda"
        assert card["provincie"] == "Limburg" and card["provincieText"] == "Limburg"
    # Removing the filter is a link on its chip.
    with page.expect_navigation():
        page.locator(".chip", has_text="Limburg").get_by_role("link").click()
    assert "provincie" not in page.url
    assert {c["provincie"] for c in card_data(page)} != {"Limburg"}
    page.goto(server.url + "/?q=leerlingen+met+een+laag+schooladvies&provincie=Limburg")
    page.screenshot(path=str(output_dir / "web-filter-provincie.png"), full_page=False)


def test_intervention_and_agenda_pages(page, server, output_dir):
    page.goto(server.url + "/?q=" + "peuters+taalachterstand+voorschool&soort=programma")
    first = page.locator("article.card").first
    name = first.locator(".card__title").inner_text()
    first.get_by_role("link", name=re.compile("Alle details")).click()
    page.wait_for_url(re.compile(r"/interventie/cat-"))
    assert page.get_by_role("heading", level=1).inner_text() == name
    for heading in ("Doel", "Werkzame elementen", "Welke gemeenten doen dit"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    side = page.locator(".detail__side").inner_text()
    for label in ("DOELGROEP", "THEMA'S", "SETTING", "ERKENNING", "WEBSITE", "BRON"):
        assert label in side.upper()
    page.screenshot(path=str(output_dir / "web-interventie.png"), full_page=True)

    # From a programme to an agenda that runs it.
    page.goto(server.url + "/interventie/cat-piramide")
    link = page.locator(".runner-list a").first
    gemeente = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/agenda/agenda-[a-z0-9-]+#ai-"))
    assert page.get_by_role("heading", level=1).inner_text() == f"GKA-agenda {gemeente}"
    fragment = page.url.split("#", 1)[1]
    assert page.locator(f'[id="{fragment}"]').is_visible()
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == fragment
    for heading in ("Aanleiding en uitdagingen", "Inzet", "Interventies", "Communities", "Afspraken",
                    "Bijlage 1: activiteitenplan en begroting", "Bron"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    page.screenshot(path=str(output_dir / "web-agenda.png"), full_page=True)

    # An agenda intervention's own address leads into its agenda.
    item = httpx.get(server.url + "/agendas/agenda-amsterdam", timeout=30).json()["interventies"][0]["id"]
    page.goto(server.url + f"/interventie/{item}")
    assert page.url.endswith(f"/agenda/agenda-amsterdam#{item}")
    assert page.locator(f'[id="{item}"]').is_visible()
    assert page.get_by_text("Niet vermeld in de bron").first.is_visible()


def test_grouped_cards_with_municipalities_strength_and_invented_marks(page, server, output_dir):
    page.goto(server.url + "/?q=" + "Wij+willen+een+gezonde+lunch+en+elke+dag+extra+bewegen+op+de+basisschool")
    cards = card_data(page)
    gbt = next(c for c in cards if c["id"] == "cat-de-gezonde-basisschool-van-de-toekomst")
    assert len(gbt["gemeenten"]) >= 3  # one card for the programme, with every municipality that applies it
    assert not [c for c in cards if c["kind"] == "agenda" and "Gezonde Basisschool" in c["title"]]
    assert {c["match"] for c in cards} <= {"sterk", "redelijk", "zwak"}
    page.screenshot(path=str(output_dir / "web-grouped.png"), full_page=True)
    page.goto(server.url + "/?q=" + "Veel+peuters+spreken+thuis+weinig+Nederlands")
    marked = page.locator(".who__list .tag--illustratief")
    if marked.count():
        assert marked.first.inner_text() == "Illustratief"
    page.screenshot(path=str(output_dir / "web-peuters.png"), full_page=True)


def test_results_download_as_a_word_note_with_the_ticked_options(page, server, output_dir):
    import docx

    page.goto(server.url + "/?q=" + CHALLENGE.replace(" ", "+"))
    cards = card_data(page)
    assert len(cards) >= 3
    button = page.get_by_role("button", name="Download als Word-document")
    with page.expect_download() as first:
        button.click()  # nothing ticked: the first five
    path = output_dir / "web-notitie-top5.docx"
    first.value.save_as(path)
    assert first.value.suggested_filename.startswith("adviesnotitie-veel-peuters")
    names = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Heading 2"]
    assert len(names) == 5 and names[0].startswith(cards[0]["title"].strip())
    for card in (cards[2], cards[0]):
        box = page.locator(f'article.card[data-id="{card["id"]}"] input[name="ids"]')
        assert box.get_attribute("form") == "notitie"  # outside the search form, inside the note's
        box.check()
    page.screenshot(path=str(output_dir / "web-notitie-keuze.png"), full_page=False)
    with page.expect_download() as chosen:
        button.click()
    path = output_dir / "web-notitie-keuze.docx"
    chosen.value.save_as(path)
    names = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Heading 2"]
    assert [n.removesuffix(" [illustratief]") for n in names] == [
        cards[0]["title"].strip() + (f" ({g})" if (g := _gemeente(cards[0])) else ""),
        cards[2]["title"].strip() + (f" ({g})" if (g := _gemeente(cards[2])) else "")]
    assert page.url.startswith(server.url + "/?q=")  # the results page stays


def _gemeente(card: dict) -> str | None:
    return None if card["kind"] == "catalogue" else card["gemeenteText"]


def test_agenda_page_downloads_the_agenda_in_the_template(page, server, output_dir):
    import docx

    page.goto(server.url + "/agenda/agenda-diemen")
    with page.expect_download() as download:
        page.locator("#agenda-docx").click()
    path = output_dir / "web-agenda-diemen.docx"
    download.value.save_as(path)
    document = docx.Document(str(path))
    assert "Aanleiding en uitdagingen" in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert any("Diemen" in c.text for t in document.tables for row in t.rows for c in row.cells)


def test_invented_items_are_marked_on_the_programme_and_compare_pages(page, server, output_dir):
    page.goto(server.url + "/interventie/cat-logo-3000")
    runner = page.locator("li", has=page.locator("a", has_text="Almere"))
    assert "Woordenschat met LOGO 3000" in runner.first.inner_text()
    assert runner.first.locator(".tag--illustratief").inner_text() == "Illustratief"
    page.screenshot(path=str(output_dir / "web-programma-illustratief.png"), full_page=True)
    page.goto(server.url + "/vergelijk?a=Almere&b=Dordrecht")
    shared = page.locator("#gedeeld li", has=page.locator("a", has_text="Woordenschat met LOGO 3000"))
    assert "LOGO 3000 in de voorschool" in shared.inner_text()
    assert shared.locator(".tag--illustratief").count() == 2  # Almere's and Dordrecht's invented items
    assert page.locator("#alleen-a li", has=page.locator(".tag--illustratief")).count() == 0  # Almere's real items
    page.screenshot(path=str(output_dir / "web-vergelijk-illustratief.png"), full_page=True)


def test_nonsense_shows_geen_goede_match(page, server, output_dir):
    page.goto(server.url + "/?q=" + "asdfghjkl+qwerty")
    assert not card_data(page)
    state = page.locator('[data-state="geen-goede-match"]')
    assert state.is_visible() and "Geen goede match" in state.inner_text()
    assert "Beschrijf de uitdaging" in state.inner_text()
    page.screenshot(path=str(output_dir / "web-geen-goede-match.png"), full_page=False)


def test_mistakes_and_unknown_pages_are_dutch(page, server, output_dir):
    resp = page.goto(server.url + "/?q=taal&thema=onzin&doelgroep=groep+9")
    assert resp.status == 422
    alert = page.get_by_role("alert")
    assert "Het thema ‘onzin’ kennen we niet" in alert.inner_text()
    assert "De doelgroep ‘groep 9’ kennen we niet" in alert.inner_text()
    page.screenshot(path=str(output_dir / "web-fout.png"))

    resp = page.goto(server.url + "/interventie/bestaat-niet")
    assert resp.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Deze pagina bestaat niet"
    page.screenshot(path=str(output_dir / "web-404.png"))


def test_small_screen(browser, server, output_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server.url + "/?q=" + "kinderen+in+armoede+doen+niet+mee+aan+sport")
    assert page.locator("article.card").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    brand, nav = page.locator(".brand__name").bounding_box(), page.locator(".site-nav").bounding_box()
    size = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.brand__name')).fontSize)"))
    assert brand["height"] < 2 * size  # the brand stays on one line ...
    assert nav["y"] >= brand["y"] + brand["height"] - 1 and nav["y"] > 4  # ... and the menu sits below it
    page.screenshot(path=str(output_dir / "web-mobile.png"))
    context.close()


@pytest.mark.parametrize("width", [1000, 800, 700])
def test_the_header_menu_never_breaks_inside_an_item(browser, server, width):
    """Between the phone and the wide layout: each menu item stays on one line, and the menu is
    either beside the brand or wholly below it, never stacked against the top edge."""
    context = browser.new_context(viewport={"width": width, "height": 600})
    page = context.new_page()
    page.goto(server.url + "/vergelijk")
    brand = page.locator(".brand__name").bounding_box()
    size = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-nav a')).fontSize)"))
    items = [page.locator(".site-nav a").nth(i).bounding_box() for i in range(page.locator(".site-nav a").count())]
    assert all(box["height"] < 2 * size for box in items), items
    beside = all(abs((box["y"] + box["height"] / 2) - (brand["y"] + brand["height"] / 2)) < size for box in items)
    below = all(box["y"] >= brand["y"] + brand["height"] - 1 for box in items)
    assert beside or below, (brand, items)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_script_in_a_name_is_shown_as_text(page, private_server, output_dir):
    srv = private_server(GKA_API_KEY=TEST_API_KEY)
    rec = {
        "id": "cat-xss-voorleesproject",
        "naam": f"{SCRIPT} Voorleesproject Xsstest",
        "korte_omschrijving": 'Vrijwilligers lezen voor aan peuters thuis. <img src=x onerror="alert(2)">',
        "doel": "Taalachterstand bij peuters verkleinen door thuis voor te lezen.",
        "doelgroep": ["0-4 jaar", "ouders"], "leeftijd_van": 2, "leeftijd_tot": 4,
        "themas": ["taal en lezen"], "setting": ["thuis"], "erkenningsniveau": "onbekend",
        "website": "javascript:alert(3)", "bron": "test <script>alert(4)</script>", "illustratief": True,
    }
    resp = httpx.post(srv.url + "/interventions", json=rec, headers={"X-API-Key": TEST_API_KEY}, timeout=120)
    assert resp.status_code == 201, resp.text

    page.goto(srv.url + "/")
    page.locator("#q").fill("Voorleesproject Xsstest: voorlezen aan peuters thuis")
    page.locator("#q").press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    card = page.locator(f'article.card[data-id="{rec["id"]}"]')
    assert card.count() == 1
    assert card.locator(".card__title").inner_text() == rec["naam"]
    assert "<img" in card.locator(".card__summary").inner_text()
    assert card.locator("img").count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    page.screenshot(path=str(output_dir / "web-xss-search.png"))

    card.get_by_role("link", name=re.compile("Alle details")).click()
    page.wait_for_url(re.compile(rec["id"]))
    assert page.get_by_role("heading", level=1).inner_text() == rec["naam"]
    assert page.locator("main script, main img").count() == 0
    assert page.get_by_role("note").inner_text().startswith("Illustratief.")
    page.screenshot(path=str(output_dir / "web-xss-interventie.png"))
    assert page.dialogs == []
