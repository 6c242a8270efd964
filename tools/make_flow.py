"""Generate a bundle's BPMN flow from its reviewed ``bundle.json`` (``engine.workflow.flow_generator``).

    .venv/bin/python tools/make_flow.py bpmn/<code>/bundle.json        # writes bpmn/<code>/flow.bpmn
    .venv/bin/python tools/make_flow.py bpmn/<code>/bundle.json -o x.bpmn
    .venv/bin/python tools/make_flow.py --all [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BPMN_DIR = ROOT / "bpmn"
sys.path.insert(0, str(ROOT))

from engine.workflow.flow_generator import BundleError, render_flow  # noqa: E402


def load_bundle(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise BundleError(f"{path}: a bundle definition must be a JSON object")
    return data


def make_flow(bundle_path: Path, output: Path | None = None, check: bool = False) -> tuple[Path, bool]:
    """Write (or, with ``check``, only compare) the flow of one bundle. Returns the flow's path and whether
    it was already up to date."""
    text = render_flow(load_bundle(bundle_path))
    target = output or bundle_path.with_name("flow.bpmn")
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if not check and current != text:
        target.write_text(text, encoding="utf-8")
    return target, current == text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate bpmn/<code>/flow.bpmn from bpmn/<code>/bundle.json.")
    parser.add_argument("bundles", nargs="*", type=Path, help="bundle.json files")
    parser.add_argument("--all", action="store_true", help=f"every {BPMN_DIR.name}/*/bundle.json")
    parser.add_argument("-o", "--output", type=Path, help="where to write the flow (one bundle only)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a flow is out of date")
    args = parser.parse_args(argv)
    paths: list[Path] = list(args.bundles)
    if args.all:
        paths += sorted(BPMN_DIR.glob("*/bundle.json"))
    if not paths:
        parser.error("name a bundle.json or use --all")
    if args.output is not None and len(paths) != 1:
        parser.error("--output needs exactly one bundle")
    stale = []
    for path in paths:
        try:
            target, fresh = make_flow(path, args.output, args.check)
        except (BundleError, KeyError, json.JSONDecodeError) as err:
            print(f"{path}: {err}", file=sys.stderr)
            return 2
        if not fresh:
            stale.append(target)
        print(f"{target}: {'up to date' if fresh else ('out of date' if args.check else 'written')}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
