"""Property-based: whatever a row holds — lone surrogates, control characters, huge numbers,
wrong types — reading a file gives valid records or issues that name row and field, and never
an unexpected exception. Written as JSONL (escapes reach the parser as such) and as CSV."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gka_match.data.importers import ImportFileError, read_records

pytestmark = pytest.mark.fast

VALID = {"naam": "Voorlezen thuis", "korte_omschrijving": "Vrijwilligers lezen voor.", "doel": "Taal.",
         "doelgroep": ["4-12 jaar"], "themas": ["taal en lezen"], "setting": ["thuis"],
         "bron": "https://example.org", "illustratief": False}
WEIRD = st.one_of(
    st.text(), st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Co"]), max_size=5),
    st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.lists(st.text(max_size=10), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
FIELDS = st.sampled_from([*VALID, "leeftijd_van", "leeftijd_tot", "erkenningsniveau", "website", "id", "onbekend"])


def read(path: Path):
    try:
        return read_records(path, "interventions")
    except ImportFileError as exc:  # a whole-file problem, said in words
        assert str(exc)
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(FIELDS, WEIRD, min_size=1, max_size=4))
def test_any_jsonl_row_is_a_record_or_named_issues(changes):
    row = {**VALID, **changes}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.jsonl"
        # json.dumps escapes lone surrogates ("\ud800"), as a client's JSON would carry them
        path.write_text(json.dumps(VALID) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
        batch = read(path)
    if batch is None:
        return
    assert len(batch.records) + len({i.row for i in batch.issues}) >= 1
    assert [r for r, _ in batch.records][:1] == [1]  # the valid first row is always kept
    for issue in batch.issues:
        assert issue.row == 2 and issue.message and "Traceback" not in issue.message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(st.sampled_from(list(VALID)), st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30), min_size=1, max_size=4))
def test_any_csv_row_is_a_record_or_named_issues(cells):
    row = {k: (";".join(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else v)
           for k, v in VALID.items()}
    row.update(cells)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(VALID))
            writer.writeheader()
            writer.writerow(row)
        batch = read(path)
    if batch is None:
        return
    assert len(batch.records) == 1 or batch.issues
    for issue in batch.issues:
        assert issue.row == 1 and issue.field and issue.message


def test_control_characters_are_refused_by_name(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({**VALID, "doel": "Taal\x00."}) + "\n", encoding="utf-8")
    batch = read_records(path, "interventions")
    assert not batch.records
    assert [(i.row, i.field) for i in batch.issues] == [(1, "doel")]
    assert "U+0000" in batch.issues[0].message
