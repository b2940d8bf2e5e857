#!/usr/bin/env python3
"""docs/ci-integration.md embeds the files it documents verbatim; check that
they still match.

The workflow that runs the example (.github/workflows/integration-example.yml,
so the api-tests job the doc tells readers to copy) and the consumer test
script (docs/examples/ci-integration/test_api.sh) each sit in the doc between

    <!-- BEGIN path -->
    ```lang
    ...the file, byte for byte...
    ```
    <!-- END path -->

Comparing whole files is stricter than comparing the parsed job: comments and
the order of keys are what a reader copies too.

    python3 docs/examples/ci-integration/check_doc_sync.py           # exit 1 and a diff when they differ
    python3 docs/examples/ci-integration/check_doc_sync.py --write   # rewrite the doc's blocks from the files

Standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = "docs/ci-integration.md"
# (file embedded, language of its fenced block)
EMBEDDED = [
    (".github/workflows/integration-example.yml", "yaml"),
    ("docs/examples/ci-integration/test_api.sh", "bash"),
]


def block_pattern(path: str, lang: str) -> re.Pattern[str]:
    p = re.escape(path)
    return re.compile(
        rf"(?P<head><!-- BEGIN {p} -->\n```{lang}\n)(?P<body>.*?)(?P<tail>^```\n<!-- END {p} -->)",
        re.DOTALL | re.MULTILINE,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the doc's blocks from the files")
    args = ap.parse_args()

    doc_path = ROOT / DOC
    doc = original = doc_path.read_text(encoding="utf-8")
    problems = 0
    for path, lang in EMBEDDED:
        source = (ROOT / path).read_text(encoding="utf-8")
        if not source.endswith("\n"):
            source += "\n"
        pattern = block_pattern(path, lang)
        matches = list(pattern.finditer(doc))
        if len(matches) != 1:
            print(
                f"{DOC}: expected exactly one block between <!-- BEGIN {path} --> and "
                f"<!-- END {path} --> fenced as ```{lang}, found {len(matches)}",
                file=sys.stderr,
            )
            return 2
        embedded = matches[0].group("body")
        if embedded == source:
            print(f"ok: {DOC} holds {path} verbatim")
            continue
        if args.write:
            doc = pattern.sub(lambda m: m.group("head") + source + m.group("tail"), doc)
            print(f"rewrote the block of {path} in {DOC}")
            continue
        problems += 1
        sys.stderr.writelines(
            difflib.unified_diff(
                embedded.splitlines(keepends=True),
                source.splitlines(keepends=True),
                fromfile=f"{DOC} (block of {path})",
                tofile=path,
            )
        )
        print(
            f"{DOC} and {path} differ: change them together, or run "
            f"`python3 docs/examples/ci-integration/check_doc_sync.py --write`",
            file=sys.stderr,
        )
    if doc != original:
        doc_path.write_text(doc, encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
