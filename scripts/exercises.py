#!/usr/bin/env python3
"""The practice track's runner (docs/exercises/README.md, "How the track is
tested"): every fenced command block of docs/exercises/*.md, checked, and
the runnable ones run.

Fences carry an info string that says what the block is:

  ```sh run```     runs on a machine without Docker: executed, in order, one
                   bash process per file (set -euo pipefail; what a block
                   exports the next one sees; each block starts at the
                   repository root)
  ```sh docker```  needs a Docker engine      \
  ```sh cloud```   needs a cloud account       > bash -n only
  ```sh setup```   the learner's own machine  /  (`make run`, `make dev`, exports)
  ```text```       output; any other language (yaml, sql, json, …) is shown only

A shell block without a marker (```sh```, ```bash```, ```console```, or no
info string at all) is reported: nothing is left unmarked. Each exercise
(NN-name.md) needs a `## Verification` section with at least one
```sh run``` block. Relative links must resolve. The ```sh docker``` blocks of
docs/exercises/broken/*.md get `bash -n` too (scripts/check_broken.py checks
the rest of that folder).

The runnable blocks need BASE, METRICS_BASE, DATABASE_URL,
TWEETS_EXERCISE_TMP and `tweets` on PATH. scripts/test-exercises.sh (`make
exercises`) provides them, a server and a database per file, through
--provision; without it they come from the environment (a learner's own
`make run`: see 01-run-and-explore.md). A failing block is reported with
its line, the failing command's line and its output. --self-test runs the
runner's own tests (pages that must pass, fail, and be reported).

  scripts/exercises.py [--list] [--only 03[,05]] [--jobs N] [--provision CMD] [-v] [--keep] [--self-test]
"""
import argparse
import concurrent.futures
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# EXERCISES_DIR: run the runner on another folder of pages instead.
TRACK = os.environ.get("EXERCISES_DIR", "docs/exercises")
BROKEN = "docs/exercises/broken"
EXERCISE = re.compile(r"^(\d\d)-[a-z0-9-]+\.md$")
SH_MARKERS = {"run", "docker", "cloud", "setup"}
# Shell blocks must say which kind they are; these languages are shells.
SHELLS = {"sh", "bash", "shell", "console", "zsh", "shell-session"}
# `! cmd` as a command of its own, or after && || ;: errexit ignores it.
NEGATED = re.compile(r"(^|&&|\|\||;)\s*!\s")
# ...but inside [[ ]] and (( )), `!` is an operator of the test.
TESTS = re.compile(r"\[\[.*?\]\]|\(\(.*?\)\)")
# A reader that stops early (head, grep -q, grep -m): under pipefail the
# writer may die of SIGPIPE (141), or a Rust println! of EPIPE (101), and
# fail the block now and then. Warned about, not failed: a tiny writer is safe.
EARLY_EXIT = re.compile(r"\|\s*(head\b|grep\s+-[A-Za-z]*[qm])")
WARNINGS = []  # reported, not failed
FILE_TIMEOUT = int(os.environ.get("EXERCISES_FILE_TIMEOUT", "150"))
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TAIL = 40  # lines of a failing block's output shown


class Block:
    def __init__(self, path, line, info, body):
        self.path, self.line, self.info, self.body = path, line, info, body
        words = info.split()
        self.lang = words[0] if words else ""
        self.marker = " ".join(words[1:])

    @property
    def kind(self):
        if self.lang == "sh" and self.marker in SH_MARKERS:
            return "sh " + self.marker
        return self.info

    @property
    def runnable(self):
        return self.kind == "sh run"

    def where(self):
        return f"{self.path}:{self.line}"


def fences(path):
    """Every fenced block of a Markdown file (list items' indented ones
    included, their indentation removed): Block, with the fence's line."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    blocks, fence, problems = [], None, []
    for number, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^( *)(`{3,}|~{3,})(.*)$", line)
        if fence is None and m:
            indent, fence, info, start, body = len(m.group(1)), m.group(2), m.group(3).strip(), number, []
        elif fence is not None and m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) \
                and not m.group(3).strip():
            blocks.append(Block(path, start, info, "\n".join(body) + "\n"))
            fence = None
        elif fence is not None:
            body.append(line[indent:] if line[:indent].strip() == "" else line)
    if fence is not None:
        problems.append(f"{path}:{start}: fence never closed")
    return text, blocks, problems


def outside_fences(text):
    """The text with fenced blocks blanked (links and headings inside code
    are not links and headings)."""
    out, fence = [], None
    for line in text.splitlines():
        m = re.match(r"^ *(`{3,}|~{3,})(.*)$", line)
        if fence is None and m:
            fence = m.group(1)
            out.append("")
        elif fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                fence = None
            out.append("")
        else:
            out.append(line)
    return out


def bash_n(block):
    result = subprocess.run(["bash", "-n"], input=block.body, capture_output=True, text=True)
    if result.returncode == 0:
        return None
    # bash -n names stdin lines: point at the Markdown line instead.
    def to_md(m):
        return f"line {block.line + int(m.group(1))}"
    return re.sub(r"line (\d+)", to_md, result.stderr.strip().replace("bash: ", "")).replace("\n", "; ")


def check(path, broken=False):
    """Static problems of one page, and its blocks."""
    text, blocks, problems = fences(path)
    for b in blocks:
        if b.lang in SHELLS and b.kind not in {f"sh {m}" for m in SH_MARKERS}:
            if b.lang == "sh" and b.marker:
                problems.append(f"{b.where()}: ```{b.info}```: unknown marker {b.marker!r} "
                                f"(sh run, sh docker, sh cloud or sh setup)")
            else:
                problems.append(f"{b.where()}: ```{b.info}``` is unmarked: say ```sh run``` (runs here, "
                                f"no Docker), ```sh docker```, ```sh cloud``` or ```sh setup```")
            continue
        if not b.info:
            problems.append(f"{b.where()}: a fence without an info string: ```text``` for output, "
                            f"```sh run|docker|cloud|setup``` for commands")
            continue
        if broken:
            if b.runnable:
                problems.append(f"{b.where()}: ```sh run``` in broken/: every scenario needs Docker (```sh docker```)")
            if b.kind != "sh docker":
                continue
        if b.lang == "sh":
            err = bash_n(b)
            if err:
                problems.append(f"{b.where()}: bash -n: {err}")
        if b.runnable:
            for offset, line in enumerate(b.body.splitlines(), 1):
                if NEGATED.search(TESTS.sub("", line)):
                    problems.append(f"{b.path}:{b.line + offset}: `! command` never fails a block (set -e "
                                    f"ignores it): write `if command; then exit 1; fi`")
                if EARLY_EXIT.search(line):
                    WARNINGS.append(f"{b.path}:{b.line + offset}: `… | head` or `… | grep -q` under pipefail fails "
                                    f"when the writer dies of SIGPIPE: `grep -q x <<<\"$(cmd)\"`, `cmd | sed -n 1,5p`")
    lines = outside_fences(text)
    prose = "\n".join(lines)
    if not broken:  # broken/'s links are check_broken.py's
        folder = os.path.dirname(path)
        for number, line in enumerate(lines, 1):
            for link in re.findall(r"\]\(([^)\s]+)\)", line):
                target = link.split("#", 1)[0]
                if not target or re.match(r"^[a-z]+:", target):
                    continue
                if not os.path.exists(os.path.join(ROOT, folder, target)):
                    problems.append(f"{path}:{number}: links {link}, which does not exist")
    name = os.path.basename(path)
    if not broken and EXERCISE.match(name):
        if not re.search(r"^# \S", prose, re.M):
            problems.append(f"{path}: no title (a `# ` heading)")
        headings = [(n, l) for n, l in enumerate(lines, 1) if re.match(r"^## ", l)]
        start = next((n for n, l in headings if l.strip() == "## Verification"), None)
        if start is None:
            problems.append(f"{path}: no `## Verification` section")
        else:
            end = next((n for n, _ in headings if n > start), len(lines) + 1)
            if not any(b.runnable and start < b.line < end for b in blocks):
                problems.append(f"{path}:{start}: `## Verification` has no ```sh run``` block to prove success")
    return blocks, problems


PREAMBLE = r"""set -ETeuo pipefail
exec {__ex_fd}>&2
__ex_mark() { printf '\n%s %s\n' "$__ex_token" "$*" >&"$__ex_fd"; }
__ex_exit() {
  if (($1 != 0)); then
    __ex_mark last "$1" "${__ex_line:-0}" "${__ex_src:-}"
    __ex_mark cmd "${__ex_cmd//$'\n'/ }"
  fi
}
# The last command the shell ran (in functions and the sourced blocks too:
# set -T), reported when the file's shell exits non-zero, whether errexit
# or an explicit `exit 1` ended it. The runner's own commands are skipped.
# (One line: $LINENO counts the trap's own lines.)
trap 'case ${FUNCNAME[0]:-}:$BASH_COMMAND in __ex_*|*:__ex_*|*:"source $__ex_blocks/"*) ;; *) __ex_line=$LINENO __ex_src=${BASH_SOURCE[0]:-} __ex_cmd=$BASH_COMMAND ;; esac' DEBUG
trap '__ex_exit $?' EXIT
"""


def program(blocks, block_dir, token):
    """One bash script running every block in order, marking where each
    begins and ends, and what failed, on a file descriptor of its own."""
    os.makedirs(block_dir, exist_ok=True)
    name = os.path.basename(blocks[0].path)
    lines = [f"__ex_token={shlex.quote(token)} __ex_blocks={shlex.quote(block_dir)}", PREAMBLE]
    for i, b in enumerate(blocks):
        file = os.path.join(block_dir, f"{name}:{b.line}")
        with open(file, "w", encoding="utf-8") as f:
            f.write(b.body)
        lines += [f"cd {shlex.quote(ROOT)}", f"__ex_mark begin {i}", f"source {shlex.quote(file)}", f"__ex_mark end {i}"]
    return "\n".join(lines) + "\n"


def shorten(command, width=160):
    command = " ".join(command.split())
    return command if len(command) <= width else command[:width - 1] + "…"


def alive_in_group(pgid):
    """Whether a process of the group still runs (zombies, which nothing may
    reap here, do not count)."""
    if not os.path.isdir("/proc/self"):
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def kill_group(pgid):
    """Ends what the file's blocks left running (servers started in the
    background): the process group started for this file, and only it."""
    for sig, pause in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 1.0)):
        if not alive_in_group(pgid):
            return
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline and alive_in_group(pgid):
            time.sleep(0.05)


def run_file(path, blocks, provision, keep, verbose):
    """Runs one file's ```sh run``` blocks; returns (ok, ran, passed, seconds, report)."""
    runnable = [b for b in blocks if b.runnable]
    if not runnable:
        return True, 0, 0, 0.0, ""
    name = os.path.basename(path)
    work = tempfile.mkdtemp(prefix=f"exercise-{name[:2]}-")
    scratch = os.path.join(work, "tmp")
    os.makedirs(scratch)
    token = "@@exercise-" + secrets.token_hex(6)
    script = os.path.join(work, "program.sh")
    with open(script, "w", encoding="utf-8") as f:
        f.write(program(runnable, os.path.join(work, "blocks"), token))
    env = dict(os.environ, TWEETS_EXERCISE_TMP=scratch, EXERCISE_ID=name[:2], EXERCISE_WORK=work)
    log = os.path.join(work, "output.log")
    started = time.monotonic()
    timed_out = False
    with open(log, "wb") as out:
        proc = subprocess.Popen(provision + ["bash", script], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            status = proc.wait(timeout=FILE_TIMEOUT)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc.pid)
            status = proc.wait()
        kill_group(proc.pid)
    seconds = time.monotonic() - started
    with open(log, encoding="utf-8", errors="replace") as f:
        output = ANSI.sub("", f.read())

    # Split the output by block (each mark follows a newline of its own: drop it).
    pre, per_block, errs, current = [], {}, {}, None
    ended = set()
    for line in output.splitlines():
        if line.startswith(token + " "):
            words = line.split(" ", 3)
            if words[1] == "begin":
                current = int(words[2])
                per_block[current] = []
            elif words[1] == "end":
                ended.add(int(words[2]))
                current = None
            elif words[1] == "last" and current is not None:
                rc, lineno = words[2], words[3].split(" ", 1)
                errs[current] = {"rc": rc, "lineno": int(lineno[0]), "src": lineno[1] if len(lineno) > 1 else ""}
            elif words[1] == "cmd" and current is not None and current in errs:
                errs[current]["cmd"] = line.split(" ", 2)[2] if len(line.split(" ", 2)) > 2 else ""
            continue
        (per_block[current] if current is not None else pre).append(line)
    for body in per_block.values():
        while body and not body[-1].strip():
            body.pop()
    passed = len(ended)
    ok = status == 0 and passed == len(runnable) and not timed_out
    report = []
    if verbose:
        for i, b in enumerate(runnable):
            if i in per_block:
                report.append(f"  --- {b.where()} ({'ok' if i in ended else 'FAILED'})")
                report += ["  | " + l for l in per_block[i]]
    if not ok:
        failing = next((i for i in range(len(runnable)) if i not in ended), None)
        if failing is None or failing not in per_block:
            report.append(f"  the file's shell exited {status} before its first block "
                          f"(provisioning failed?):")
            report += ["  | " + l for l in pre[-TAIL:]]
        else:
            b = runnable[failing]
            why = f"timed out after {FILE_TIMEOUT} s" if timed_out else (
                f"exit {status}" if status != 0 else "exit 0 (the block ended the shell: `exit`?)")
            report.append(f"  block at {b.where()} ({b.kind}) failed: {why}")
            err = errs.get(failing)
            if err and not timed_out:
                src = err["src"]
                source = next((x for x in runnable if src.endswith(f"/{os.path.basename(path)}:{x.line}")), None)
                if source is not None:
                    # The line as written (a whole pipeline, not just its last command).
                    text = (source.body.splitlines() + [""] * err["lineno"])[err["lineno"] - 1].strip()
                    report.append(f"  command at {path}:{source.line + err['lineno']} exited {err['rc']}: "
                                  f"{shorten(text or err.get('cmd', ''))}")
                else:
                    report.append(f"  command exited {err['rc']}: {shorten(err.get('cmd', ''))}")
            body = per_block[failing]
            report.append(f"  output of the block (last {TAIL} lines):" if len(body) > TAIL else
                          "  output of the block:" if body else "  (the block printed nothing)")
            report += ["  | " + l for l in body[-TAIL:]]
        server_log = os.path.join(work, "server.log")
        if os.path.exists(server_log):
            with open(server_log, encoding="utf-8", errors="replace") as f:
                tail = ANSI.sub("", f.read()).splitlines()[-10:]
            if tail:
                report.append("  the API server's log (last 10 lines):")
                report += ["  | " + l for l in tail]
    if keep:
        report.append(f"  kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return ok, len(runnable), passed, seconds, "\n".join(report)


def selected(only):
    names = sorted(n for n in os.listdir(os.path.join(ROOT, TRACK)) if n.endswith(".md"))
    if not only:
        return [f"{TRACK}/{n}" for n in names], True
    wanted = [w.strip() for spec in only for w in spec.split(",") if w.strip()]
    picked = []
    for w in wanted:
        if w == "broken":
            continue
        match = [n for n in names if n == w or n.startswith(w + "-") or n == w + ".md"]
        if not match:
            sys.exit(f"exercises: --only {w}: no such file in {TRACK} (try --list)")
        picked += [f"{TRACK}/{n}" for n in match if f"{TRACK}/{n}" not in picked]
    return picked, "broken" in wanted


SELF_TEST_PAGES = {
    "01-pass.md": """# Passes

```sh setup
make run
```

```sh run
export EX_VAR=kept
cd /
sleep 300 &
echo $! >"$TWEETS_EXERCISE_TMP/sleeper.pid"
```

## Verification

```sh run
test "$EX_VAR" = kept
test "$PWD" = "$EX_ROOT"
test -d "$TWEETS_EXERCISE_TMP"
```
""",
    "02-fail.md": """# Fails

## Verification

```sh run
echo before
if true; then
  exit 3
fi
```

```sh run
echo never reached
```
""",
    "03-problems.md": """# Problems

[nowhere](missing-page.md)

```sh
echo unmarked
```

```bash
echo unmarked too
```

```
no info string
```

```sh runn
echo unknown marker
```

```sh docker
if then
```

```sh run
! false
[[ ! -e /nonexistent ]]
seq 1000 | head -n 1
```
""",
}


def self_test():
    """The runner's own tests: pages that must pass, fail and be reported,
    run without a server (`test-exercises.sh` runs this first)."""
    folder = tempfile.mkdtemp(prefix="exercises-self-test-")
    failures, checks = [], 0

    def expect(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)

    try:
        for name, text in SELF_TEST_PAGES.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(text)
        os.environ.update(EX_ROOT=ROOT, BASE="http://127.0.0.1:9", DATABASE_URL="postgres://nowhere/none")
        page = os.path.join(folder, "01-pass.md")
        blocks, problems = check(page)
        expect(problems == [], f"01-pass.md has no problems (got {problems})")
        ok, ran, passed, _, report = run_file(page, blocks, [], True, False)
        expect(ok and ran == passed == 2, f"01-pass.md passes, 2 of 2 blocks (got {ok}, {passed}/{ran}: {report})")
        work = report.rsplit("kept: ", 1)[-1].strip()
        with open(os.path.join(work, "tmp", "sleeper.pid")) as f:
            sleeper = int(f.read())
        expect(not pid_alive(sleeper), "what a block left running is stopped when the file ends")
        shutil.rmtree(work, ignore_errors=True)

        page = os.path.join(folder, "02-fail.md")
        blocks, problems = check(page)
        ok, ran, passed, _, report = run_file(page, blocks, [], False, False)
        expect(not ok and ran == 2 and passed == 0, f"02-fail.md fails in its first block (got {ok}, {passed}/{ran})")
        expect(f"block at {page}:5 (sh run) failed: exit 3" in report, f"the failing block is named: {report}")
        expect(f"command at {page}:8 exited 3: exit 3" in report, f"the failing command is named: {report}")
        expect("| before" in report and "never reached" not in report, f"the block's output is shown: {report}")

        page = os.path.join(folder, "03-problems.md")
        _, problems = check(page)
        text = "\n".join(problems)
        for line, what in ((3, "links missing-page.md"), (5, "```sh``` is unmarked"), (9, "```bash``` is unmarked"),
                           (13, "a fence without an info string"), (17, "unknown marker 'runn'"),
                           (21, "bash -n: "), (26, "`! command` never fails"), (None, "no `## Verification`")):
            where = f"{page}:{line}: " if line else f"{page}: "
            expect(any(p.startswith(where) and what in p for p in problems), f"reported: {where}{what} (got:\n{text})")
        expect(sum("never fails" in p for p in problems) == 1, f"`[[ ! … ]]` is not reported (got:\n{text})")
        expect(any(w.startswith(f"{page}:28: ") and "SIGPIPE" in w for w in WARNINGS),
               f"`| head` is warned about (got: {WARNINGS})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if failures:
        print("exercises.py --self-test: FAILED\n  " + "\n  ".join(failures))
        return 1
    print(f"exercises.py --self-test: {checks} checks passed")
    return 0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="list every block, its kind and first line; run nothing")
    ap.add_argument("--only", action="append", metavar="NN", help="only these files (03, 03,05, or `broken`)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="files run at once (each has its own server and database)")
    ap.add_argument("--provision", default="", metavar="CMD",
                    help="command that prepares one file's server and database, then runs the command it is given")
    ap.add_argument("--keep", action="store_true", help="keep each file's blocks, output and scratch directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every block's output")
    ap.add_argument("--self-test", action="store_true", help="the runner's own tests (no server needed), then exit")
    args = ap.parse_args()
    if args.self_test:
        return self_test()

    pages, with_broken = selected(args.only)
    broken_pages = []
    if with_broken:
        broken_pages = sorted(f"{BROKEN}/{n}" for n in os.listdir(os.path.join(ROOT, BROKEN)) if n.endswith(".md"))

    checked, problems = {}, []
    for page in pages:
        blocks, p = check(page)
        checked[page] = blocks
        problems += p
    for page in broken_pages:
        blocks, p = check(page, broken=True)
        checked[page] = blocks
        problems += p

    if args.list:
        for page, blocks in checked.items():
            print(page)
            for b in blocks:
                first = next((l for l in b.body.splitlines() if l.strip()), "")
                print(f"  {b.line:>5}  {b.kind or '(none)':<10} {first[:90]}")
        for p in problems:
            print("problem: " + p)
        for w in WARNINGS:
            print("warning: " + w)
        return 1 if problems else 0

    for p in problems:
        print("problem: " + p)
    for w in WARNINGS:
        print("warning: " + w)
    statically = sum(1 for bs in checked.values() for b in bs if b.lang == "sh" and not b.runnable
                     and (b.kind == "sh docker" or not b.path.startswith(BROKEN)))
    provision = shlex.split(args.provision)
    if not provision:
        missing = [v for v in ("BASE", "METRICS_BASE", "DATABASE_URL") if not os.environ.get(v)]
        if not shutil.which("tweets"):
            missing.append("`tweets` on PATH")
        if missing and any(b.runnable for p in pages for b in checked[p]):
            sys.exit(f"exercises: {', '.join(missing)} not set: run `make exercises` (a server and a database "
                     f"per file), or export them for your own `make run` (01-run-and-explore.md)")

    started = time.monotonic()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_file, page, checked[page], provision, args.keep, args.verbose): page
                   for page in pages}
        shown = 0  # results are printed in file order, each as soon as it and those before it are done
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            while shown < len(pages) and pages[shown] in results:
                ok, ran, passed, seconds, report = results[pages[shown]]
                if ran:
                    print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(pages[shown]):<32} "
                          f"{passed}/{ran} runnable blocks passed  {seconds:5.1f} s", flush=True)
                if report:
                    print(report, flush=True)
                shown += 1
    failed = [p for p, r in results.items() if not r[0]]
    ran = sum(r[1] for r in results.values())
    passed = sum(r[2] for r in results.values())
    elapsed = time.monotonic() - started
    summary = (f"exercises: {len(pages)} pages, {passed}/{ran} runnable blocks passed "
               f"({sum(1 for r in results.values() if r[1] and r[0])}/{sum(1 for r in results.values() if r[1])} files), "
               f"{statically} blocks checked with bash -n"
               f"{' (broken/ included)' if broken_pages else ''}, {len(problems)} problems, {elapsed:.1f} s")
    print(summary)
    if failed or problems:
        if failed:
            print("failed: " + " ".join(os.path.basename(p) for p in sorted(failed)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
