"""The data that ships with gka-match: the intervention catalogue, the agendas and the eval set.

``python -m gka_match.data.bundled`` validates the bundled files and prints every issue; the
test suite runs the same check.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .jsonl import jsonl_lines
from .models import Agenda, CatalogueIntervention
from .validation import Issue, check_catalogue_links, validate_rows

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
EVAL_DIR = Path(__file__).resolve().parent / "eval"
CATALOGUE_FILES = sorted(BUNDLED_DIR.glob("catalogue*.jsonl"))
AGENDA_FILES = sorted(BUNDLED_DIR.glob("agendas*.jsonl"))


def _jsonl_rows(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for n, value, error in jsonl_lines(path.read_text(encoding="utf-8")):
        if error:
            raise ValueError(f"{path.name}, line {n}: not valid JSON ({error.msg})")
        rows.append((n, value))
    return rows


def load_bundled() -> tuple[list[CatalogueIntervention], list[Agenda], list[Issue]]:
    """Load and validate all bundled records; issues are returned, never silently dropped."""
    catalogue: list[CatalogueIntervention] = []
    agendas: list[tuple[int, Agenda]] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for path in CATALOGUE_FILES:
        good, bad = validate_rows(_jsonl_rows(path), CatalogueIntervention, path.name)
        issues += bad
        for row, rec in good:
            if rec.id in seen:
                issues.append(Issue(path.name, row, "id", f"duplicate id '{rec.id}' across files"))
                continue
            seen.add(rec.id)
            catalogue.append(rec)
    seen_agendas: set[str] = set()
    for path in AGENDA_FILES:
        good, bad = validate_rows(_jsonl_rows(path), Agenda, path.name)
        issues += bad + check_catalogue_links(good, seen, path.name)
        for row, rec in good:
            if rec.id in seen_agendas:
                issues.append(Issue(path.name, row, "id", f"duplicate id '{rec.id}' across files"))
                continue
            seen_agendas.add(rec.id)
            agendas.append((row, rec))
    return catalogue, [a for _, a in agendas], issues


def main() -> int:
    catalogue, agendas, issues = load_bundled()
    for issue in issues:
        print(issue)
    n_items = sum(len(a.interventies) for a in agendas)
    print(
        f"{len(catalogue)} catalogue interventions, {len(agendas)} agendas with {n_items} "
        f"interventions, {len(issues)} issues"
    )
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
