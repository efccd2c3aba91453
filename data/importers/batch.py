"""What reading one import file yields: valid records, located issues, and file-level errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pydantic import BaseModel

from ..models import Agenda, CatalogueIntervention
from ..validation import Issue, Kind, check_catalogue_links

class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says what to change."""


@dataclass(frozen=True)
class SectionIssue(Issue):
    """An issue in a DOCX agenda: names the section instead of a row."""

    section: str = ""

    def __str__(self) -> str:
        where = f"{self.source}, onderdeel '{self.section}'"
        return f"{where}, veld '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


def unchanged_issue(issue: Issue) -> Issue:
    """The default locator: the issue already names the file's row and field."""
    return issue


@dataclass
class ImportBatch:
    """What one file holds: valid records (with their row), every issue, and the record count."""

    source: str
    kind: Kind
    fmt: str
    total: int
    records: list[tuple[int, BaseModel]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    locate: Callable[[Issue], Issue] = unchanged_issue  # maps a model-level issue to the file's row/column

    @property
    def interventions(self) -> list[CatalogueIntervention]:
        return [r for _, r in self.records if isinstance(r, CatalogueIntervention)]

    @property
    def agendas(self) -> list[Agenda]:
        return [r for _, r in self.records if isinstance(r, Agenda)]

    @property
    def invalid(self) -> int:
        """How many records of the file are invalid (and would be skipped)."""
        return self.total - len(self.records)

    def check_links(self, known_catalogue_ids: set[str]) -> None:
        """Agendas: every ``catalogus_id`` must name a known catalogue intervention.

        Records with a bad link move from ``records`` to ``issues``.
        """
        agendas = [(row, rec) for row, rec in self.records if isinstance(rec, Agenda)]
        raw = check_catalogue_links(agendas, known_catalogue_ids, self.source)  # type: ignore[arg-type]
        if not raw:
            return
        bad_rows = {i.row for i in raw}
        self.records = [(row, rec) for row, rec in self.records if row not in bad_rows]
        self.issues.extend(self.locate(i) for i in raw)

__all__ = ["ImportBatch", "ImportFileError", "SectionIssue", "unchanged_issue"]
