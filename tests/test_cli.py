"""The command-line interface that outside scripts rely on (../shared/README.md)."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import ROOT, data_env

QUERY = "Veel kinderen in onze wijk beginnen groep 3 met een taalachterstand"


def gka(args: list[str], data_dir, model_dir, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / ".venv/bin/gka-match"), *args], env=data_env(data_dir, model_dir, **env),
                          capture_output=True, text=True, timeout=600)


def test_search_json_contract(seeded_dir, model_dir):
    out = gka(["search", QUERY, "--k", "7", "--json"], seeded_dir, model_dir)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert len(hits) == 7
    for h in hits:
        assert {"id", "name", "kind", "gemeente", "score"} <= h.keys()
        assert h["kind"] in ("catalogue", "agenda")
        assert (h["gemeente"] is None) == (h["kind"] == "catalogue")
        assert h["reason"]["points"] and h["match"] in ("sterk", "redelijk", "zwak")
    assert [h["rank"] for h in hits] == list(range(1, 8))
    assert len({h["id"] for h in hits}) == 7


def test_nothing_fits_gives_an_empty_array_and_a_dutch_sentence(seeded_dir, model_dir):
    out = gka(["search", "asdfghjkl qwerty", "--json"], seeded_dir, model_dir)
    assert out.returncode == 0 and json.loads(out.stdout) == []
    out = gka(["search", "Wat is het weer morgen in Utrecht?"], seeded_dir, model_dir)
    assert "Geen goede match" in out.stdout


def test_batch_queries_with_mode_and_filters(seeded_dir, model_dir, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"q": QUERY}) + "\n" + json.dumps({"q": "kinderen bewegen te weinig", "extra": 1}) + "\n",
        encoding="utf-8",
    )
    out = gka(["search", "--queries", str(queries), "--k", "3", "--mode", "lexical", "--json",
               "--kind", "catalogue"], seeded_dir, model_dir)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["q"] for line in lines] == [QUERY, "kinderen bewegen te weinig"]
    assert all(len(line["results"]) <= 3 for line in lines) and lines[0]["results"]
    assert all(r["kind"] == "catalogue" and r["gemeente"] is None for line in lines for r in line["results"])


def test_human_output_is_dutch_with_reasons(seeded_dir, model_dir):
    out = gka(["search", "thuiszitters terug naar school", "--k", "3", "--kind", "agenda"], seeded_dir, model_dir)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Resultaten voor:")
    assert "    - " in out.stdout and " — " in out.stdout  # reasons as points; gemeente shown for agenda items
    assert "match" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", QUERY, "--k", "0"], "k: moet minstens 1 zijn"),
        (["search", QUERY, "--doelgroep", "groep 12"], "doelgroep:"),
        (["search", QUERY, "--gemeente", "Atlantis"], "gemeente: geen GKA-agenda van Atlantis"),
        (["search", "--queries", "/nonexistent.jsonl"], "bestaat niet"),
        (["search"], "geef een VRAAG"),
    ],
)
def test_bad_input_exits_2_with_a_message(seeded_dir, model_dir, args, message):
    out = gka(args, seeded_dir, model_dir)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_bad_queries_file_names_the_line(seeded_dir, model_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "goed"}\n{"vraag": "fout"}\n', encoding="utf-8")
    out = gka(["search", "--queries", str(bad), "--json"], seeded_dir, model_dir)
    assert out.returncode == 2 and "regel 2" in out.stderr and "Value error" not in out.stderr


def test_every_bad_line_of_a_queries_file_is_reported(seeded_dir, model_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "goed"}\n{"vraag": "fout"}\nniet-json\n', encoding="utf-8")
    out = gka(["search", "--queries", str(bad), "--json"], seeded_dir, model_dir)
    assert out.returncode == 2 and "regel 2" in out.stderr and "regel 3" in out.stderr


def test_eval_prints_all_metrics_per_mode(seeded_dir, model_dir):
    out = gka(["eval", "--json"], seeded_dir, model_dir)
    assert out.returncode == 0, out.stderr
    reports = json.loads(out.stdout)
    assert set(reports) == {"bundled (dev)", "foreign"}
    report = reports["bundled (dev)"]
    assert report["n_queries"] >= 60 and report["n_offtopic"] >= 50
    for mode in ("hybrid", "dense", "lexical"):
        overall = report["modes"][mode]["overall"]
        assert {"ndcg@10", "recall@10", "mrr", "hit@5", "distinct@5", "relevant@5", "offtopic_silent",
                "lost_all_relevant"} == set(overall)
    for name, rep in reports.items():
        hybrid = rep["modes"]["hybrid"]["overall"]
        # hybrid beats each single mode on both corpora; nonsense is answered with "geen goede match"
        assert hybrid["ndcg@10"] > rep["modes"]["dense"]["overall"]["ndcg@10"], name
        assert hybrid["ndcg@10"] > rep["modes"]["lexical"]["overall"]["ndcg@10"], name
        assert hybrid["hit@5"] >= 0.90 and hybrid["distinct@5"] == 5.0, name
        assert hybrid["offtopic_silent"] >= 0.95, name
    # the floor was calibrated so that at most 3 % of the dev queries lose every relevant option
    assert reports["bundled (dev)"]["modes"]["hybrid"]["overall"]["lost_all_relevant"] <= 0.03
    assert reports["foreign"]["modes"]["hybrid"]["overall"]["lost_all_relevant"] <= 0.06
    assert reports["bundled (dev)"]["modes"]["hybrid"]["overall"]["ndcg@10"] >= 0.50
