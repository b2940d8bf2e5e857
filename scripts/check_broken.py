#!/usr/bin/env python3
"""Static checks of the troubleshooting exercises in docs/exercises/broken/
(no Docker needed), reusing check_compose.py's loading, interpolation,
merging and cross-reference checks:

- every overlay (*.yaml) parses and validates against the Compose
  Specification schema alone, and merged with compose.yaml +
  compose.override.yaml (and compose.debug.yaml, once it exists), with
  every service, network and volume it references defined;
- it names only services compose.yaml defines, or that it adds and
  declares in its top-level `x-adds-services: [...]`;
- the relative paths it holds exist where Compose resolves them: against
  the project directory (the first -f file's folder, the repository root),
  not against the overlay's own folder;
- every overlay is used by exactly one scenario (NN-name.md), every overlay
  path a page names exists, and every `docker compose` command gives
  compose.yaml as its first -f file (which makes the repository root the
  project directory) and names only files that exist;
- every scenario has the sections Break it, Symptom, The hunt, The fix,
  Check, in that order; its ```sh docker``` blocks pass `bash -n`; fences
  carry one of the course's info strings (never ```sh run```: nothing here
  runs without Docker); the pages' relative links resolve; the README
  links every scenario.
"""
import json
import os
import re
import shlex
import subprocess
import sys

import jsonschema

# A sibling script, not a package; and no __pycache__ left in scripts/.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_compose as cc  # noqa: E402

ROOT = cc.ROOT
BROKEN = "docs/exercises/broken"
USED_WITH = [cc.BASE, "compose.override.yaml"]
# Written separately (its `tools` service: curl, dig, psql, tcpdump); the
# pages may name it before it lands, and the check uses it once it exists.
DEBUG = "compose.debug.yaml"
SECTIONS = ["Break it", "Symptom", "The hunt", "The fix", "Check"]
INFO_STRINGS = {"sh docker", "text", "yaml", "sql"}
ADDS_KEY = "x-adds-services"
SCENARIO = re.compile(r"^\d\d-[a-z0-9-]+\.md$")
OVERLAY_PATH = re.compile(re.escape(BROKEN) + r"/[A-Za-z0-9._-]+\.ya?ml")


def rel(*parts):
    return os.path.join(BROKEN, *parts)


def compose_merge(docs):
    """check_compose.merge over `docs`, x- keys dropped, then what Compose
    does and a plain merge does not: a service's volumes are unique by
    target (a later file's mount of the same path replaces the earlier)."""
    merged = {}
    for doc in docs:
        merged = cc.merge(merged, {k: v for k, v in doc.items() if not k.startswith("x-")})
    for svc in (merged.get("services") or {}).values():
        if isinstance(svc.get("volumes"), list):
            by_target = {}
            for vol in svc["volumes"]:
                by_target[volume_target(vol)] = vol
            svc["volumes"] = list(by_target.values())
    return merged


def volume_target(vol):
    if isinstance(vol, dict):
        return vol.get("target")
    parts = vol.split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def relative_paths(doc):
    """(where, path) for every relative path an overlay holds."""
    for name, svc in (doc.get("services") or {}).items():
        build = svc.get("build")
        if isinstance(build, str):
            yield f"services.{name}.build", build
        elif isinstance(build, dict) and "context" in build:
            yield f"services.{name}.build.context", build["context"]
        env_files = svc.get("env_file") or []
        for env_file in [env_files] if isinstance(env_files, (str, dict)) else env_files:
            path = env_file.get("path") if isinstance(env_file, dict) else env_file
            yield f"services.{name}.env_file", path
        for vol in svc.get("volumes") or []:
            source = vol.get("source", "") if isinstance(vol, dict) else vol.split(":")[0]
            if source.startswith("."):
                yield f"services.{name}.volumes", source
    for kind in ("configs", "secrets"):
        for name, item in (doc.get(kind) or {}).items():
            if isinstance(item, dict) and "file" in item:
                yield f"{kind}.{name}.file", item["file"]


def fences(text):
    """(info string, first line number, body) of every fenced block, list
    items' indented ones included (their indentation removed)."""
    blocks, fence, info, start, body = [], None, None, 0, []
    for number, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^( *)(`{3,})(.*)$", line)
        if fence is None and m:
            indent, fence, info, start, body = len(m.group(1)), m.group(2), m.group(3).strip(), number, []
        elif fence is not None and m and m.group(2).startswith(fence) and not m.group(3).strip():
            blocks.append((info, start, "\n".join(body) + "\n"))
            fence = None
        elif fence is not None:
            body.append(line[indent:] if line[:indent].strip() == "" else line)
    if fence is not None:
        blocks.append((info, start, None))
    return blocks


def compose_commands(code):
    """The argument lists of the `docker compose` commands in a shell block
    (continued lines joined; each ends at a `|`, `&&`, `;` or end of line)."""
    for line in code.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError:
            continue  # bash -n reports it
        command = []
        for word in words + [";"]:
            if word and set(word) <= set("|&;()<>"):
                for i in range(len(command) - 1):
                    if command[i:i + 2] == ["docker", "compose"]:
                        yield command[i + 2:]
                        break
                command = []
            else:
                command.append(word)


def compose_files(args):
    files = []
    for i, arg in enumerate(args):
        if arg in ("-f", "--file") and i + 1 < len(args):
            files.append(args[i + 1])
        elif arg.startswith("--file="):
            files.append(arg.split("=", 1)[1])
    return files


def check_page(name, text, problems, uses):
    label = rel(name)
    headings = re.findall(r"^## (.+?)\s*$", text, re.M)
    if name != "README.md" and headings != SECTIONS:
        problems.append(f"{label}: sections are {headings}, want {SECTIONS} in that order")
    for link in sorted(set(re.findall(r"\]\(([^)#]+)\)", text))):
        if "://" not in link and not os.path.exists(os.path.join(ROOT, BROKEN, link)):
            problems.append(f"{label}: links {link}, which does not exist")
    for path in sorted(set(OVERLAY_PATH.findall(text))):
        if not os.path.isfile(os.path.join(ROOT, path)):
            problems.append(f"{label}: names {path}, which does not exist")
        elif name != "README.md":
            uses.setdefault(os.path.basename(path), []).append(name)
    for info, line, body in fences(text):
        where = f"{label}:{line}"
        if body is None:
            problems.append(f"{where}: fence never closed")
            continue
        if info == "sh run":
            problems.append(f"{where}: ```sh run``` needs no Docker to run; nothing here does: use ```sh docker```")
        elif info not in INFO_STRINGS:
            problems.append(f"{where}: fence info string {info!r}: use ```sh docker``` for commands, ```text``` for output")
        if info != "sh docker":
            continue
        result = subprocess.run(["bash", "-n"], input=body, capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"{where}: bash -n: {result.stderr.strip()}")
        for args in compose_commands(body):
            files = compose_files(args)
            if files and files[0] != cc.BASE:
                problems.append(f"{where}: `docker compose -f {files[0]} ...`: give -f {cc.BASE} first, "
                                f"so the project directory (which relative paths resolve against) is the repository root")
            for path in files:
                if path == DEBUG and not os.path.exists(os.path.join(ROOT, DEBUG)):
                    continue
                if not os.path.isfile(os.path.join(ROOT, path)):
                    problems.append(f"{where}: -f {path}: no such file (paths are relative to the repository root)")


def main():
    with open(os.path.join(ROOT, "docker", "schema", "compose-spec.json")) as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    values = cc.env_example()
    required, problems = set(), []

    def validate(doc, label):
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            path = "/".join(str(p) for p in err.path)
            problems.append(f"{label}: {path}: {err.message}")

    folder = os.path.join(ROOT, BROKEN)
    names = sorted(os.listdir(folder))
    overlays = [n for n in names if n.endswith((".yaml", ".yml"))]
    scenarios = [n for n in names if SCENARIO.match(n)]
    if not overlays or not scenarios:
        sys.exit(f"check_broken: {BROKEN} has {len(overlays)} overlays and {len(scenarios)} scenarios")

    used_with = [cc.interpolate(cc.load(n), values, required, problems, n) for n in USED_WITH]
    debug = None
    if os.path.exists(os.path.join(ROOT, DEBUG)):
        debug = cc.interpolate(cc.load(DEBUG), values, required, problems, DEBUG)
    base_services = set(used_with[0]["services"])
    for name in overlays:
        label = rel(name)
        raw = cc.load(label)
        if not isinstance(raw, dict):
            problems.append(f"{label}: not a YAML mapping")
            continue
        doc = cc.interpolate(raw, values, required, problems, label)
        validate(doc, label)
        adds = doc.get(ADDS_KEY, [])
        if not isinstance(adds, list) or not all(isinstance(a, str) for a in adds):
            problems.append(f"{label}: {ADDS_KEY} must be a list of service names")
            adds = []
        services = doc.get("services") or {}
        for svc in services:
            if svc not in base_services and svc not in adds:
                problems.append(f"{label}: names service {svc!r}, which {cc.BASE} does not define "
                                f"(a service the overlay adds goes in its {ADDS_KEY})")
        for svc in adds:
            if svc in base_services:
                problems.append(f"{label}: {ADDS_KEY} lists {svc!r}, which {cc.BASE} already defines")
            elif svc not in services:
                problems.append(f"{label}: {ADDS_KEY} lists {svc!r}, which it does not define")
        for where, path in relative_paths(doc):
            if os.path.isabs(path):
                continue
            if not os.path.exists(os.path.join(ROOT, path)):
                hint = ""
                if os.path.exists(os.path.join(folder, path)):
                    hint = (f" (it exists next to the overlay, but Compose resolves relative paths against the "
                            f"project directory, the first -f file's folder: write ./{BROKEN}/{os.path.normpath(path)})")
                problems.append(f"{label}: {where}: {path} does not exist relative to the repository root{hint}")
        combos = [(USED_WITH + [label], used_with + [doc])]
        if debug is not None:
            combos.append((USED_WITH + [label, DEBUG], used_with + [doc, debug]))
        for files, docs in combos:
            merged = compose_merge(docs)
            combo = " + ".join(files)
            validate(merged, combo)
            cc.references(merged, combo, problems)

    uses = {}
    for name in scenarios + (["README.md"] if "README.md" in names else []):
        with open(os.path.join(folder, name)) as f:
            check_page(name, f.read(), problems, uses)
    for name in overlays:
        pages = sorted(set(uses.get(name, [])))
        if len(pages) != 1:
            problems.append(f"{rel(name)}: used by {len(pages)} scenarios ({', '.join(pages) or 'none'}), want exactly one")
    if "README.md" not in names:
        problems.append(f"{BROKEN}/README.md is missing")
    else:
        with open(os.path.join(folder, "README.md")) as f:
            readme = f.read()
        links = set(re.findall(r"\]\(([^)#]+)\)", readme))
        for name in scenarios:
            if name not in links:
                problems.append(f"{rel('README.md')}: does not link {name}")
    for var in sorted(required):
        if var not in values:
            problems.append(f"required variable {var} is not documented in .env.example")
    if problems:
        sys.exit("check_broken:\n  " + "\n  ".join(problems))
    with_debug = f" and with {DEBUG}" if debug is not None else f" ({DEBUG} not there yet: not merged)"
    print(f"check_broken: {len(overlays)} overlays valid alone and merged with "
          f"{' + '.join(USED_WITH)}{with_debug}; {len(scenarios)} scenarios, each overlay used by one")


if __name__ == "__main__":
    main()
