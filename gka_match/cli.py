"""The ``gka-match`` command line. Its interface is fixed by ``../shared/README.md``.

Errors the user can fix exit with status 2 and one line that says what to do; no tracebacks.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
import logging
import sys
from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from gka_match.config import load_settings
from gka_match.data.jsonl import jsonl_lines

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


class UsageError(Exception):
    """A problem the user can fix; printed without a traceback."""


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--thema", action="append", default=[], help="thema (herhaalbaar)")
    p.add_argument("--doelgroep", action="append", default=[], help="bijv. '0-4 jaar', 'groep 1-2', 'ouders' (herhaalbaar)")
    p.add_argument("--setting", action="append", default=[], help="setting, bijv. school (herhaalbaar)")
    p.add_argument("--min-erkenning", default=None, help="minimaal erkenningsniveau, bijv. 'goed onderbouwd'")
    p.add_argument("--kind", choices=["catalogue", "agenda"], default=None, help="alleen programma's (catalogue) of alleen agenda-aanpakken (agenda)")
    p.add_argument("--gemeente", action="append", default=[], help="gemeente (herhaalbaar)")
    p.add_argument("--provincie", action="append", default=[], help="provincie (herhaalbaar)")


# ---- model / data / index ------------------------------------------------------------------
@command("model")
def cmd_model(args: argparse.Namespace) -> int:
    from gka_match.index.embedder import DEFAULT_MODEL, prepare_default_model
    from gka_match.index.onnx_export import export_model

    settings = load_settings()
    path, converted = prepare_default_model(settings.model_dir, force=args.force)
    _say(f"{'Omgezet' if converted else 'Al voorbereid'}: {path}")
    precisions = tuple(dict.fromkeys(("fp32", settings.precision, *(["int8"] if args.int8 else []))))
    manifest = export_model(path, precisions, force=args.force or converted, say=_say)
    _say(f"ONNX-export klaar ({', '.join(manifest['graphs'])}): {path / 'onnx'}")
    if settings.model == DEFAULT_MODEL:  # the ranker's reference questions, embedded once per precision
        from gka_match.index.scoring import background_vectors
        from gka_match.runtime import open_embedder

        for precision in manifest["graphs"]:
            background_vectors(open_embedder(replace(settings, precision=precision)), settings.model_dir)
    if settings.model != DEFAULT_MODEL:
        _say(f"Let op: GKA_MODEL={settings.model} draait via sentence-transformers; het voorbereide "
             "standaardmodel wordt alleen gebruikt als GKA_MODEL niet is gezet.")
    return 0


@command("seed")
def cmd_seed(args: argparse.Namespace) -> int:
    from gka_match.runtime import open_store, seed_bundled

    summary = seed_bundled(open_store())
    _say(f"Meegeleverde data geïmporteerd: {summary}.")
    return 0


@command("build")
def cmd_build(args: argparse.Namespace) -> int:
    from gka_match.index.engine import Engine
    from gka_match.runtime import open_embedder, open_engine, open_store

    if args.if_needed:
        engine = open_engine(say=_say, progress=True)  # rebuilds only a missing/stale index
        engine.save_if_changed()  # keeps changes replayed from the log
    else:
        settings = load_settings()
        engine = Engine(settings, open_store(settings), open_embedder(settings))
        engine.build(progress=True)
    _say(f"Index klaar: {len(engine.docs)} documenten, dataversie {engine.data_version}, "
         f"snapshot {engine.snapshot}.")
    return 0


@command("search")
def cmd_search(args: argparse.Namespace) -> int:
    from gka_match.index.search import SearchError
    from gka_match.runtime import open_engine, open_searcher
    from gka_match.service.schemas import SearchHit

    if not args.query and not args.queries:
        raise UsageError('geef een VRAAG of --queries BESTAND.jsonl')
    queries = _read_queries(Path(args.queries)) if args.queries else [args.query]
    requests = [_search_request(args, q) for q in queries]  # every line checked before the model loads
    engine = open_engine(say=_say)
    searcher = open_searcher(engine)
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


_DUTCH = {
    "greater_than_equal": lambda e: f"moet minstens {e['ctx']['ge']} zijn",
    "less_than_equal": lambda e: f"mag hoogstens {e['ctx']['le']} zijn",
    "literal_error": lambda e: f"'{e.get('input')}' kennen we niet; kies uit {e['ctx']['expected']}",
    "int_parsing": lambda e: "moet een heel getal zijn",
    "float_parsing": lambda e: "moet een getal zijn",
    "extra_forbidden": lambda e: "kennen we niet als veld",
}


def _validation_text(exc: ValidationError) -> str:
    """Pydantic's errors as 'veld: wat te doen', in Dutch and without its internals."""
    parts = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"] if not isinstance(p, int)) or "invoer"
        dutch = _DUTCH.get(e["type"])
        parts.append(f"{where}: {dutch(e) if dutch else e['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


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
    engine = open_engine(say=_say)
    searcher = open_searcher(engine)
    try:
        results = searcher.chosen(req, ids) if ids else searcher.search(req).results
    except SearchError as exc:
        raise UsageError(str(exc)) from exc
    if not results:
        raise UsageError("geen goede match voor deze vraag; er is geen notitie geschreven. Beschrijf de "
                         "uitdaging anders of kies opties met --ids")
    write_advice_note(req.q, req.filters(), results, engine.data_version, args.output)
    _say(f"Adviesnotitie geschreven: {args.output} ({len(results)} opties).")
    return 0


@command("eval")
def cmd_eval(args: argparse.Namespace) -> int:
    from gka_match.index.evaluation import FOREIGN_DIR, OFFTOPIC_SET, evaluate, format_table, load_queries
    from gka_match.runtime import open_embedder, open_engine, open_foreign_corpus, open_searcher

    settings = load_settings()
    offtopic = load_queries(OFFTOPIC_SET)
    embedder = open_embedder(settings)
    reports = {}
    if args.file:
        path = Path(args.file)
        if not path.exists():
            raise UsageError(f"{path} bestaat niet")
        engine = open_engine(settings, say=_say)
        reports[path.name] = evaluate(open_searcher(engine, settings), load_queries(path), offtopic, args.mode)
    else:
        if args.corpus in ("bundled", "both"):
            engine = open_engine(settings, say=_say)
            reports["bundled (dev)"] = evaluate(open_searcher(engine, settings), load_queries(), offtopic, args.mode)
        if args.corpus in ("foreign", "both"):
            foreign = open_foreign_corpus(settings, embedder)
            reports["foreign"] = evaluate(open_searcher(foreign, settings), load_queries(FOREIGN_DIR / "queries.jsonl"),
                                          offtopic, args.mode)
    if args.json:
        print(json.dumps(reports, indent=1))
    else:
        print("\n\n".join(format_table(r, name) for name, r in reports.items()))
    return 0


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if not 1 <= args.workers <= 64:
        raise UsageError("--workers moet tussen 1 en 64 liggen")
    if args.workers == 1:
        from gka_match.service.app import create_app

        uvicorn.run(create_app(), host=args.host, port=args.port, workers=1, log_level="info")
        return 0
    # Several processes share the port, the store and the index folder. Seed/build-if-needed
    # once here, in a short-lived child (so this supervisor does not keep a model in memory);
    # the workers then only load the snapshot and replay the change log.
    import multiprocessing
    import os

    child = multiprocessing.get_context("spawn").Process(target=_prepare_for_workers, name="gka-prepare")
    child.start()
    child.join()
    if child.exitcode != 0:
        return 2 if child.exitcode and child.exitcode > 0 else 1
    # N processes that each let torch use every core oversubscribe the CPU (on 2 cores, two
    # workers with 2 threads each embed several times slower than with 1 each). Share the cores
    # out, unless the operator chose a number.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    os.environ.setdefault("GKA_THREADS", str(max(1, cores // args.workers)))
    os.environ.setdefault("OMP_NUM_THREADS", os.environ["GKA_THREADS"])
    uvicorn.run(
        "gka_match.service.app:create_app", factory=True, host=args.host, port=args.port,
        workers=args.workers, log_level="info",
        timeout_worker_healthcheck=60,  # a worker loads the model (seconds on a busy machine)
    )
    return 0


def _prepare_for_workers() -> None:
    """`serve --workers N`: open the engine once (seeds an empty store, rebuilds a missing or
    stale index) and save a snapshot that is up to date with the store, then exit."""
    from gka_match.data.store import StoreError
    from gka_match.index.embedder import ModelNotAvailable
    from gka_match.runtime import open_engine

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        engine = open_engine(say=_say)
        manifest = engine.index_dir / (engine.snapshot or "") / "manifest.json"
        saved = json.loads(manifest.read_text())["data_version"] if manifest.is_file() else None
        if saved != engine.data_version:
            engine.save()
        engine.store.close()
    except (StoreError, ModelNotAvailable, FileNotFoundError) as exc:
        _say(f"gka-match serve: {exc}")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gka-match", description="gka-match: welke aanpak past bij de uitdaging van uw gemeente, en wie doet het al?")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("model", help="bereid het offline taalmodel voor (omzetten en naar ONNX exporteren)")
    p.add_argument("action", choices=["prepare"], help="prepare: omzetten, exporteren en controleren")
    p.add_argument("--force", action="store_true", help="opnieuw omzetten en exporteren, ook als het al klaar is")
    p.add_argument("--int8", action="store_true", help="exporteer ook de int8-graaf (GKA_PRECISION=int8)")

    sub.add_parser("seed", help="importeer de meegeleverde catalogus en agenda's in de store")

    p = sub.add_parser("build", help="bouw de zoekindex (opnieuw) op uit de store")
    p.add_argument("--if-needed", action="store_true", help="alleen bouwen als de index ontbreekt of verouderd is")

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

    p = sub.add_parser("eval", help="meet de matchkwaliteit (dev-set en vreemd corpus)")
    p.add_argument("--file", help="JSONL-vragenbestand, gemeten op de huidige store (in plaats van de dev-set)")
    p.add_argument("--corpus", choices=["bundled", "foreign", "both"], default="both",
                   help="bundled: de meegeleverde data met de dev-set; foreign: het vreemde evaluatiecorpus")
    p.add_argument("--mode", action="append", choices=["hybrid", "dense", "lexical"], help="welke modus (herhaalbaar; standaard alle)")
    p.add_argument("--json", action="store_true", help="geef JSON")

    p = sub.add_parser("serve", help="start de HTTP-API en de webpagina")
    p.add_argument("--host", default="127.0.0.1", help="adres om op te luisteren")
    p.add_argument("--port", type=int, default=8000, help="poort")
    p.add_argument("--workers", type=int, default=1,
                   help="werkprocessen op dezelfde poort en store (elk met een eigen model en indexen)")

    for extend in PARSER_EXTENSIONS:
        extend(sub)
    return parser


# Sub-commands defined in other modules register their parsers here (import, export, analyses...).
PARSER_EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []


def parsers(extend: Callable[[argparse._SubParsersAction], None]) -> Callable[[argparse._SubParsersAction], None]:
    """Decorator: ``extend(sub)`` adds another module's sub-command parsers to the CLI."""
    PARSER_EXTENSIONS.append(extend)
    return extend


EXTENSION_MODULES = (
    "gka_match.cli_data",  # import, export, backup, restore
    "gka_match.cli_analysis",  # similar, compare, gaps, clusters
)


def _load_extensions() -> None:
    import importlib
    import importlib.util

    for name in EXTENSION_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    _load_extensions()
    args = build_parser().parse_args(argv)
    handler = COMMANDS.get(args.command)
    try:
        return handler(args) if handler else 2
    except UsageError as exc:
        _say(f"gka-match {args.command}: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a known failure class prints its message, not a traceback
        from gka_match.data.store import StoreError
        from gka_match.index.embedder import ModelNotAvailable

        if isinstance(exc, (StoreError, ModelNotAvailable, FileNotFoundError)):
            _say(f"gka-match {args.command}: {exc}")
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
