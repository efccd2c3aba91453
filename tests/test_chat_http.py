"""The chat over real HTTP: ``POST /chat`` flows, expiry, bad input, and the OpenAI-compatible
``/v1`` endpoints driven by the real ``openai`` client against the live server."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest

from gka_match.data.vocab import DOELGROEP_LEEFTIJD, erkenning_rank
from gka_match.index.filters import parse_doelgroep

CHALLENGE = "Wij zien veel taalachterstand bij peuters in Zuidoost"
NUMBERED = re.compile(r"^1\. .+\n2\. ", re.MULTILINE)


def chat(server, message: str, conversation_id: str | None = None) -> dict:
    body = {"message": message} if conversation_id is None else {"message": message, "conversation_id": conversation_id}
    r = httpx.post(server.url + "/chat", json=body, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def ages(hit: dict) -> tuple[int, int]:
    """The ages a result reaches, as the engine's filter sees them."""
    if hit["leeftijd_van"] is not None or hit["leeftijd_tot"] is not None:
        return (hit["leeftijd_van"] if hit["leeftijd_van"] is not None else 0,
                hit["leeftijd_tot"] if hit["leeftijd_tot"] is not None else 30)
    spans = [DOELGROEP_LEEFTIJD[d] for d in hit["doelgroep"] if d in DOELGROEP_LEEFTIJD]
    assert spans, hit["id"]
    return min(s[0] for s in spans), max(s[1] for s in spans)


def overlaps(hit: dict, span: tuple[int, int]) -> bool:
    lo, hi = ages(hit)
    return lo <= span[1] and span[0] <= hi


LABEL = {"sterk": "sterke match", "redelijk": "redelijke match", "zwak": "zwakke match"}


def ids(reply: dict) -> list[str]:
    return [h["id"] for h in reply["results"]]


# ---- /chat --------------------------------------------------------------------------------------
def test_three_turns_narrow_by_groep_then_provincie(server):
    first = chat(server, CHALLENGE)
    cid = first["conversation_id"]
    assert first["intent"] == "challenge" and first["new_conversation"]
    assert 1 <= len(first["results"]) <= 5 and NUMBERED.search(first["answer"])
    assert all(v in ([], None) for v in first["filters"].values())
    for i, hit in enumerate(first["results"], start=1):  # the numbered list names every result
        mark = " [illustratief]" if hit["illustratief"] else ""
        assert f"{i}. {hit['name']}{mark} (" in first["answer"] and hit["reason"]["sentence"] in first["answer"]

    groep = chat(server, "voor groep 1-2", cid)
    assert groep["conversation_id"] == cid and groep["intent"] == "refine"
    assert groep["filters"]["doelgroep"] == ["groep 1-2"]
    span = parse_doelgroep("groep 1-2")[1]
    assert groep["results"] and all(overlaps(h, span) for h in groep["results"])

    limburg = chat(server, "en in Limburg?", cid)
    assert limburg["filters"]["provincie"] == ["Limburg"] and limburg["filters"]["doelgroep"] == ["groep 1-2"]
    assert limburg["results"]
    assert all(h["provincie"] == "Limburg" and overlaps(h, span) for h in limburg["results"])
    assert ids(limburg) != ids(groep)
    assert "Filters: doelgroep groep 1-2; provincie Limburg." in limburg["answer"]


def test_three_turns_narrow_by_peuters_then_effectief(server):
    cid = chat(server, CHALLENGE)["conversation_id"]
    peuters = chat(server, "alleen voor peuters", cid)
    span = parse_doelgroep(peuters["filters"]["doelgroep"][0])[1]
    assert peuters["results"] and all(overlaps(h, span) for h in peuters["results"])

    proven = chat(server, "alleen bewezen effectief", cid)
    assert proven["filters"]["min_erkenning"] == "effectief volgens eerste aanwijzingen"
    assert proven["results"] and ids(proven) != ids(peuters)
    floor = erkenning_rank("effectief volgens eerste aanwijzingen")
    assert all(erkenning_rank(h["erkenningsniveau"]) >= floor and overlaps(h, span) for h in proven["results"])
    for i, hit in enumerate(proven["results"], start=1):
        mark = " [illustratief]" if hit["illustratief"] else ""
        assert f"{i}. {hit['name']}{mark} ({hit['gemeente'] or 'programma'}; {LABEL[hit['match']]})" in proven["answer"]
        assert f"Erkend: {hit['erkenningsniveau']}" in proven["answer"]

    cleared = chat(server, "zonder filters", cid)
    assert cleared["intent"] == "reset" and all(v in ([], None) for v in cleared["filters"].values())
    new = chat(server, "Wij hebben veel thuiszitters in het voortgezet onderwijs", cid)
    assert new["intent"] == "challenge" and new["challenge"].startswith("Wij hebben veel thuiszitters")
    assert any("schoolverzuim en thuiszitters" in h["themas"] for h in new["results"])


def test_tell_me_more_about_the_second(server):
    first = chat(server, CHALLENGE)
    detail = chat(server, "vertel meer over de tweede", first["conversation_id"])
    second = first["results"][1]
    assert detail["intent"] == "detail" and detail["detail"]["id"] == second["id"]
    assert detail["results"] == first["results"]  # the list stays, so "de derde" still works
    answer = detail["answer"]
    assert answer.startswith(f"2. {second['name']}")
    for label in ("Omschrijving:", "Doel:", "Doelgroep:", f"Erkenning: {second['erkenningsniveau']}",
                  "Gemeenten die dit doen:"):
        assert label in answer
    if second["gemeente"]:
        assert second["gemeente"] in answer

    # A programme by name, also one that is not in the list.
    by_name = chat(server, "vertel meer over Rots en Water", first["conversation_id"])
    assert by_name["intent"] == "detail" and by_name["detail"]["name"] == "Rots en Water"
    record = httpx.get(server.url + "/interventions/" + by_name["detail"]["id"]).json()
    runners = sorted({g["gemeente"] for g in record["gemeenten"]})
    assert "Gemeenten die dit doen:" in by_name["answer"] and all(g in by_name["answer"] for g in runners)
    assert record["doel"] in by_name["answer"]


def test_which_municipalities_already_do_this(server):
    first = chat(server, "Wij willen een gezonde lunch en elke dag extra bewegen op de basisscholen in onze regio")
    reply = chat(server, "welke gemeenten doen dit al?", first["conversation_id"])
    assert reply["intent"] == "runners" and reply["results"] == first["results"]
    assert [g["id"] for g in reply["gemeenten"]] == ids(first)
    lines = reply["answer"].splitlines()
    for i, (hit, group) in enumerate(zip(first["results"], reply["gemeenten"]), start=1):
        line = next(x for x in lines if x.startswith(f"{i}. {hit['name']}"))
        names = {r["gemeente"] for r in group["gemeenten"]}
        if hit["kind"] == "agenda":
            assert hit["gemeente"] in names and hit["gemeente"] in line
        else:
            assert names == {r["gemeente"] for r in hit["gemeenten"]}
        assert all(n in line for n in names)
    assert any(g["gemeenten"] for g in reply["gemeenten"])


def test_unknown_conversation_id_starts_a_new_one_and_says_so(server):
    reply = chat(server, "alleen voor peuters", "no-such-conversation")
    assert reply["conversation_id"] != "no-such-conversation" and reply["new_conversation"]
    assert "verlopen of onbekend" in reply["answer"] and reply["conversation_id"] in reply["answer"]
    # A new conversation has no challenge: "alleen voor peuters" is then the challenge itself.
    assert reply["intent"] == "challenge" and reply["results"]


@pytest.mark.slow
def test_conversations_expire_after_the_configured_ttl(private_server):
    srv = private_server(GKA_CHAT_TTL_SECONDS="1")
    cid = chat(srv, CHALLENGE)["conversation_id"]
    assert chat(srv, "alleen bewezen effectief", cid)["conversation_id"] == cid
    time.sleep(2.5)
    after = chat(srv, "alleen bewezen effectief", cid)
    assert after["conversation_id"] != cid and after["new_conversation"]
    assert "verlopen" in after["answer"] and after["intent"] == "filters" and after["results"] == []


def test_parallel_conversations_stay_apart(server):
    def run(i: int) -> tuple[str, list]:
        cid = chat(server, CHALLENGE)["conversation_id"]
        reply = chat(server, "en in Limburg?" if i % 2 else "alleen programma's", cid)
        return cid, reply

    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(run, range(6)))
    assert len({cid for cid, _ in replies}) == 6
    for i, (_, reply) in enumerate(replies):
        if i % 2:
            assert all(h["provincie"] == "Limburg" for h in reply["results"])
        else:
            assert all(h["kind"] == "catalogue" for h in reply["results"])


@pytest.mark.parametrize("body, fragment", [
    ({"message": ""}, "leeg"),
    ({"message": "   \n "}, "leeg"),
    ({"message": "x" * 2001}, "het maximum is 2000"),
    ({"message": 42}, "message"),
    ({"message": None}, "message"),
    ({}, "message: ontbreekt"),
    ({"message": "hallo", "conversation_id": 7}, "conversation_id"),
    ({"message": "hallo", "conversation_id": "x" * 201}, "conversation_id"),
    ({"message": "hallo", "extra": 1}, "extra"),
    (["hallo"], "object"),  # a JSON array is not a JSON object
])
def test_bad_chat_input_is_a_clear_422(server, body, fragment):
    r = httpx.post(server.url + "/chat", json=body, timeout=30)
    assert r.status_code == 422, r.text
    assert fragment in r.json()["detail"]


def test_chat_body_that_is_not_json_is_4xx(server):
    r = httpx.post(server.url + "/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "geen geldige JSON" in r.json()["detail"]
    r = httpx.post(server.url + "/chat", content=b"message=hallo", headers={"content-type": "text/plain"})
    assert 400 <= r.status_code < 500


def test_chat_routes_are_documented(server):
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    assert "/chat" in paths and "/v1/chat/completions" in paths and "/v1/models" in paths
    schema = paths["/v1/chat/completions"]["post"]["responses"]["200"]["content"]
    assert "application/json" in schema and "text/event-stream" in schema


# ---- /v1 with the real openai client ------------------------------------------------------------
@pytest.fixture
def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0, timeout=120)


def test_openai_models(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["gka-match"]
    assert client.models.retrieve("gka-match").id == "gka-match"
    with pytest.raises(openai.NotFoundError) as err:
        client.models.retrieve("gpt-4o")
    assert "gka-match" in err.value.message


def test_openai_non_stream(client, server):
    completion = client.chat.completions.create(
        model="gka-match", messages=[{"role": "system", "content": "Je bent behulpzaam."},
                                     {"role": "user", "content": CHALLENGE}],
    )
    assert completion.object == "chat.completion" and completion.model == "gka-match"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert NUMBERED.search(choice.message.content)
    assert completion.usage.completion_tokens == len(choice.message.content.split())
    # The same chat as POST /chat.
    assert choice.message.content == chat(server, CHALLENGE)["answer"]


def test_openai_stream(client):
    stream = client.chat.completions.create(
        model="gka-match", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": CHALLENGE}],
    )
    chunks = list(stream)
    content_chunks = [c for c in chunks if c.choices]
    assert content_chunks[0].choices[0].delta.role == "assistant"
    assert content_chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in content_chunks[:-1])
    assert len({c.id for c in chunks}) == 1 and all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in content_chunks)
    assert len(content_chunks) > 3 and NUMBERED.search(text)
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == len(text.split())
    non_stream = client.chat.completions.create(model="gka-match", messages=[{"role": "user", "content": CHALLENGE}])
    assert text == non_stream.choices[0].message.content


def test_openai_stream_wire_format(server):
    body = {"model": "gka-match", "stream": True, "messages": [{"role": "user", "content": CHALLENGE}]}
    with httpx.stream("POST", server.url + "/v1/chat/completions", json=body, timeout=120) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        raw = r.read().decode()
    events = raw.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    assert all(e.startswith("data: {") for e in events[:-2])


def test_openai_conversation_is_the_messages_array(client, server):
    turns = [CHALLENGE, "voor groep 1-2", "en in Limburg?"]
    messages, answers = [], []
    for turn in turns:
        messages.append({"role": "user", "content": turn})
        answer = client.chat.completions.create(model="gka-match", messages=messages).choices[0].message.content
        messages.append({"role": "assistant", "content": answer})
        answers.append(answer)
    assert "Filters: doelgroep groep 1-2; provincie Limburg." in answers[-1]
    # Deterministic: the same messages (cached prefix or fresh replay) give the same answer ...
    again = client.chat.completions.create(model="gka-match", messages=messages[:-1]).choices[0].message.content
    assert again == answers[-1]
    fresh = client.chat.completions.create(
        model="gka-match", messages=[{"role": "user", "content": t} for t in turns],  # no assistant turns
    ).choices[0].message.content
    assert fresh == answers[-1]
    # ... and the same as the stateful /chat endpoint.
    cid = None
    for turn in turns:
        reply = chat(server, turn, cid)
        cid = reply["conversation_id"]
    assert reply["answer"] == answers[-1]
    # Content as a list of parts (as some clients send it) works too.
    parts = [{"role": "user", "content": [{"type": "text", "text": t}]} for t in turns[:2]] + \
            [{"role": "user", "content": "vertel meer over de tweede"}]
    detail = client.chat.completions.create(model="gka-match", messages=parts).choices[0].message.content
    assert detail.startswith("2. ")


@pytest.mark.parametrize("body, status, fragment", [
    ({"model": "gka-match", "messages": []}, 400, "messages"),
    ({"model": "gka-match", "messages": [{"role": "system", "content": "x"}]}, 400, "role 'user'"),
    ({"model": "gka-match", "messages": "hallo"}, 400, "moet een lijst zijn"),
    ({"model": "gka-match", "messages": [{"role": "user", "content": 5}]}, 400, "content moet"),
    ({"model": "gka-match", "messages": [{"role": "robot", "content": "x"}]}, 400, "role"),
    ({"model": "gka-match", "messages": [{"content": "x"}]}, 400, "role"),
    ({"model": "gka-match", "messages": [{"role": "user", "content": "  "}]}, 400, "geen tekst"),
    ({"model": "gka-match", "messages": [{"role": "user", "content": "x" * 2001}]}, 400, "het maximum is 2000"),
    ({"model": "gka-match", "messages": [{"role": "user", "content": "hallo"}], "n": 2}, 400, "n:"),
    ({"model": "gka-match", "messages": [{"role": "user", "content": "hallo"}], "stream": "ja"}, 400, "stream"),
    ({"model": 5, "messages": [{"role": "user", "content": "hallo"}]}, 400, "model"),
    ({}, 400, "messages: ontbreekt"),
    ([1, 2], 400, "object"),
])
def test_openai_bad_input_is_400_in_openai_shape(server, body, status, fragment):
    r = httpx.post(server.url + "/v1/chat/completions", json=body, timeout=30)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and fragment in error["message"]


def test_openai_client_sees_bad_requests_as_errors(client, server):
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="gka-match", messages=[{"role": "assistant", "content": "hoi"}])
    assert "role 'user'" in err.value.message
    r = httpx.post(server.url + "/v1/chat/completions", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "geen geldige JSON" in r.json()["error"]["message"]
