"""``python -m bench [--quick] [--keep]``: run the benchmark, print Markdown, write JSON."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="gka-match benchmarks")
    parser.add_argument("--quick", action="store_true",
                        help="small run for development (1k and 5k docs, fewer queries, no 1k encoding)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server processes, e.g. OMP_NUM_THREADS=1 (repeatable)")
    args = parser.parse_args(argv)
    server_env = {}
    for item in args.server_env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"--server-env needs NAME=VALUE, got {item!r}")
        server_env[name] = value
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for noisy in ("sentence_transformers", "transformers", "faiss", "txtai", "httpx", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    from .report import markdown, write
    from .runner import Plan, run

    plan = Plan.quick() if args.quick else Plan.full()
    plan.server_env = server_env
    res = run(plan, keep=args.keep)
    res["plan"]["quick"] = args.quick
    print()
    print(markdown(res))
    dated, latest = write(res)
    print(f"Results: {dated} and {latest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
