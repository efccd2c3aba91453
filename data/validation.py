"""Turn raw rows into validated records, collecting every problem instead of stopping at the first.

A user fixing an import file wants the complete list (file, row, field, what to fix) in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import explain, field_path
from .models import Agenda, CatalogueIntervention

Kind = Literal["interventions", "agendas"]
M = TypeVar("M", bound=BaseModel)

MODEL_FOR_KIND: dict[str, type[BaseModel]] = {
    "interventions": CatalogueIntervention,
    "agendas": Agenda,
}


@dataclass(frozen=True)
class Issue:
    """One problem in one input row; ``row`` counts from 1 (the first data row or line)."""

    source: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}, rij {self.row}"
        return f"{where}, veld '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


def _explain(error: dict[str, Any]) -> tuple[str, str]:
    return field_path(error.get("loc", ())), explain(error)


def validate_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], model: type[M], source: str
) -> tuple[list[tuple[int, M]], list[Issue]]:
    """Validate ``(row_number, raw_dict)`` pairs; returns the good records and all issues."""
    good: list[tuple[int, M]] = []
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for row_no, raw in rows:
        try:
            record = model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                field, message = _explain(err)
                issues.append(Issue(source, row_no, field, message))
            continue
        record_id = getattr(record, "id", None)
        if record_id in seen:
            issues.append(
                Issue(source, row_no, "id", f"dubbele id '{record_id}' (ook in rij {seen[record_id]})")
            )
            continue
        if record_id is not None:
            seen[record_id] = row_no
        good.append((row_no, record))
    return good, issues


def check_catalogue_links(
    agendas: Iterable[tuple[int, Agenda]], known_catalogue_ids: set[str], source: str
) -> list[Issue]:
    """Every ``catalogus_id`` must name an existing catalogue intervention."""
    issues = []
    for row_no, agenda in agendas:
        for n, item in enumerate(agenda.interventies):
            if item.catalogus_id and item.catalogus_id not in known_catalogue_ids:
                issues.append(
                    Issue(
                        source,
                        row_no,
                        f"interventies.{n}.catalogus_id",
                        f"'{item.catalogus_id}' is geen id van een catalogus-interventie; "
                        "importeer die interventie eerst of laat het veld leeg",
                    )
                )
    return issues
