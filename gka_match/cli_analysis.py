"""Sub-commands for analysts: similar, compare, gaps, clusters (see ``gka_match.index.analysis``).

Each prints a readable Dutch summary by default, a JSON document with ``--json``, or a table with
``--format csv|xlsx [--output FILE]`` (CSV goes to stdout without ``--output``; XLSX needs it).
``gka-match similar GEMEENTE --json`` is a fixed interface (``../shared/README.md``): a JSON
array of objects with at least ``gemeente`` and ``score``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gka_match.cli import UsageError, command, parsers, say


def _output_args(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="geef JSON")
    out.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default=None, help="schrijf een tabel")
    p.add_argument("--output", "-o", default=None, help="bestand voor --format (CSV: standaard stdout)")


@parsers
def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("similar", help="agenda's die het meest lijken op de agenda van een gemeente")
    p.add_argument("gemeente", help="gemeentenaam (hoofdletters maken niet uit) of agenda-id")
    p.add_argument("--k", type=int, default=5, help="hoeveel agenda's (1-100, standaard 5)")
    _output_args(p)

    p = sub.add_parser("compare", help="vergelijk twee agenda's: gedeelde en eigen interventies en thema's")
    p.add_argument("a", help="gemeentenaam of agenda-id")
    p.add_argument("b", help="gemeentenaam of agenda-id")
    _output_args(p)

    p = sub.add_parser("gaps", help="interventies die vergelijkbare gemeenten inzetten en deze gemeente niet")
    p.add_argument("gemeente", help="gemeentenaam (hoofdletters maken niet uit) of agenda-id")
    p.add_argument("--k", type=int, default=10, help="hoeveel hiaten (1-100, standaard 10)")
    p.add_argument("--peers", type=int, default=5, help="met hoeveel vergelijkbare agenda's vergelijken (standaard 5)")
    _output_args(p)

    p = sub.add_parser("clusters", help="groepeer de agenda's en benoem elke groep")
    p.add_argument("--n", dest="n_clusters", type=int, default=None,
                   help="aantal groepen (standaard: gekozen met de silhouetscore)")
    _output_args(p)



def _check_k(value: int, name: str = "--k") -> None:
    if not 1 <= value <= 100:
        raise UsageError(f"{name} moet tussen 1 en 100 liggen")


def _check_output(args: argparse.Namespace) -> None:
    if args.output and not args.fmt:
        suffix = Path(args.output).suffix.lower().lstrip(".")
        if suffix not in ("csv", "xlsx"):
            raise UsageError("--output heeft --format csv of xlsx nodig (of een bestandsnaam op .csv/.xlsx)")
        args.fmt = suffix
    if args.fmt == "xlsx" and not args.output:
        raise UsageError("xlsx is een binair formaat; geef --output BESTAND.xlsx")


def _engine(args: argparse.Namespace):
    from gka_match.runtime import open_engine

    return open_engine(args.settings, say=say)


def _resolve(engine, ref: str):
    from gka_match.index.analysis import UnknownAgenda, resolve_agenda

    try:
        return resolve_agenda(engine, ref)
    except UnknownAgenda as exc:
        if exc.suggestions:
            hint = f"bedoelt u: {', '.join(exc.suggestions)}?"
        else:
            hint = f"bekende gemeenten: {', '.join(exc.known) or '(geen)'}"
        raise UsageError(f"geen agenda voor '{ref}' (geef een gemeentenaam of agenda-id); {hint}") from exc


def _emit_table(frame, args: argparse.Namespace) -> None:
    from gka_match.index.analysis import write_table

    if args.output:
        path = write_table(frame, args.output, args.fmt)
        say(f"{len(frame)} rijen geschreven naar {path}.")
    else:
        frame.to_csv(sys.stdout, index=False)


def _emit_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


@command("similar")
def cmd_similar(args: argparse.Namespace) -> int:
    from gka_match.index.analysis import similar_agendas, similar_frame

    _check_k(args.k)
    _check_output(args)
    engine = _engine(args)
    target = _resolve(engine, args.gemeente)
    results = similar_agendas(engine, target.id, k=args.k)
    if args.json:
        _emit_json([r.to_dict() for r in results])
    elif args.fmt:
        _emit_table(similar_frame(results), args)
    else:
        print(f"Agenda's die lijken op {target.gemeente}:\n")
        for r in results:
            print(f"{r.rank:>2}. {r.gemeente} ({r.provincie})  score {r.score:.3f}")
            print(f"    {r.reason}")
            for pair in r.similar_sentences[:1]:
                print(f"    “{pair.a}”\n    ≈ “{pair.b}”")
    return 0


@command("compare")
def cmd_compare(args: argparse.Namespace) -> int:
    from gka_match.index.analysis import compare_agendas, comparison_frame

    _check_output(args)
    engine = _engine(args)
    a, b = _resolve(engine, args.a), _resolve(engine, args.b)
    cmp = compare_agendas(engine, a.id, b.id)
    if args.json:
        _emit_json(cmp.to_dict())
    elif args.fmt:
        _emit_table(comparison_frame(cmp), args)
    else:
        ga, gb = cmp.a["gemeente"], cmp.b["gemeente"]
        print(f"{ga} en {gb}: gelijkenis {cmp.score:.3f}\n")
        print("Gedeelde interventies:")
        for s in cmp.shared:
            prog = f" — programma {s.programma}" if s.programma else ""
            print(f"  - {s.a.naam}  ↔  {s.b.naam}  ({s.relatie}{prog})")
        if not cmp.shared:
            print("  (geen)")
        for label, refs in ((f"Alleen in {ga}", cmp.only_in_a), (f"Alleen in {gb}", cmp.only_in_b)):
            print(f"\n{label}:")
            for r in refs:
                print(f"  - {r.naam}" + (f" ({r.programma})" if r.programma else ""))
            if not refs:
                print("  (geen)")
        t = cmp.themas
        print(f"\nThema's — gedeeld: {', '.join(t.shared) or '-'}; alleen {ga}: {', '.join(t.only_a) or '-'}; "
              f"alleen {gb}: {', '.join(t.only_b) or '-'} (Jaccard {t.jaccard:.2f})")
    return 0


@command("gaps")
def cmd_gaps(args: argparse.Namespace) -> int:
    from gka_match.index.analysis import gaps, gaps_frame

    _check_k(args.k)
    _check_k(args.peers, "--peers")
    _check_output(args)
    engine = _engine(args)
    target = _resolve(engine, args.gemeente)
    report = gaps(engine, target.id, k_peers=args.peers, k=args.k)
    if args.json:
        _emit_json(report.to_dict())
    elif args.fmt:
        _emit_table(gaps_frame(report), args)
    else:
        peers = ", ".join(f"{p['gemeente']} ({p['score']:.2f})" for p in report.peers)
        print(f"Wat vergelijkbare gemeenten doen en {report.gemeente} (nog) niet\nVergeleken met: {peers}\n")
        for g in report.gaps:
            users = ", ".join(f"{p.gemeente} ({p.naam})" for p in g.peers)
            print(f"{g.rank:>2}. {g.naam}  [{g.erkenningsniveau}; score {g.score:.2f}]")
            print(f"    gebruikt door: {users}")
        if not report.gaps:
            print("Geen gaten gevonden: de vergelijkbare agenda's gebruiken niets wat deze agenda mist.")
    return 0


@command("clusters")
def cmd_clusters(args: argparse.Namespace) -> int:
    from gka_match.index.analysis import clusters, clusters_frame, projection_2d

    _check_output(args)
    engine = _engine(args)
    try:
        report = clusters(engine, n_clusters=args.n_clusters)
    except ValueError as exc:
        raise UsageError(f"--n: {exc}") from exc
    if args.json:
        _emit_json({**report.to_dict(), "projection": projection_2d(engine)})
    elif args.fmt:
        _emit_table(clusters_frame(report, projection_2d(engine)), args)
    else:
        sil = f", silhouette {report.silhouette:.3f}" if report.silhouette is not None else ""
        print(f"{report.n_clusters} groepen agenda's{sil}\n")
        for c in report.clusters:
            print(f"{c.cluster}. {c.label}  ({c.size})")
            print(f"   {', '.join(c.gemeenten)}")
    return 0
