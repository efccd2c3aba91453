"""The analysis endpoints over real HTTP against the shared live server (bundled data)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow

# The first analysis request embeds every agenda's challenge text in the server process.
TIMEOUT = httpx.Timeout(600.0)


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        yield client


def test_similar_by_id_and_by_name(http):
    r = http.get("/agendas/agenda-sittard-geleen/similar", params={"k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["agenda"] == {"agenda_id": "agenda-sittard-geleen", "gemeente": "Sittard-Geleen", "provincie": "Limburg"}
    assert abs(sum(body["weights"].values()) - 1) < 1e-9
    results = body["results"]
    assert [x["rank"] for x in results] == [1, 2, 3]
    assert results[0]["gemeente"] == "Maastricht"
    for x in results:
        assert isinstance(x["score"], float) and x["reason"].endswith(".")
        assert set(x["components"]) == {"uitdaging", "interventies", "themas", "doelgroepen"}
        assert isinstance(x["illustratief"], bool) and isinstance(x["illustratieve_interventies"], int)
    maastricht = results[0]
    assert "gezondheid en bewegen" in maastricht["shared_themas"] and maastricht["shared_interventions"]
    by_name = http.get("/agendas/sittard-geleen/similar", params={"k": 3}).json()
    assert [x["gemeente"] for x in by_name["results"]] == [x["gemeente"] for x in results]
    assert len(http.get("/agendas/Venray/similar").json()["results"]) == 5  # default k


def test_compare(http):
    r = http.get("/agendas/compare", params={"a": "Heerlen", "b": "agenda-maastricht"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["a"]["gemeente"] == "Heerlen" and body["b"]["gemeente"] == "Maastricht"
    assert "gezondheid en bewegen" in body["themas"]["shared"]
    assert 0 < body["themas"]["jaccard"] <= 1
    heerlen = http.get("/agendas/agenda-heerlen").json()["interventies"]
    ids_a = {x["a"]["id"] for x in body["shared"]} | {x["id"] for x in body["only_in_a"]}
    assert ids_a == {i["id"] for i in heerlen}  # every Heerlen intervention is either shared or only in a
    assert all(x["agenda_id"] == "agenda-maastricht" for x in body["only_in_b"])
    assert all("illustratief" in x for x in body["only_in_a"] + body["only_in_b"])


def test_gaps(http):
    r = http.get("/agendas/agenda-venray/gaps", params={"k": 4, "peers": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["peers"]) == 5 and body["agenda"]["gemeente"] == "Venray"
    assert 0 < len(body["gaps"]) <= 4
    peer_names = {p["gemeente"] for p in body["peers"]}
    for gap in body["gaps"]:
        assert gap["peers"] and {p["gemeente"] for p in gap["peers"]} <= peer_names
        assert gap["erkenningsniveau"] and 0 < gap["score"] <= 1
    assert [g["score"] for g in body["gaps"]] == sorted((g["score"] for g in body["gaps"]), reverse=True)


def test_clusters(http):
    r = http.get("/agendas/clusters")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["n_clusters"] == len(body["clusters"]) >= 2
    n_agendas = len(http.get("/agendas", params={"limit": 1000}).json()["items"])
    assert 0 < len(body["agendas"]) == sum(c["size"] for c in body["clusters"]) <= n_agendas
    assert all(isinstance(a["x"], float) and isinstance(a["y"], float) for a in body["agendas"])
    assert all(c["label"] and (c["terms"] or c["themas"]) for c in body["clusters"])
    fixed = http.get("/agendas/clusters", params={"n": 3}).json()
    assert fixed["n_clusters"] == 3


def test_fixed_paths_win_over_agenda_id(http):
    # /agendas/compare and /agendas/clusters are ours, not "the agenda with id 'compare'"
    r = http.get("/agendas/compare")
    assert r.status_code == 422 and "a" in r.json()["detail"]
    assert "clusters" in http.get("/agendas/clusters").json()
    # ... and the agenda itself is still served by the main API
    r = http.get("/agendas/agenda-venray")
    assert r.status_code == 200 and r.json()["gemeente"] == "Venray"
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/agendas/compare", "/agendas/clusters", "/agendas/{agenda_id}/similar",
            "/agendas/{agenda_id}/gaps"} <= set(paths)


@pytest.mark.parametrize("url, params, needle", [
    ("/agendas/nergenshuizen/similar", {}, "nergenshuizen"),
    ("/agendas/Venrai/gaps", {}, "Venray"),
    ("/agendas/compare", {"a": "Schiedam", "b": "Sitard-Geleen"}, "Sittard-Geleen"),
])
def test_unknown_agenda_is_404_with_a_clear_message(http, url, params, needle):
    r = http.get(url, params=params)
    assert r.status_code == 404
    detail = r.json()["detail"]
    assert "geen agenda" in detail and needle in detail


@pytest.mark.parametrize("url", [
    "/agendas/Venray/similar?k=0", "/agendas/Venray/similar?k=101", "/agendas/Venray/similar?k=vijf",
    "/agendas/Venray/gaps?k=-1", "/agendas/Venray/gaps?peers=0", "/agendas/clusters?n=0",
    "/agendas/compare?a=Venray",
])
def test_bad_parameters_are_422(http, url):
    r = http.get(url)
    assert r.status_code == 422
    assert r.json()["detail"]
