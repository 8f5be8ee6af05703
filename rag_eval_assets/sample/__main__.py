"""Command line: ``python -m rag_eval_assets.sample`` (console script ``rag-eval-sample``)."""

from __future__ import annotations

import argparse
import json
import sys

from rag_eval_assets.sample import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-eval-sample", description="Generate the sample corpus and its golden sets.")
    parser.add_argument("--corpus", default="sample_corpus", help="corpus folder (default: sample_corpus)")
    parser.add_argument("--golden", default="golden_sets/sample", help="golden-set folder (default: golden_sets/sample)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--size", type=int, default=None, help="number of documents (default: the ~100-document base sample)")
    parser.add_argument("--workers", type=int, default=None, help="render processes (default: up to 4)")
    args = parser.parse_args(argv)
    result = generate(args.corpus, args.golden, seed=args.seed, size=args.size, workers=args.workers,
                      progress=lambda msg: print(msg, flush=True))
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
