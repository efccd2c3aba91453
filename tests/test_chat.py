"""The Dutch chat: the turn parser, the session over a real Engine, and the ChatManager.

The session tests run the real ``Engine`` (filters, runners, reasons) over the bundled data with
a small word-hashing embedder instead of the e5 model, so they take seconds; the full flows with
the real model run over HTTP in ``test_chat_http.py``.
"""

from __future__ import annotations

import shutil
import threading

import pytest

from gka_match.config import load_settings
from gka_match.data.store import Store
from gka_match.data.vocab import erkenning_rank
from gka_match.runtime import open_embedder
from gka_match.index.engine import Engine
from gka_match.index.filters import Filters
from gka_match.index.scoring import Ranker
from gka_match.index.search import Searcher
from gka_match.index.chat_filters import DEFAULT_EFFECTIEF, recognise_filters
from gka_match.index.chat_turns import parse_turn
from gka_match.service.chat import ChatIndex, ChatSession
from gka_match.service.chat_sessions import ChatManager
from gka_match.service.chat_text import describe_filters

GEMEENTEN = ["Venray", "Groningen", "Utrecht", "Den Haag", "'s-Hertogenbosch", "Sittard-Geleen", "Maastricht"]
NAMES = ["Kaleidoscoop in de voorschool", "VoorleesExpress Schiedam", "Uk & Puk in de Pekelder peutergroepen"]
CHALLENGE = "Wij zien veel taalachterstand bij peuters in Zuidoost"


# ---- the parser -------------------------------------------------------------------------------
@pytest.mark.parametrize("message, updates", [
    ("alleen voor peuters", {"doelgroep": ["2-3 jaar"]}),
    ("voor groep 1-2", {"doelgroep": ["groep 1-2"]}),
    ("groep 7 en 8", {"doelgroep": ["groep 7-8"]}),
    ("12-18 jaar", {"doelgroep": ["12-18 jaar"]}),
    ("voor ouders", {"doelgroep": ["ouders"]}),
    ("voor leerkrachten", {"doelgroep": ["leerkrachten/professionals"]}),
    ("alle leeftijden", {"doelgroep": []}),
    ("alleen bewezen effectief", {"min_erkenning": DEFAULT_EFFECTIEF}),
    ("alleen erkende", {"min_erkenning": DEFAULT_EFFECTIEF}),
    ("alleen goed onderbouwde", {"min_erkenning": "goed onderbouwd"}),
    ("effectief volgens sterke aanwijzingen", {"min_erkenning": "effectief volgens sterke aanwijzingen"}),
    ("alleen goede aanwijzingen", {"min_erkenning": "effectief volgens goede aanwijzingen"}),
    ("ook niet-erkende", {"min_erkenning": None}),
    ("en in Limburg?", {"provincie": ["Limburg"], "gemeente": []}),
    ("en in Brabant", {"provincie": ["Noord-Brabant"], "gemeente": []}),
    ("in Groningen", {"provincie": ["Groningen"], "gemeente": []}),
    ("gemeente Groningen", {"gemeente": ["Groningen"], "provincie": []}),
    ("en in Venray?", {"gemeente": ["Venray"], "provincie": []}),
    ("en in Den Bosch?", {"gemeente": ["'s-Hertogenbosch"], "provincie": []}),
    ("overal", {"provincie": [], "gemeente": []}),
    ("alleen programma's", {"kind": "catalogue"}),
    ("alleen gemeenten", {"kind": "agenda"}),
    ("programma's en gemeenten", {"kind": None}),
    ("en pesten?", {"thema": ["sociaal-emotioneel en gedrag"]}),
    ("ouderbetrokkenheid", {"thema": ["ouderbetrokkenheid"]}),
    ("alleen thuiszitters", {"thema": ["schoolverzuim en thuiszitters"]}),
    ("alleen bewezen effectief voor groep 1-2 in Limburg",
     {"provincie": ["Limburg"], "gemeente": [], "min_erkenning": DEFAULT_EFFECTIEF, "doelgroep": ["groep 1-2"]}),
])
def test_short_filter_turns_refine(message, updates):
    turn = parse_turn(message, GEMEENTEN, NAMES, has_challenge=True)
    assert (turn.intent, turn.updates) == ("refine", updates)
    Filters(**{k: v for k, v in updates.items() if v not in (None, [])})  # every value is a valid filter


def test_two_letter_cues_are_whole_words():
    # query_terms' age cue "vo" must not fire on "voor"; "het vo" is secondary school.
    assert recognise_filters("voor groep 1-2").updates == {"doelgroep": ["groep 1-2"]}
    assert recognise_filters("voor het vo").updates == {"doelgroep": ["12-18 jaar"]}


def test_parents_are_a_doelgroep_not_a_theme_and_the_theme_name_wins():
    assert recognise_filters("voor ouders").updates == {"doelgroep": ["ouders"]}
    assert recognise_filters("ouderbetrokkenheid").updates == {"thema": ["ouderbetrokkenheid"]}


@pytest.mark.parametrize("has_challenge", [False, True])
def test_a_long_descriptive_turn_is_a_new_challenge_without_filters(has_challenge):
    for message in (CHALLENGE, "Wij hebben veel thuiszitters",
                    "welke gemeenten hebben ervaring met taalachterstand bij peuters?",
                    "Wat is de beste aanpak voor kinderen die niet naar school gaan?"):
        turn = parse_turn(message, GEMEENTEN, NAMES, has_challenge)
        assert (turn.intent, turn.updates) == ("challenge", {}), message


def test_a_challenge_keeps_only_the_filters_it_states():
    turn = parse_turn("Veel thuiszitters in het vo. Alleen bewezen effectief en alleen in Limburg.", GEMEENTEN)
    assert turn.intent == "challenge"
    assert turn.updates == {"provincie": ["Limburg"], "gemeente": [], "min_erkenning": DEFAULT_EFFECTIEF}
    # Mentioning a municipality or an age group describes the challenge; it does not filter.
    turn = parse_turn("Wij zijn gemeente Venray en zien taalachterstand bij peuters", GEMEENTEN, has_challenge=True)
    assert (turn.intent, turn.updates) == ("challenge", {})


@pytest.mark.parametrize("message, ref", [
    ("vertel meer over de tweede", 2), ("nummer 3", 3), ("de derde?", 3), ("#4", 4), ("de laatste", -1),
    ("Vertel me meer over nummer 1", 1), ("vertel meer over Kaleidoscoop", 1), ("VoorleesExpress Schiedam", 2),
    ("meer info over Uk & Puk", 3),
])
def test_detail_by_number_or_name(message, ref):
    turn = parse_turn(message, GEMEENTEN, NAMES, has_challenge=True)
    assert (turn.intent, turn.ref) == ("detail", ref)


def test_detail_by_a_name_outside_the_results_and_numbers_in_filters_are_no_references():
    turn = parse_turn("vertel meer over Rots en Water", GEMEENTEN, NAMES, has_challenge=True)
    assert (turn.intent, turn.name_query) == ("detail", "rots en water")
    assert parse_turn("alleen eerste aanwijzingen", GEMEENTEN, NAMES, True).intent == "refine"
    assert parse_turn("groep 3", GEMEENTEN, NAMES, True).intent == "refine"


def test_result_names_are_only_computed_when_needed():
    calls = []

    def names():
        calls.append(1)
        return NAMES

    parse_turn("alleen bewezen effectief voor groep 1-2", GEMEENTEN, names, has_challenge=True)
    assert not calls
    assert parse_turn("vertel meer over Kaleidoscoop", GEMEENTEN, names, has_challenge=True).ref == 1
    assert calls


def test_runners_reset_help_and_filters_before_a_challenge():
    assert parse_turn("welke gemeenten doen dit al?", GEMEENTEN, NAMES, True).intent == "runners"
    assert parse_turn("Wie doet dit al?", GEMEENTEN, NAMES, True).intent == "runners"
    reset = parse_turn("zonder filters", GEMEENTEN, NAMES, True)
    assert (reset.intent, reset.reset, reset.new_conversation) == ("reset", True, False)
    assert parse_turn("opnieuw", GEMEENTEN, NAMES, True).intent == "reset"
    again = parse_turn("opnieuw, maar alleen voor peuters", GEMEENTEN, NAMES, True)
    assert (again.intent, again.updates) == ("reset", {"doelgroep": ["2-3 jaar"]})
    assert parse_turn("nieuw gesprek", GEMEENTEN, NAMES, True).new_conversation
    for greeting in ("hallo", "Bedankt!", "help"):
        assert parse_turn(greeting, GEMEENTEN, NAMES, True).intent == "help"
    pending = parse_turn("alleen bewezen effectief", GEMEENTEN)
    assert (pending.intent, pending.updates) == ("filters", {"min_erkenning": DEFAULT_EFFECTIEF})
    # Before any challenge, target-group or theme words are the challenge itself.
    assert parse_turn("alleen voor peuters", GEMEENTEN).intent == "challenge"


def test_describe_filters_is_dutch():
    assert describe_filters(Filters()) == "geen"
    text = describe_filters(Filters(doelgroep=["groep 1-2"], provincie=["Limburg"], min_erkenning="goed onderbouwd"))
    assert text == "doelgroep groep 1-2; minimaal 'goed onderbouwd'; provincie Limburg"


# ---- the session over a real engine -----------------------------------------------------------
@pytest.fixture(scope="module")
def engine(seeded_dir, model_dir, tmp_path_factory) -> ChatIndex:
    """The search core over the real engine (real e5 model) on a private copy of the seeded data."""
    root = tmp_path_factory.mktemp("chat-engine")
    shutil.copytree(seeded_dir, root, dirs_exist_ok=True)
    settings = load_settings().model_copy(update={
        "data_dir": root, "database_url": f"sqlite:///{root / 'gka.sqlite3'}", "index_dir": root / "index",
        "model_dir": model_dir})
    index = Engine.open(settings.index_dir, Store(settings.database_url), open_embedder(settings), model_dir=settings.model_dir)
    return ChatIndex(Searcher(index, Ranker.load()))


def ages(doc) -> tuple[int, int]:
    span = doc.age_span()
    assert span is not None, doc.doc_id
    return span


def test_a_conversation_narrows_and_new_challenges_start_clean(engine):
    s = ChatSession()
    first = s.handle(CHALLENGE, engine)
    assert first.intent == "challenge" and first.filters == Filters() and 1 <= len(first.results) <= 5
    assert first.answer.splitlines()[2].startswith("1. ")
    peuters = s.handle("alleen voor peuters", engine)
    assert peuters.intent == "refine" and peuters.filters.doelgroep == ["2-3 jaar"]
    assert peuters.results and all(ages(r.lead)[0] <= 4 and ages(r.lead)[1] >= 2 for r in peuters.results)
    limburg = s.handle("en in Limburg?", engine)
    assert limburg.filters.doelgroep == ["2-3 jaar"] and limburg.filters.provincie == ["Limburg"]
    assert limburg.results and all(r.lead.provincie == "Limburg" for r in limburg.results)
    assert [r.lead.doc_id for r in limburg.results] != [r.lead.doc_id for r in peuters.results]
    assert "provincie Limburg" in limburg.answer

    fresh = s.handle("Wij hebben veel thuiszitters in het voortgezet onderwijs en zoeken een aanpak", engine)
    assert fresh.intent == "challenge" and fresh.filters == Filters()
    assert any("schoolverzuim en thuiszitters" in r.lead.themas for r in fresh.results)


def test_effectief_filter_holds_and_reset_restores(engine):
    s = ChatSession()
    base = s.handle(CHALLENGE, engine)
    proven = s.handle("alleen bewezen effectief", engine)
    assert proven.results
    assert all(erkenning_rank(r.lead.erkenningsniveau) >= erkenning_rank(DEFAULT_EFFECTIEF) for r in proven.results)
    reset = s.handle("zonder filters", engine)
    assert reset.filters == Filters()
    assert [r.lead.doc_id for r in reset.results] == [r.lead.doc_id for r in base.results]


def test_filters_stated_before_the_challenge_apply_to_it(engine):
    s = ChatSession()
    pending = s.handle("alleen programma's", engine)
    assert pending.intent == "filters" and pending.results == [] and "Beschrijf" in pending.answer
    reply = s.handle(CHALLENGE, engine)
    assert reply.filters.kind == "catalogue" and all(r.lead.kind == "catalogue" for r in reply.results)


def test_detail_and_runners(engine):
    s = ChatSession()
    results = s.handle("VoorleesExpress voorlezen thuis bij gezinnen met jonge kinderen", engine).results
    second = s.handle("vertel meer over de tweede", engine)
    assert second.intent == "detail" and second.detail is results[1]
    for label in ("Omschrijving:", "Doel:", "Doelgroep:", "Erkenning:", "Gemeenten die dit doen:"):
        assert label in second.answer
    assert second.results == results  # a question about a result keeps the list

    programme = next(i for i, r in enumerate(results, start=1) if r.lead.kind == "catalogue")
    detail = s.handle(f"nummer {programme}", engine)
    doc = detail.detail.lead
    if doc.extra.get("erkenning_databank"):
        assert doc.extra["erkenning_databank"] in detail.answer
    for runner in engine.runners(doc.record_id):
        assert runner.gemeente in detail.answer

    runners = s.handle("welke gemeenten doen dit al?", engine)
    assert runners.intent == "runners" and len(runners.runners) == len(results)
    for i, (group, result) in enumerate(zip(runners.runners, results), start=1):
        line = next(x for x in runners.answer.splitlines() if x.startswith(f"{i}. "))
        if result.lead.kind == "agenda":
            assert result.lead.gemeente in line and result.lead.gemeente in {r.gemeente for r in group.runners}
        else:
            assert {r.gemeente for r in group.runners} == {r.gemeente for r in engine.runners(result.lead.record_id)}

    out_of_range = s.handle("nummer 9", engine)
    assert out_of_range.intent == "detail" and out_of_range.detail is None
    assert "geen resultaat nummer 9" in out_of_range.answer
    by_name = s.handle("vertel meer over Rots en Water", engine)
    assert by_name.detail is not None and by_name.detail.lead.name == "Rots en Water"


def test_empty_results_say_what_to_do(engine):
    s = ChatSession()
    s.handle(CHALLENGE, engine)
    reply = s.handle("alleen programma's in Limburg", engine)  # programmes have no provincie
    assert reply.intent == "refine" and reply.results == []
    assert "zonder filters" in reply.answer
    assert s.handle("de tweede", engine).detail is None


def test_replaying_without_rendering_reaches_the_same_state(engine):
    turns = [CHALLENGE, "voor groep 1-2", "vertel meer over de tweede", "alleen bewezen effectief"]
    live, replayed = ChatSession(), ChatSession()
    for t in turns:
        live.handle(t, engine)
    for t in turns[:-1]:
        assert replayed.handle(t, engine, render=False) is None
    last = replayed.handle(turns[-1], engine)
    assert last.filters == live.filters and last.challenge == live.challenge
    assert [r.lead.doc_id for r in last.results] == [r.lead.doc_id for r in live.results]
    # A copy is independent of the original.
    copy = live.copy()
    copy.handle("en in Limburg?", engine)
    assert live.filters.provincie == [] and copy.filters.provincie == ["Limburg"]


# ---- the manager --------------------------------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_manager_expires_after_the_ttl_counted_from_the_last_turn():
    clock = FakeClock()
    manager = ChatManager(ttl_seconds=60, max_conversations=10, clock=clock)
    cid, session = manager.create()
    clock.now += 59
    assert manager.get(cid) is session  # using it renews it
    clock.now += 59
    assert manager.get(cid) is session
    clock.now += 61
    assert manager.get(cid) is None and len(manager) == 0
    new_id, new_session, renewed = manager.open(cid)
    assert renewed and new_id != cid and new_session is not session
    same_id, same_session, renewed = manager.open(new_id)
    assert (same_id, same_session, renewed) == (new_id, new_session, False)
    _, _, renewed = manager.open(None)
    assert not renewed


def test_manager_is_bounded_and_evicts_the_least_recently_used():
    manager = ChatManager(ttl_seconds=3600, max_conversations=3, clock=FakeClock())
    ids = [manager.create()[0] for _ in range(3)]
    manager.get(ids[0])  # now ids[1] is the least recently used
    newest, _ = manager.create()
    assert len(manager) == 3
    assert manager.get(ids[1]) is None
    assert all(manager.get(i) is not None for i in (ids[0], ids[2], newest))


def test_manager_is_thread_safe():
    manager = ChatManager(ttl_seconds=3600, max_conversations=50)
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(300):
                cid, _ = manager.create()
                manager.open(cid)
                assert len(manager) <= 50
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(manager) == 50
