"""Sub-commands that answer a challenge: ``search`` (the answer on the terminal or as JSON) and
``report`` (the advice note as a Word document). Both check every request before the model loads.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import ValidationError

from gka_match.cli import UsageError, command, parsers, say
from gka_match.data.errors import explain
from gka_match.data.jsonl import jsonl_lines


def add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--thema", action="append", default=[], help="thema (herhaalbaar)")
    p.add_argument("--doelgroep", action="append", default=[], help="bijv. '0-4 jaar', 'groep 1-2', 'ouders' (herhaalbaar)")
    p.add_argument("--setting", action="append", default=[], help="setting, bijv. school (herhaalbaar)")
    p.add_argument("--min-erkenning", default=None, help="minimaal erkenningsniveau, bijv. 'goed onderbouwd'")
    p.add_argument("--kind", choices=["catalogue", "agenda"], default=None, help="alleen programma's (catalogue) of alleen agenda-aanpakken (agenda)")
    p.add_argument("--gemeente", action="append", default=[], help="gemeente (herhaalbaar)")
    p.add_argument("--provincie", action="append", default=[], help="provincie (herhaalbaar)")


@parsers
def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="zoek interventies bij een uitdaging")
    p.add_argument("query", nargs="?", help="de uitdaging in gewone woorden")
    p.add_argument("--queries", help="JSONL-bestand met één {\"q\": ...} per regel")
    p.add_argument("--k", type=int, default=10, help="hoeveel opties hoogstens (1-100)")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid",
                   help="hybrid: betekenis en trefwoorden (standaard); dense: betekenis; lexical: trefwoorden")
    p.add_argument("--json", action="store_true", help="geef JSON")
    p.add_argument("--flat", action="store_true", help="elk document apart, niet gegroepeerd per optie")
    p.add_argument("--floor", type=float, default=None,
                   help="verberg resultaten onder deze matchkans (standaard: de gekalibreerde drempel; 0 toont alles)")
    add_filter_args(p)

    p = sub.add_parser("report", help="schrijf een adviesnotitie (Word) voor de beste opties van een zoekvraag")
    p.add_argument("query", help="de uitdaging in gewone woorden")
    p.add_argument("--ids", help="de gekozen opties, komma-gescheiden (standaard: de beste 5)")
    p.add_argument("--k", type=int, default=5, help="hoeveel opties zonder --ids (1-20)")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid",
                   help="hybrid: betekenis en trefwoorden (standaard); dense: betekenis; lexical: trefwoorden")
    p.add_argument("--output", "-o", required=True, help="het Word-bestand (.docx)")
    add_filter_args(p)


@command("search")
def cmd_search(args: argparse.Namespace) -> int:
    from gka_match.index.search import SearchError
    from gka_match.runtime import open_engine, open_searcher
    from gka_match.service.schemas import SearchHit

    if not args.query and not args.queries:
        raise UsageError('geef een VRAAG of --queries BESTAND.jsonl')
    queries = _read_queries(Path(args.queries)) if args.queries else [args.query]
    requests = [_search_request(args, q) for q in queries]  # every line checked before the model loads
    engine = open_engine(args.settings, say=say)
    searcher = open_searcher(engine, args.settings)
    for req in requests:
        try:
            answer = searcher.search(req)
        except SearchError as exc:
            raise UsageError(str(exc)) from exc
        hits = [SearchHit.from_result(r).model_dump() for r in answer.results]
        if args.queries:
            print(json.dumps({"q": req.q, "results": hits}, ensure_ascii=False))
        elif args.json:
            print(json.dumps(hits, ensure_ascii=False, indent=1))
        else:
            _print_answer(answer)
    return 0


def _search_request(args: argparse.Namespace, query: str):
    from gka_match.index.search import SearchRequest

    try:
        return SearchRequest(
            q=query, k=args.k, mode=args.mode, group=not args.flat, floor=args.floor,
            thema=args.thema, doelgroep=args.doelgroep, setting=args.setting, min_erkenning=args.min_erkenning,
            kind=args.kind, gemeente=args.gemeente, provincie=args.provincie,
        )
    except ValidationError as exc:
        raise UsageError(_validation_text(exc)) from exc


def _validation_text(exc: ValidationError) -> str:
    """Pydantic's errors as 'veld: wat te doen', in Dutch and without its internals."""
    return "; ".join(f"{_where(e['loc'])}: {explain(e)}" for e in exc.errors())


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not isinstance(p, int)) or "invoer"  # 'thema', not 'thema.0'


def _read_queries(path: Path) -> list[str]:
    if not path.exists():
        raise UsageError(f"{path} bestaat niet")
    queries, problems = [], []
    for n, obj, error in jsonl_lines(path.read_text(encoding="utf-8")):
        if error:
            problems.append(f"regel {n}: geen geldige JSON ({error.msg})")
        elif not isinstance(obj, dict) or not isinstance(obj.get("q"), str) or not obj["q"].strip():
            problems.append(f"regel {n}: verwacht een object met een niet-leeg tekstveld 'q'")
        else:
            queries.append(obj["q"])
    if problems:
        raise UsageError(f"{path}: " + "; ".join(problems))
    return queries


STRENGTH_LABEL = {"sterk": "sterke match", "redelijk": "redelijke match", "zwak": "zwakke match"}


def _print_answer(answer) -> None:
    print(f"Resultaten voor: {answer.request.q}\n")
    if answer.no_good_match:
        print("Geen goede match. " + answer.advice)
        return
    for r in answer.results:
        d = r.lead
        where = f" — {d.gemeente}" if d.gemeente else ""
        mark = " [illustratief]" if d.illustratief else ""
        print(f"{r.rank:>2}. {d.name}{where}{mark}  ({STRENGTH_LABEL[r.strength]}, {d.erkenningsniveau})")
        for point in r.reason.points:
            print(f"    - {point}")
    if answer.hidden:
        print(f"\n{answer.hidden} zwakkere opties niet getoond (onder de drempel; --floor 0 toont alles).")


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    from gka_match.index.search import SearchError
    from gka_match.runtime import open_engine, open_searcher
    from gka_match.service.advice_note import write_advice_note

    if not args.output.endswith(".docx"):
        raise UsageError("--output moet een .docx-bestand zijn")
    args.flat, args.floor = False, None
    req = _search_request(args, args.query)
    ids = [i.strip() for i in (args.ids or "").split(",") if i.strip()]
    engine = open_engine(args.settings, say=say)
    searcher = open_searcher(engine, args.settings)
    try:
        results = searcher.chosen(req, ids) if ids else searcher.search(req).results
    except SearchError as exc:
        raise UsageError(str(exc)) from exc
    if not results:
        raise UsageError("geen goede match voor deze vraag; er is geen notitie geschreven. Beschrijf de "
                         "uitdaging anders of kies opties met --ids")
    write_advice_note(req.q, req.filters(), results, engine.data_version, args.output)
    say(f"Adviesnotitie geschreven: {args.output} ({len(results)} opties).")
    return 0
