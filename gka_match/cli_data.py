"""Sub-commands that move data in and out of the store: import, export, backup, restore.

None of them loads the embedding model. After a write, the search index follows by itself: the
engine syncs from the store's change log the next time it opens or searches.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gka_match.cli import UsageError, command, parsers, say

KIND_NL = {"interventions": "interventies", "agendas": "agenda's"}
_IMPORT_HELP = """\
Importeer catalogus-interventies of GKA-agenda's uit CSV, XLSX, JSON, JSONL of een ingevulde
agenda (DOCX). Elk record wordt eerst gecontroleerd; standaard wordt niets geschreven als er een
record ongeldig is (elk probleem wordt genoemd, exitstatus 2). Hetzelfde bestand nog eens
importeren verandert niets.
"""
_IMPORT_EPILOG = """\
bestandsvormen (details: de README, sectie "Importing and exporting data"):
  JSON/JSONL  records zoals `gka-match export ... --format jsonl` ze schrijft
  CSV/XLSX    interventies: een rij per interventie, kolommen = veldnamen
              (naam, korte_omschrijving, doel, doelgroep, themas, setting, bron, illustratief, ...)
              agenda's: een rij per agenda-interventie (id, naam, doel, ...) met de kolommen van
              de agenda herhaald: gemeente, agenda_provincie, agenda_periode, agenda_bron, ...
              lijsten gescheiden door ';', ja/nee (of true/false), UTF-8
  DOCX        een ingevulde GKA-agenda: 'Gemeente: ...', 'Provincie: ...', 'Periode: 2021-2024',
              'Bron: ...', 'Illustratief: ja/nee' bovenaan; de koppen van het sjabloon; per
              interventie een tabel die begint met 'Naam/titel interventie', plus de rijen
              'Doelgroep labels', "Thema's" en 'Setting' (gka-match export template geeft het sjabloon)
"""


def _open_store(args: argparse.Namespace):
    from gka_match.data.store import Store

    return Store(args.settings.database_url)


@parsers
def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="controleer en importeer interventies of agenda's uit een bestand",
                       description=_IMPORT_HELP, epilog=_IMPORT_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help=".csv, .xlsx, .json, .jsonl of .docx")
    p.add_argument("--kind", choices=["interventions", "agendas"], default=None,
                   help="wat het bestand bevat (standaard: herkend; een kolom 'gemeente' betekent agenda's)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="importeer de geldige records en noem de ongeldige (standaard: niets importeren)")
    p.add_argument("--link", choices=["auto", "suggest", "off"], default="auto",
                   help="koppel agenda-interventies aan het programma dat hun naam noemt (auto: koppelen "
                        "en melden; suggest: alleen melden; off: niets doen). Een opgegeven "
                        "catalogus_id blijft altijd staan.")

    sub.add_parser("data-report", help="herkomst, erkenning en dekking van de data in de store")

    p = sub.add_parser("export", help="schrijf alle interventies of agenda's (of het sjabloon) weg")
    p.add_argument("kind", choices=["interventions", "agendas", "template"],
                   help="template: het lege GKA-agendasjabloon (.docx) om in te vullen en te importeren")
    p.add_argument("--format", dest="fmt", choices=["jsonl", "json", "csv", "xlsx", "docx"], default="jsonl",
                   help="bestandsvorm (docx: een agenda in het sjabloon, met --gemeente)")
    p.add_argument("--output", "-o", default=None, help="schrijf naar dit bestand in plaats van stdout")
    p.add_argument("--gemeente", default=None, help="bij --format docx: de agenda (gemeentenaam of agenda-id)")

    p = sub.add_parser("backup", help="schrijf een consistente back-up van de store naar FILE")
    p.add_argument("file", help="het back-upbestand")
    p.add_argument("--format", dest="fmt", choices=["sqlite", "jsonl"], default=None,
                   help="standaard: een SQLite-kopie bij een SQLite-store, anders een JSONL-bundel")

    p = sub.add_parser("restore", help="vervang de inhoud van de store door een back-up van 'backup'")
    p.add_argument("file", help="een back-up van 'gka-match backup'")



def _problems(n: int) -> str:
    return f"{n} probleem" if n == 1 else f"{n} problemen"


@command("import")
def cmd_import(args: argparse.Namespace) -> int:
    from gka_match.data.importers import ImportFileError, read_records

    settings = args.settings
    try:
        batch = read_records(Path(args.file), args.kind, max_bytes=settings.max_import_bytes, progress=True)
    except ImportFileError as exc:
        raise UsageError(str(exc)) from exc
    store = _open_store(args)
    if batch.kind == "agendas":
        batch.check_links(store.intervention_ids())
    for issue in batch.issues:
        say(str(issue))
    valid = len(batch.records)
    if batch.issues and not args.skip_invalid:
        raise UsageError(
            f"{batch.source}: {_problems(len(batch.issues))} in {batch.invalid} van {batch.total} "
            f"{KIND_NL[batch.kind]}; er is niets geïmporteerd. Verbeter ze en importeer opnieuw, of voeg "
            f"--skip-invalid toe om de {valid} geldige te importeren."
        )
    if not batch.records:
        raise UsageError(f"{batch.source}: geen van de {batch.total} {KIND_NL[batch.kind]} is geldig; er is niets geïmporteerd")
    agendas = batch.agendas
    if agendas and args.link != "off":
        from gka_match.data.linking import Linker

        agendas, links = Linker([*store.list_interventions(), *batch.interventions]).link(agendas, apply=args.link == "auto")
        for link in links:
            say(("Gekoppeld: " if link.applied else "Suggestie (niet gezet): ") + str(link))
    if valid > 200:
        say(f"{valid} records ({KIND_NL[batch.kind]}) worden in één transactie geschreven…")
    summary = store.write(batch.interventions, agendas)
    skipped = f"; {batch.invalid} ongeldige overgeslagen (zie hierboven)" if batch.invalid else ""
    print(f"Geïmporteerd: {batch.source} ({KIND_NL[batch.kind]}): {summary}{skipped}.")
    return 0


@command("data-report")
def cmd_data_report(args: argparse.Namespace) -> int:
    from gka_match.data.report import data_report, format_report

    store = _open_store(args)
    report = data_report(store.list_interventions(), store.list_agendas())
    print(format_report(report))
    for problem in report.problems():
        print(f"Doel niet gehaald: {problem}")
    return 0


def _export_docx(args: argparse.Namespace) -> int:
    from gka_match.data.docx_agenda import write_agenda_docx, write_blank_template

    if not args.output or not args.output.endswith(".docx"):
        raise UsageError("een Word-document heeft --output BESTAND.docx nodig")
    if args.kind == "template":
        write_blank_template(args.output)
        say(f"Leeg sjabloon geschreven: {args.output}.")
        return 0
    if args.kind != "agendas" or not args.gemeente:
        raise UsageError("--format docx schrijft één agenda: gebruik `export agendas --format docx --gemeente NAAM`")
    store = _open_store(args)
    wanted = args.gemeente.strip()
    agenda = store.find_agenda(wanted)
    if agenda is None:
        known = ", ".join(sorted(a.gemeente for a in store.list_agendas())[:15])
        raise UsageError(f"geen GKA-agenda van '{wanted}'; bekend zijn bijvoorbeeld {known}")
    write_agenda_docx(agenda, args.output)
    say(f"GKA-agenda {agenda.gemeente} geschreven: {args.output} ({len(agenda.interventies)} interventies).")
    return 0


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from gka_match.data.exporters import export

    if args.fmt == "docx" or args.kind == "template":
        return _export_docx(args)
    store = _open_store(args)
    if args.output:
        n = export(store, args.kind, args.fmt, Path(args.output))
        say(f"{n} records ({args.kind}) geëxporteerd naar {args.output}.")
        return 0
    if args.fmt == "xlsx" and sys.stdout.isatty():
        raise UsageError("xlsx is een binair formaat; geef --output BESTAND.xlsx of stuur stdout naar een bestand")
    try:
        export(store, args.kind, args.fmt, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `gka-match export ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    from gka_match.data.backup import BackupError, backup

    try:
        info = backup(_open_store(args), Path(args.file), args.fmt)
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    say(f"Back-up geschreven naar {info['path']} ({info['format']}): {info['interventions']} interventies, "
         f"{info['agendas']} agenda's, dataversie {info['data_version']}.")
    return 0


@command("restore")
def cmd_restore(args: argparse.Namespace) -> int:
    from gka_match.data.backup import BackupError, read_backup, restore

    try:
        contents = read_backup(Path(args.file))
    except BackupError as exc:
        for issue in exc.issues:
            say(str(issue))
        raise UsageError(str(exc)) from exc
    summary = restore(_open_store(args), contents)
    print(f"Teruggezet: {Path(args.file).name} ({contents.fmt}; {len(contents.interventions)} interventies, "
          f"{len(contents.agendas)} agenda's): {summary}, {len(summary.deleted)} verwijderd.")
    return 0
