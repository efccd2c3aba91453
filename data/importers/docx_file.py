"""One filled-in GKA-agenda as a Word document, read in document order.

The labels are the template's (``data/template.py``), shared with the DOCX writer; issues name
the section of the document ("Kopgegevens", a heading, "Interventie 2 (naam)").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import MISSING
from ..models import Agenda
from ..template import COMMUNITY_LABELS, ITEM_LABELS, SECTION_TITLES, TOP_LABELS
from ..validation import Issue, Kind, validate_rows
from ..vocab import DOELGROEPEN, SETTINGS, THEMAS
from .batch import ImportBatch, ImportFileError, SectionIssue
from .common import FALSE_WORDS, TRUE_WORDS, drop_underived_ids, fill_ids, shorten

_SECTIONS = {
    "aanleiding en uitdagingen": "aanleiding_en_uitdagingen",
    "inzet gemeente": "inzet_gemeente",
    "inzet vanuit het nationaal programma onderwijs": "inzet_npo",
    "inzet npo": "inzet_npo",
    "samenwerking met de gelijke kansen alliantie": "samenwerking_gka",
    "samenwerking met de gka": "samenwerking_gka",
    "kennis": "kennis",
    "afspraken": "afspraken",  # one agreement per paragraph; the heading alone means: none
}
# Headings of the template whose text is not imported; they end the current section.
_IGNORED_HEADINGS = {
    "toelichting", "en verder", "agenda afspraak", "bestuurlijk overleg", "interventies",
    "communities", "taken en rollen", "samenwerking", "ondertekening bevoegd gezag",
}
_IGNORED_PREFIXES = ("bijlage 1", "ondertekening")
_TOP = {
    "gemeente": "gemeente", "provincie": "provincie", "periode": "periode", "bron": "bron",
    "illustratief": "illustratief", "id": "id", "agenda-id": "id", "agenda id": "id",
    "begroting ocw": "begroting_ocw_euro", "begroting": "begroting_ocw_euro", "ondertekend": "ondertekend",
    "gka-themas": "gka_themas", "gka themas": "gka_themas",
    "bijdrage ocw": "begroting_ocw_euro", "begroting toelichting": "begroting_toelichting",
}
_ITEM_START = {"naam/titel interventie", "naam interventie", "titel interventie", "naam/titel"}
_ITEM = {
    "betrokken partijen": "betrokken_partijen", "doel interventie": "doel", "doel": "doel",
    "doelgroep": "doelgroep_tekst", "doelgroep labels": "doelgroep", "doelgroepen": "doelgroep",
    "leeftijd": "leeftijd", "leeftijd van": "leeftijd_van", "leeftijd tot": "leeftijd_tot",
    "locatie": "locatie", "omschrijving activiteiten": "omschrijving_activiteiten",
    "monitoring en evaluatie": "monitoring_en_evaluatie", "financiering": "financiering",
    "meer informatie": "meer_informatie", "website": "website", "contactpersoon": "contactpersoon",
    "themas": "themas", "thema": "themas", "setting": "setting", "settings": "setting", "bron": "bron",
    "illustratief": "illustratief", "catalogus-id": "catalogus_id", "catalogus id": "catalogus_id",
    "catalogusid": "catalogus_id", "id": "id",
}
_COMMUNITY_START = {"naam community", "naam/titel community"}
_COMMUNITY = {
    "betrokken partijen": "betrokken_partijen", "doel community": "doel", "doel": "doel",
    "doelgroep": "doelgroep", "activiteiten": "activiteiten", "bron": "bron", "illustratief": "illustratief",
}
# Fields whose value may continue in the paragraphs below a "Label: value" paragraph.
_CONTINUES = {"doel", "doelgroep_tekst", "locatie", "omschrijving_activiteiten", "monitoring_en_evaluatie",
              "financiering", "betrokken_partijen", "activiteiten", "meer_informatie", "begroting_toelichting"}
_VOCAB = {
    "doelgroep": {v.lower(): v for v in DOELGROEPEN},
    "themas": {v.lower(): v for v in THEMAS},
    "setting": {v.lower(): v for v in SETTINGS},
}
_TITLE = re.compile(r"gelijke kansen in (?:de )?gemeente\s+(\S.*)$", re.IGNORECASE)


def _label(text: str) -> str:
    t = text.strip().lstrip("-•–*·▪ \t").strip()
    t = re.sub(r"\(.*?\)", "", t)
    t = t.replace("’", "'").replace("'", "").rstrip(":").strip().lower()
    t = t.replace("…", "").replace("...", "")
    return re.sub(r"\s+", " ", t).strip()


class _DocxState:
    def __init__(self) -> None:
        self.top: dict[str, str] = {}
        self.sections: dict[str, list[str]] = {}
        self.items: list[dict[str, str]] = []
        self.communities: list[dict[str, str]] = []
        self.open: dict[str, str] | None = None
        self.open_kind: str | None = None  # "item" | "community"
        self.section: str | None = None
        self.pending: tuple[dict[str, str], str] | None = None
        self.pending_once = False  # a top key takes just the one paragraph below its label
        self.title_gemeente: str | None = None

    # a (label, value) pair from a table row or a "Label: value" paragraph; False if not a known label
    def pair(self, label: str, value: str, continues: bool) -> bool:
        self.pending = None
        if label in _ITEM_START:
            self.open, self.open_kind, self.section = {}, "item", None
            self.items.append(self.open)
            return self._set(self.open, "naam", value, False)
        if label in _COMMUNITY_START:
            self.open, self.open_kind, self.section = {}, "community", None
            self.communities.append(self.open)
            return self._set(self.open, "naam", value, False)
        if self.open is not None and self.open_kind == "item" and label in _ITEM:
            return self._set(self.open, _ITEM[label], value, continues)
        if self.open is not None and self.open_kind == "community" and label in _COMMUNITY:
            return self._set(self.open, _COMMUNITY[label], value, continues)
        if label in _SECTIONS:
            self.open = self.open_kind = None
            self.section = _SECTIONS[label]
            self.sections.setdefault(self.section, [])
            if value:
                self.sections[self.section].append(value)
            return True
        if label in _TOP and self.open is None:
            return self._set(self.top, _TOP[label], value, continues and _TOP[label] == "begroting_toelichting")
        return False

    def _top_label_allowed(self, key: str) -> bool:
        """A top label standing alone counts only at the top, before any section or intervention.

        The template itself has a bare "Gemeente" above the agreed duties near its end.
        """
        if self.open is not None or self.sections or self.items or self.communities:
            return False
        return not self.top.get(key) and not (key == "gemeente" and self.title_gemeente)

    def _set(self, target: dict[str, str], key: str, value: str, continues: bool) -> bool:
        if value and target is self.top and key != "begroting_toelichting":
            target[key] = value  # one value per top key; a later one replaces it
        elif value:
            target[key] = (target[key] + "\n" + value) if target.get(key) else value
        if continues and key in _CONTINUES or not value:
            self.pending = (target, key)
            self.pending_once = target is self.top and key != "begroting_toelichting"
        return True

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        label = _label(text)
        bare = ":" not in text.rstrip(":")
        if bare and (label in _SECTIONS or label in _ITEM_START or label in _COMMUNITY_START
                     or (self.open is not None and label in (_ITEM if self.open_kind == "item" else _COMMUNITY))
                     or (label in _TOP and self._top_label_allowed(_TOP[label]))):
            self.pair(label, "", True)
            return
        m = re.match(r"^\s*[-•–*·▪]?\s*([^:]{1,60}?)\s*:\s*(.*)$", text, re.DOTALL)
        if m and self.pair(_label(m.group(1)), m.group(2).strip(), True):
            return
        if bare and (label in _IGNORED_HEADINGS or label.startswith(_IGNORED_PREFIXES)) and len(label) < 60:
            self.open = self.open_kind = self.section = self.pending = None
            return
        title = _TITLE.search(text)
        if title and not self.top.get("gemeente"):
            self.title_gemeente = title.group(1).strip()
            return
        if self.pending is not None:
            target, key = self.pending
            target[key] = (target[key] + "\n" + text) if target.get(key) else text
            if self.pending_once:
                self.pending = None
        elif self.section is not None:
            self.sections[self.section].append(text)

    def table(self, table) -> None:
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    cells.append(cell)
            if len(cells) >= 2:
                label = _label(cells[0].text)
                value = "\n".join(c.text.strip() for c in cells[1:] if c.text.strip())
                if label:
                    self.pair(label, value, False)
            elif len(cells) == 1 and ":" in cells[0].text:
                self.paragraph(cells[0].text)
        self.pending = None


def _vocab_list(kind: str, text: str) -> list[str]:
    parts = [p.strip().lstrip("-•–*·▪ ").strip() for p in re.split(r"[;,\n]", text)]
    return [_VOCAB[kind].get(p.lower(), p) for p in parts if p]


def _lines(text: str) -> list[str]:
    parts = [p.strip().lstrip("-•–*·▪ ").strip() for p in re.split(r"[;\n]", text)]
    return [p for p in parts if p]


def _bool(text: str) -> Any:
    low = text.strip().lower()
    return True if low in TRUE_WORDS else False if low in FALSE_WORDS else text


def _euro(text: str) -> Any:
    t = re.sub(r"[€\s]|eur(o)?", "", text.strip(), flags=re.IGNORECASE)
    t = re.sub(r",(-|00)$", "", t)
    t = t.replace(".", "")
    return int(t) if t.isdigit() else text


def _docx_item(raw: dict[str, str], top: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        value = value.strip()
        if key == "meer_informatie":
            for line in _lines(value):
                m = re.match(r"^([^:]{1,40}):\s*(.*)$", line)
                lab = _label(m.group(1)) if m else ""
                if lab == "website" or (not m and re.search(r"https?://|www\.", line)):
                    out.setdefault("website", m.group(2).strip() if m else line)
                elif lab == "contactpersoon" or not m:
                    out.setdefault("contactpersoon", m.group(2).strip() if m else line)
            continue
        if not value:
            continue
        if key == "betrokken_partijen":
            out[key] = _lines(value)
        elif key in ("themas", "setting", "doelgroep"):
            out[key] = _vocab_list(key, value)
        elif key == "doelgroep_tekst":
            out["doelgroep_omschrijving"] = value
        elif key == "leeftijd":
            m = re.match(r"^\s*(\d+)\s*(?:-|–|tot|t/m)\s*(\d+)", value)
            out["leeftijd_van"], out["leeftijd_tot"] = (m.group(1), m.group(2)) if m else (value, value)
        elif key == "illustratief":
            out[key] = _bool(value)
        else:
            out[key] = value
    if "doelgroep" not in out and out.get("doelgroep_omschrijving"):
        labels = _vocab_list("doelgroep", out["doelgroep_omschrijving"])
        if labels and all(l in DOELGROEPEN for l in labels):
            out["doelgroep"] = labels
    for key in ("bron", "illustratief"):
        if key not in out and key in top:
            out[key] = top[key]
    return out


def read_docx(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    if kind == "interventions":
        raise ImportFileError(f"{path.name}: een .docx-bestand bevat één GKA-agenda; gebruik --kind agendas of laat --kind weg")
    try:
        import docx
        from docx.table import Table

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several classes for a damaged or non-DOCX file
        raise ImportFileError(f"{path.name} is geen geldig .docx-document ({exc}); sla het in Word opnieuw op als .docx") from exc
    state = _DocxState()
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            state.table(block)
        else:
            state.paragraph(block.text)
    if not (state.top or state.sections or state.items or state.title_gemeente):
        raise ImportFileError(
            f"{path.name} bevat geen GKA-agenda: er staat geen Gemeente/Provincie/Periode in, geen kop van het "
            "sjabloon en geen 'Naam/titel interventie'; de verwachte vorm staat in `gka-match import --help`")

    top: dict[str, Any] = {}
    for key, value in state.top.items():
        value = value.strip()
        if key == "illustratief":
            top[key] = _bool(value)
        elif key == "begroting_ocw_euro":
            top[key] = _euro(value)
        elif value:
            top[key] = value
    if "gemeente" not in top and state.title_gemeente:
        top["gemeente"] = state.title_gemeente
    raw: dict[str, Any] = {k: v for k, v in top.items()}
    if "gka_themas" in raw:
        raw["gka_themas"] = _lines(raw["gka_themas"])
    for key, paragraphs in state.sections.items():
        raw[key] = list(paragraphs) if key == "afspraken" else "\n\n".join(paragraphs)
    # blocks left as the template has them (labels, no values) are not records
    state.items = [i for i in state.items if any(v.strip() for v in i.values())]
    state.communities = [c for c in state.communities if any(v.strip() for v in c.values())]
    raw["interventies"] = [_docx_item(i, top) for i in state.items]
    communities = []
    for c in state.communities:
        out: dict[str, Any] = {}
        for key, value in c.items():
            if key == "betrokken_partijen":
                out[key] = _lines(value)
            elif key == "illustratief":
                out[key] = _bool(value)
            elif value.strip():
                out[key] = value.strip()
        for key in ("bron", "illustratief"):
            if key not in out and key in top:
                out[key] = top[key]
        communities.append(out)
    if communities:
        raw["communities"] = communities
    raw = fill_ids(raw, "agendas")

    names = [i.get("naam", "") for i in state.items]
    cnames = [c.get("naam", "") for c in state.communities]

    def locate(issue: Issue) -> Issue:
        parts = issue.field.split(".") if issue.field else []
        if parts[:1] == ["interventies"] and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            name = names[n].strip() if n < len(names) else ""
            section = f"Interventie {n + 1}" + (f" ({shorten(name)})" if name else "")
            label = ITEM_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else ""
            if len(parts) > 3:
                label += f" (waarde {int(parts[3]) + 1})" if parts[3].isdigit() else "." + ".".join(parts[3:])
            message = issue.message
            if len(parts) == 3 and parts[2] == "doelgroep" and message == MISSING:
                message = ("ontbreekt; voeg een rij 'Doelgroep labels' toe met een of meer van: "
                           + "; ".join(DOELGROEPEN))
            elif len(parts) == 3 and parts[2] in ("themas", "setting") and message == MISSING:
                allowed = THEMAS if parts[2] == "themas" else SETTINGS
                message = f"ontbreekt; voeg een rij '{label}' toe met een of meer van: " + "; ".join(allowed)
            elif len(parts) == 3 and message == MISSING:
                message = f"ontbreekt; voeg een rij of alinea '{label}' toe aan deze interventie"
            return SectionIssue(issue.source, n + 1, label, message, section=section)
        if parts[:1] == ["communities"] and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            name = cnames[n].strip() if n < len(cnames) else ""
            section = f"Community {n + 1}" + (f" ({shorten(name)})" if name else "")
            label = COMMUNITY_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else ""
            return SectionIssue(issue.source, n + 1, label, issue.message, section=section)
        if parts == ["interventies"]:
            return SectionIssue(issue.source, 1, "", "geen interventie gevonden; voeg een tabel of alinea's toe die beginnen "
                                "met 'Naam/titel interventie'", section="Interventies")
        if parts and parts[0] in SECTION_TITLES:
            message = issue.message
            if message == MISSING:
                message = f"ontbreekt; voeg de kop '{SECTION_TITLES[parts[0]]}' met de tekst toe"
            return SectionIssue(issue.source, 1, "", message, section=SECTION_TITLES[parts[0]])
        if parts and parts[0] in TOP_LABELS:
            label = TOP_LABELS[parts[0]]
            message = issue.message
            if message == MISSING:
                message = f"ontbreekt; zet '{label}: …' bovenaan (als alinea of als rij van de bovenste tabel)"
            return SectionIssue(issue.source, 1, label, message, section="Kopgegevens")
        return SectionIssue(issue.source, 1, issue.field, issue.message, section="Agenda")

    good, bad = validate_rows([(1, raw)], Agenda, path.name)
    bad = drop_underived_ids(bad)
    return ImportBatch(path.name, "agendas", "docx", 1, list(good), [locate(i) for i in bad], locate)


__all__ = ["read_docx"]
