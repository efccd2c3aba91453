"""The ``gka-match`` command line. Its interface is fixed by ``../shared/README.md``.

Errors the user can fix exit with status 2 and one line that says what to do; no tracebacks.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Callable

from gka_match.config import Settings, SettingsError, load_settings

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


class UsageError(Exception):
    """A problem the user can fix; printed without a traceback."""


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def say(message: str) -> None:
    """A status line for the user: on stderr, so stdout stays the answer (JSON, a table)."""
    print(message, file=sys.stderr)


# ---- model / data / index ------------------------------------------------------------------
@command("model")
def cmd_model(args: argparse.Namespace) -> int:
    from gka_match.index.embedder import DEFAULT_MODEL, prepare_default_model
    from gka_match.index.onnx_export import export_model

    settings = args.settings
    path, converted = prepare_default_model(settings.model_dir, force=args.force)
    say(f"{'Omgezet' if converted else 'Al voorbereid'}: {path}")
    precisions = tuple(dict.fromkeys(("fp32", settings.precision, *(["int8"] if args.int8 else []))))
    manifest = export_model(path, precisions, force=args.force or converted, say=say)
    say(f"ONNX-export klaar ({', '.join(manifest['graphs'])}): {path / 'onnx'}")
    if settings.model == DEFAULT_MODEL:  # the ranker's reference questions, embedded once per precision
        from gka_match.index.scoring import background_vectors
        from gka_match.runtime import open_embedder

        for precision in manifest["graphs"]:
            background_vectors(open_embedder(settings.model_copy(update={"precision": precision})), settings.model_dir)
    if settings.model != DEFAULT_MODEL:
        say(f"Let op: GKA_MODEL={settings.model} draait via sentence-transformers; het voorbereide "
             "standaardmodel wordt alleen gebruikt als GKA_MODEL niet is gezet.")
    return 0


@command("seed")
def cmd_seed(args: argparse.Namespace) -> int:
    from gka_match.runtime import open_store, seed_bundled

    summary = seed_bundled(open_store(args.settings))
    say(f"Meegeleverde data geïmporteerd: {summary}.")
    return 0


@command("build")
def cmd_build(args: argparse.Namespace) -> int:
    from gka_match.index.engine import Engine
    from gka_match.runtime import open_embedder, open_engine, open_store

    if args.if_needed:
        engine = open_engine(args.settings, say=say, progress=True)  # rebuilds only a missing/stale index
        engine.save_if_changed()  # keeps changes replayed from the log
    else:
        settings = args.settings
        engine = Engine(settings.index_dir, open_store(settings), open_embedder(settings), model_dir=settings.model_dir)
        engine.build(progress=True)
    say(f"Index klaar: {len(engine.docs)} documenten, dataversie {engine.data_version}, "
         f"snapshot {engine.snapshot}.")
    return 0


@command("eval")
def cmd_eval(args: argparse.Namespace) -> int:
    from gka_match.index.evaluation import FOREIGN_DIR, OFFTOPIC_SET, evaluate, format_table, load_queries
    from gka_match.runtime import open_embedder, open_engine, open_foreign_corpus, open_searcher

    settings = args.settings
    offtopic = load_queries(OFFTOPIC_SET)
    embedder = open_embedder(settings)
    reports = {}
    if args.file:
        path = Path(args.file)
        if not path.exists():
            raise UsageError(f"{path} bestaat niet")
        engine = open_engine(settings, say=say)
        reports[path.name] = evaluate(open_searcher(engine, settings), load_queries(path), offtopic, args.mode)
    else:
        if args.corpus in ("bundled", "both"):
            engine = open_engine(settings, say=say)
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

        uvicorn.run(create_app(args.settings), host=args.host, port=args.port, workers=1, log_level="info")
        return 0
    # Several processes share the port, the store and the index folder. Seed/build-if-needed
    # once here, in a short-lived child (so this supervisor does not keep a model in memory);
    # the workers then only load the snapshot and replay the change log.
    import multiprocessing
    import os

    child = multiprocessing.get_context("spawn").Process(target=_prepare_for_workers, args=(args.settings,),
                                                        name="gka-prepare")
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


def _prepare_for_workers(settings: Settings) -> None:
    """`serve --workers N`: open the engine once (seeds an empty store, rebuilds a missing or
    stale index) and save a snapshot that is up to date with the store, then exit."""
    from gka_match.data.store import StoreError
    from gka_match.index.embedder import ModelNotAvailable
    from gka_match.runtime import open_engine

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        engine = open_engine(settings, say=say)
        manifest = engine.index_dir / (engine.snapshot or "") / "manifest.json"
        saved = json.loads(manifest.read_text())["data_version"] if manifest.is_file() else None
        if saved != engine.data_version:
            engine.save()
        engine.store.close()
    except (StoreError, ModelNotAvailable, FileNotFoundError) as exc:
        say(f"gka-match serve: {exc}")
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
    "gka_match.cli_search",  # search, report
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
        args.settings = load_settings()  # once; the handlers pass on what their parts need
        return handler(args) if handler else 2
    except SettingsError as exc:
        say(f"gka-match {args.command}: {exc}")
        return 2
    except UsageError as exc:
        say(f"gka-match {args.command}: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a known failure class prints its message, not a traceback
        from gka_match.data.store import StoreError
        from gka_match.index.embedder import ModelNotAvailable

        if isinstance(exc, (StoreError, ModelNotAvailable, FileNotFoundError)):
            say(f"gka-match {args.command}: {exc}")
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
