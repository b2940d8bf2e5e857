#!/usr/bin/env python3
"""Static checks of the Terraform under terraform/ that need no provider.

Providers cannot be downloaded here, so `terraform validate` cannot run; this
checks what it can from the source (parsed with python-hcl2) and runs
`terraform plan` on each module's variables.tf alone to exercise its
`validation` blocks:

  parse        every .tf (and .tfvars) file parses
  layout       each module and environment has main.tf, variables.tf,
               outputs.tf, versions.tf and README.md; variables only in
               variables.tf, outputs only in outputs.tf
  references   var.X, local.X, module.X.Y, data.T.N and T.N (resources of the
               providers in use) inside interpolations and bare expressions
               resolve in their module; every variable and local is used
  module calls local `source` exists; arguments are the called module's
               variables and every variable without a default is passed
  variables    description and type; secret-sounding names are sensitive;
               outputs carrying sensitive values are sensitive
  versions     required_version; every required provider has source and
               version; every resource type's provider is required; no
               provider blocks inside terraform/modules
  readme       README.md "## Inputs" table = the variables in declaration
               order (type, default, required) and "## Outputs" = the outputs
  environments dev and prod share main.tf, variables.tf and outputs.tf byte
               for byte; *.tfvars set only declared variables
  validation   terraform/validation/<module>.json cases against `terraform
               plan` on the module's variables.tf; every validated variable
               has a failing and a passing case

Usage: check_terraform.py [--root terraform] [--no-plan] [--jobs N]
       check_terraform.py --self-test
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import hcl2
from hcl2 import SerializationOptions
from hcl2.utils import process_escape_sequences

HCL_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

GROUPS = [
    "parse",
    "layout",
    "references",
    "module calls",
    "variables",
    "versions",
    "readme",
    "environments",
    "validation",
]

# Arguments of a module block that are not the module's input variables.
MODULE_META_ARGS = {"source", "version", "count", "for_each", "providers", "depends_on"}

# Provider local names whose resource types are recognised in references even
# when a module forgets to declare the provider (a missing declaration is
# reported separately). The module's required_providers are added to these.
KNOWN_PROVIDER_PREFIXES = {
    "aws", "docker", "random", "tls", "time", "null", "local", "archive", "http",
    "cloudinit", "external", "kubernetes", "helm", "tfe", "github", "google", "azurerm",
}
BUILTIN_RESOURCE_TYPES = {"terraform_data"}
# Roots of traversals that are never references to declarations.
NON_DECLARATION_ROOTS = {"count", "each", "self", "path", "terraform", "provider"}

# Attributes the providers mark sensitive, which make an output that shows them need sensitive = true.
SENSITIVE_RESOURCE_ATTRS = {
    "random_password": ("result", "bcrypt_hash"),
    "tls_private_key": ("private_key_pem", "private_key_openssh", "private_key_pem_pkcs8"),
}

REQUIRED_FILES = ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"]


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------


@dataclass
class Finding:
    group: str
    where: str  # "path" or "path:line"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, group: str, where: str, message: str) -> None:
        assert group in GROUPS, group
        self.findings.append(Finding(group, where, message))

    def note(self, group: str, text: str) -> None:
        self.notes[group] = text


# ---------------------------------------------------------------------------
# The reference scanner
# ---------------------------------------------------------------------------
#
# python-hcl2 (strip_string_quotes=True) gives every expression as a string:
# a bare expression comes back wrapped as "${...}", a quoted template as its
# text with the interpolations left in place, a heredoc as "<<EOT\n...EOT".
# So each string value is scanned as a template: only the insides of ${...}
# and %{...} are expressions; everything else is literal text (an IAM action
# "ecs:*", a description that mentions var.x) and is never looked at. Inside
# an expression, quoted strings are templates again, comments are skipped,
# and a traversal (root.attr[index].attr) is read whole, so that
# each.value.aws_x.y is not mistaken for a resource reference.

IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
HEREDOC_RE = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
FOR_VARS_RE = re.compile(r"\bfor\s+([A-Za-z_][A-Za-z0-9_-]*)(?:\s*,\s*([A-Za-z_][A-Za-z0-9_-]*))?\s+in\b")
CLOSERS = {"(": ")", "[": "]", "{": "}"}
# A file function on a literal path under the module (as json.dumps shows it).
FILE_CALL_RE = re.compile(r'\b(file|templatefile|filebase64|filemd5|filesha256|filesha1)\(\s*\\"\$\{path\.module\}/([^"\\$]+)\\"')


def scan_template(text: str) -> list[list[str]]:
    """Traversals inside the interpolations of a template string.

    Each traversal is a list of segments: names, "[]" for an index, "*" for a
    splat. Iterator names of for expressions are dropped.
    """
    out: list[list[str]] = []
    _template(text, 0, out, quoted=False)
    bound = set()
    for m in FOR_VARS_RE.finditer(text):
        bound.update(g for g in m.groups() if g)
    return [t for t in out if t[0] not in bound]


def _template(s: str, i: int, out: list, quoted: bool) -> int:
    """Scans template text from i; a quoted template ends after its closing quote."""
    n = len(s)
    while i < n:
        c = s[i]
        if quoted and c == "\\":
            i += 2
            continue
        if quoted and c == '"':
            return i + 1
        if s.startswith("$${", i) or s.startswith("%%{", i):
            i += 3
            continue
        if s.startswith("${", i) or s.startswith("%{", i):
            i = _expr(s, i + 2, out, closer="}")
            continue
        i += 1
    return i


def _expr(s: str, i: int, out: list, closer: str | None) -> int:
    """Scans an expression from i up to the unmatched `closer`; returns the index after it."""
    n = len(s)
    stack: list[str] = []
    after_dot = False
    while i < n:
        c = s[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "#" or s.startswith("//", i):
            j = s.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if s.startswith("/*", i):
            j = s.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == '"':
            i = _template(s, i + 1, out, quoted=True)
            after_dot = False
            continue
        m = HEREDOC_RE.match(s, i)
        if m:
            marker = m.group(2)
            end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M).search(s, m.end())
            body_end = end.start() if end else n
            _template(s[m.end():body_end], 0, out, quoted=False)
            i = end.end() if end else n
            after_dot = False
            continue
        if c in CLOSERS:
            stack.append(CLOSERS[c])
            i += 1
            after_dot = False
            continue
        if c in ")]}":
            if stack and stack[-1] == c:
                stack.pop()
            elif c == closer:
                return i + 1
            i += 1
            after_dot = False
            continue
        if c == ".":
            after_dot = True
            i += 1
            continue
        if c.isdigit():
            m = NUMBER_RE.match(s, i)
            i = m.end() if m else i + 1
            after_dot = False
            continue
        m = IDENT_RE.match(s, i)
        if m:
            if after_dot:  # an attribute of something that is not a traversal root, e.g. f(x).attr
                i = m.end()
                after_dot = False
                continue
            i = _traversal(s, i, out)
            continue
        after_dot = False
        i += 1
    return i


def _traversal(s: str, i: int, out: list) -> int:
    n = len(s)
    m = IDENT_RE.match(s, i)
    segs = [m.group()]
    i = m.end()
    while i < n:
        if s[i] == "." and i + 1 < n:
            if s[i + 1] == "*":
                segs.append("*")
                i += 2
                continue
            m = IDENT_RE.match(s, i + 1) or re.compile(r"[0-9]+").match(s, i + 1)
            if m:
                segs.append(m.group())
                i = m.end()
                continue
            break
        if s[i] == "[":
            i = _expr(s, i + 1, out, closer="]")
            segs.append("[]")
            continue
        break
    if s.startswith("::", i):  # provider::name::function(...)
        return i
    out.append(segs)
    return i


@dataclass(frozen=True)
class Ref:
    kind: str  # var, local, module, data, resource
    name: str  # var/local/module name; "type.name" for data and resources
    attr: str | None = None  # module output

    def text(self) -> str:
        if self.kind == "resource":
            return self.name
        if self.kind == "module":
            return f"module.{self.name}" + (f".{self.attr}" if self.attr else "")
        return f"{self.kind}.{self.name}"


def classify(segs: list[str], prefixes: set[str]) -> Ref | None:
    names = [s for s in segs if s not in ("[]", "*")]
    root = segs[0]
    if root in NON_DECLARATION_ROOTS:
        return None
    if root in ("var", "local"):
        if len(segs) > 1 and segs[1] not in ("[]", "*"):
            return Ref(root, segs[1])
        return None
    if root == "module":
        if len(segs) > 1 and segs[1] not in ("[]", "*"):
            rest = [s for s in segs[2:] if s not in ("[]", "*")]
            return Ref("module", segs[1], rest[0] if rest else None)
        return None
    if root == "data":
        if len(segs) > 2 and segs[1] not in ("[]", "*") and segs[2] not in ("[]", "*"):
            return Ref("data", f"{segs[1]}.{segs[2]}")
        return None
    if len(names) > 1 and len(segs) > 1 and segs[1] not in ("[]", "*") and is_resource_type(root, prefixes):
        rest = [s for s in segs[2:] if s not in ("[]", "*")]
        return Ref("resource", f"{root}.{segs[1]}", rest[0] if rest else None)
    return None


def is_resource_type(name: str, prefixes: set[str]) -> bool:
    if name in BUILTIN_RESOURCE_TYPES:
        return True
    m = re.fullmatch(r"([a-z][a-z0-9]*)_[a-z0-9_]+", name)
    return bool(m) and m.group(1) in prefixes


def refs_in_value(value, prefixes: set[str]) -> list[Ref]:
    """Every declaration reference inside a parsed HCL value (strings, lists, dicts, keys)."""
    found: list[Ref] = []

    def walk(v):
        if isinstance(v, str):
            for segs in scan_template(v):
                r = classify(segs, prefixes)
                if r:
                    found.append(r)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k.startswith("__"):
                    continue
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    return found


# ---------------------------------------------------------------------------
# Markdown tables
# ---------------------------------------------------------------------------


def md_sections(text: str) -> dict[str, list[tuple[int, str]]]:
    """Level-2 sections of a markdown document: lower-cased title -> [(line number, line)]."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current = None
    in_fence = False
    for no, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence:
            m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if m:
                level = len(m.group(1))
                if level == 2:
                    current = m.group(2).strip().lower()
                    sections.setdefault(current, [])
                elif level == 1:
                    current = None
                # a level-3+ heading stays inside its section
                continue
        if current is not None:
            sections[current].append((no, line))
    return sections


def split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]


def md_table(lines: list[tuple[int, str]]) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The first table among lines: (header cells, [(line number, cells)]), or None."""
    block: list[tuple[int, str]] = []
    for no, line in lines:
        if line.strip().startswith("|"):
            block.append((no, line))
        elif block:
            break
    if len(block) < 2 or not re.fullmatch(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?", block[1][1].strip()):
        return None
    header = [clean_cell(c).lower() for c in split_row(block[0][1])]
    return header, [(no, split_row(line)) for no, line in block[2:]]


def clean_cell(c: str) -> str:
    c = re.sub(r"<a\s[^>]*>\s*</a>", "", c)
    c = re.sub(r"<br\s*/?>", "\n", c, flags=re.I)
    c = re.sub(r"</?pre>", "", c, flags=re.I)
    c = html.unescape(c).strip()
    m = re.fullmatch(r"\[(.+?)\]\([^)]*\)", c, re.S)
    if m:
        c = m.group(1).strip()
    if c.startswith("```") and c.endswith("```") and len(c) >= 6:
        c = re.sub(r"^```[a-z]*", "", c)[:-3]
    elif len(c) >= 2 and c.startswith("`") and c.endswith("`"):
        c = c[1:-1]
    return c.strip()


def clean_name(c: str) -> str:
    return clean_cell(c).replace("\\_", "_").strip("`").strip()


def norm_type(t: str | None) -> str:
    t = unwrap(t or "any")
    return re.sub(r"[\s,]+", "", t)


def unwrap(s: str) -> str:
    """"${expr}" -> "expr" when the whole string is one interpolation."""
    if isinstance(s, str) and s.startswith("${") and s.endswith("}"):
        inner = s[2:-1]
        out: list = []
        if _expr(s, 2, out, closer="}") == len(s):
            return inner
    return s


def parse_md_default(cell: str):
    """(has_default, value) for a README Default cell."""
    c = clean_cell(cell)
    if c.lower() in ("n/a", ""):
        return False, None
    try:
        return True, json.loads(c)
    except ValueError:
        pass
    try:
        return True, decode_hcl_value(hcl2.loads(f"x = {c}\n", serialization_options=HCL_OPTIONS)["x"])
    except Exception:  # noqa: BLE001 -- anything unparseable is compared as text
        return True, c


def decode_hcl_value(v):
    if isinstance(v, str):
        return process_escape_sequences(v)
    if isinstance(v, list):
        return [decode_hcl_value(x) for x in v]
    if isinstance(v, dict):
        return {process_escape_sequences(k): decode_hcl_value(x) for k, x in v.items() if not k.startswith("__")}
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def same_value(a, b) -> bool:
    return decode_hcl_value(a) == decode_hcl_value(b)


# ---------------------------------------------------------------------------
# Secret-sounding variable names
# ---------------------------------------------------------------------------

# Plurals ("secrets", "tokens") are left out: such a variable is usually a map
# of references (ECS container secrets: name => Secrets Manager ARN).
SECRET_WORDS = {"password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "apikey"}
# "<qualifier>_key" is a secret key; kms_key, ssh_public_key, key_name are not.
SECRET_KEY_QUALIFIERS = {"private", "secret", "access", "api", "signing", "encryption", "jwt",
                         "master", "auth", "session", "hmac", "license", "client"}
# A last word that makes the name a reference to a secret or a setting about
# one, not the secret itself: jwt_secret_arn, password_length, token_ttl_seconds.
NOT_SECRET_SUFFIXES = {"arn", "arns", "id", "ids", "name", "names", "path", "paths", "version",
                       "versions", "ttl", "length", "seconds", "minutes", "hours", "days", "count",
                       "enabled", "enable", "prefix", "rotation", "kms", "file", "env", "header",
                       "policy", "ref", "source", "type", "expiry", "expiration", "location", "url"}


def looks_secret(name: str) -> bool:
    words = name.lower().split("_")
    if words[-1] in NOT_SECRET_SUFFIXES:
        return False
    if any(w in SECRET_WORDS for w in words):
        return True
    for i, w in enumerate(words):
        if w == "key" and i > 0 and words[i - 1] in SECRET_KEY_QUALIFIERS:
            return True
        if w in ("privatekey", "secretkey", "accesskey"):
            return True
    return False


# ---------------------------------------------------------------------------
# Loading a tree of Terraform configurations
# ---------------------------------------------------------------------------


@dataclass
class Block:
    body: dict
    file: Path
    line: int


@dataclass
class ConfigDir:
    path: Path
    kind: str  # "module", "environment" or "other"
    files: dict[str, str] = field(default_factory=dict)  # name -> text
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: dict[str, Block] = field(default_factory=dict)
    data: dict[str, Block] = field(default_factory=dict)
    modules: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)
    terraform: list[Block] = field(default_factory=list)
    # (context, value, file, line of the block) for reference scanning
    scopes: list[tuple[str, object, Path, int]] = field(default_factory=list)

    def required_providers(self) -> dict[str, object]:
        rp: dict[str, object] = {}
        for b in self.terraform:
            for entry in b.body.get("required_providers", []) or []:
                if isinstance(entry, dict):
                    rp.update({k: v for k, v in entry.items() if not k.startswith("__")})
        return rp

    def prefixes(self) -> set[str]:
        return KNOWN_PROVIDER_PREFIXES | set(self.required_providers())


def block_line(text: str, kind: str, *labels: str) -> int:
    pat = r"^\s*" + re.escape(kind) + "".join(r'\s+"' + re.escape(lb) + '"' for lb in labels) + r"\s*\{"
    m = re.search(pat, text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def find_line(text: str, start: int, pattern: str) -> int | None:
    """The first line at or after `start` matching `pattern`, or None."""
    rx = re.compile(pattern)
    lines = text.splitlines()
    for no in range(max(start, 1), len(lines) + 1):
        if rx.search(lines[no - 1]):
            return no
    return None


def line_after(text: str, start: int, pattern: str) -> int:
    found = find_line(text, start, pattern)
    return start if found is None else found


def rel(p: Path) -> str:
    try:
        return os.path.relpath(p)
    except ValueError:
        return str(p)


def entries(v) -> list[tuple[str, object]]:
    """[(label, body)] of a serialized block list: [{label: body}, ...]."""
    out = []
    for item in v if isinstance(v, list) else [v]:
        if isinstance(item, dict):
            out.extend((k, b) for k, b in item.items() if not k.startswith("__"))
    return out


def load_dir(path: Path, kind: str, report: Report) -> ConfigDir:
    cd = ConfigDir(path, kind)
    for f in sorted(path.glob("*.tf")):
        text = f.read_text()
        cd.files[f.name] = text
        try:
            doc = hcl2.loads(text, serialization_options=HCL_OPTIONS)
        except Exception as e:  # noqa: BLE001 -- lark raises many types
            line = getattr(e, "line", None)
            where = f"{rel(f)}:{line}" if isinstance(line, int) and line > 0 else rel(f)
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            report.add("parse", where, f"does not parse: {first}")
            continue
        collect(cd, f, text, doc, report)
    return cd


def collect(cd: ConfigDir, f: Path, text: str, doc: dict, report: Report) -> None:
    def declare(table: dict, key: str, body, line: int, what: str):
        if key in table:
            prev = table[key]
            report.add("references", f"{rel(f)}:{line}", f"{what} is declared twice (first at {rel(prev.file)}:{prev.line})")
        table[key] = Block(body if isinstance(body, dict) else {}, f, line)

    for kind, items in doc.items():
        if kind.startswith("__"):
            continue
        if kind == "variable":
            for name, body in entries(items):
                ln = block_line(text, "variable", name)
                declare(cd.variables, name, body, ln, f'variable "{name}"')
                cd.scopes.append((f"variable.{name}", body, f, ln))
        elif kind == "output":
            for name, body in entries(items):
                ln = block_line(text, "output", name)
                declare(cd.outputs, name, body, ln, f'output "{name}"')
                cd.scopes.append((f"output.{name}", body, f, ln))
        elif kind == "locals":
            starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"^\s*locals\s*\{", text, re.M)]
            for idx, block in enumerate(items if isinstance(items, list) else [items]):
                start = starts[idx] if idx < len(starts) else 1
                for name, value in block.items():
                    if name.startswith("__"):
                        continue
                    ln = line_after(text, start, r"^\s*" + re.escape(name) + r"\s*=")
                    declare(cd.locals, name, {"value": value}, ln, f"local.{name}")
                    cd.scopes.append((f"local.{name}", value, f, ln))
        elif kind in ("resource", "data", "ephemeral"):
            table = cd.data if kind == "data" else cd.resources
            for rtype, named in entries(items):
                for name, body in entries(named):
                    ln = block_line(text, kind, rtype, name)
                    key = f"{rtype}.{name}"
                    declare(table, key, body, ln, f'{kind} "{rtype}" "{name}"')
                    cd.scopes.append((f"{'data.' if kind == 'data' else ''}{key}", body, f, ln))
        elif kind == "module":
            for name, body in entries(items):
                ln = block_line(text, "module", name)
                declare(cd.modules, name, body, ln, f'module "{name}"')
                cd.scopes.append((f"module.{name}", body, f, ln))
        elif kind == "provider":
            for name, body in entries(items):
                ln = block_line(text, "provider", name)
                cd.providers.append(Block(body if isinstance(body, dict) else {}, f, ln))
                cd.scopes.append((f"provider.{name}", body, f, ln))
        elif kind == "terraform":
            for body in items if isinstance(items, list) else [items]:
                cd.terraform.append(Block(body, f, block_line(text, "terraform")))
        elif kind in ("moved", "removed"):
            # `from` names an address that no longer exists by design.
            for body in items if isinstance(items, list) else [items]:
                rest = {k: v for k, v in body.items() if k != "from"}
                cd.scopes.append((kind, rest, f, block_line(text, kind)))
        else:  # import, check, ...
            cd.scopes.append((kind, items, f, block_line(text, kind)))


def discover(root: Path) -> list[tuple[Path, str]]:
    dirs: dict[Path, str] = {}
    for sub, kind in (("modules", "module"), ("environments", "environment")):
        base = root / sub
        if base.is_dir():
            for d in sorted(base.iterdir()):
                if d.is_dir() and not d.name.startswith("."):
                    dirs[d] = kind
    for f in sorted(root.rglob("*.tf")):
        if any(part.startswith(".") for part in f.relative_to(root).parts):
            continue
        dirs.setdefault(f.parent, "other")
    return sorted(dirs.items(), key=lambda kv: ({"module": 0, "environment": 1, "other": 2}[kv[1]], str(kv[0])))


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def check_layout(cd: ConfigDir, report: Report) -> None:
    if cd.kind == "other" or not cd.files:
        return  # a directory without .tf files is reported once, by check()
    for name in REQUIRED_FILES:
        if not (cd.path / name).is_file():
            report.add("layout", rel(cd.path), f"missing {name}")
    for what, table, home in (("variable", cd.variables, "variables.tf"), ("output", cd.outputs, "outputs.tf")):
        for name, b in table.items():
            if b.file.name != home:
                report.add("layout", f"{rel(b.file)}:{b.line}", f'{what} "{name}" belongs in {home}')


def check_references(cd: ConfigDir, dirs: dict[Path, ConfigDir], report: Report) -> int:
    prefixes = cd.prefixes()
    used_vars: set[str] = set()
    used_locals: set[str] = set()
    count = 0
    for context, value, f, line in cd.scopes:
        text = cd.files.get(f.name, "")
        for r in refs_in_value(value, prefixes):
            count += 1
            if r.kind == "var" and context != f"variable.{r.name}":
                used_vars.add(r.name)
            if r.kind == "local" and context != f"local.{r.name}":
                used_locals.add(r.name)
            problem = resolve(cd, r, dirs)
            if problem:
                ln = ref_line(text, line, r)
                report.add("references", f"{rel(f)}:{ln}", f"{r.text()}: {problem} (in {context})")
    # file("${path.module}/x"), templatefile(...): the file must exist.
    for context, value, f, line in cd.scopes:
        for m in FILE_CALL_RE.finditer(json.dumps(value)):
            target = cd.path / m.group(2)
            if not target.is_file():
                ln = line_after(cd.files.get(f.name, ""), line, re.escape(m.group(2)))
                report.add("references", f"{rel(f)}:{ln}", f"{m.group(1)}(): no file {rel(target)} (in {context})")
    for name, b in cd.variables.items():
        if name not in used_vars:
            report.add("references", f"{rel(b.file)}:{b.line}", f'variable "{name}" is declared but never used')
    for name, b in cd.locals.items():
        if name not in used_locals:
            report.add("references", f"{rel(b.file)}:{b.line}", f"local.{name} is declared but never used")
    return count


def ref_line(text: str, start: int, r: Ref) -> int:
    """The line of a reference at or after a block's first line (module.x["k"].y is found by module.x)."""
    candidates = [r.text()] + ([f"module.{r.name}"] if r.kind == "module" else [])
    for c in candidates:
        found = find_line(text, start, re.escape(c) + r"(?![A-Za-z0-9_-])")
        if found is not None:
            return found
    return start


def module_target(cd: ConfigDir, body: dict, dirs: dict[Path, ConfigDir]) -> tuple[str, ConfigDir | None]:
    """(source, ConfigDir) of a module call; ConfigDir None for a non-local source."""
    src = body.get("source")
    if not isinstance(src, str) or not (src.startswith("./") or src.startswith("../")):
        return str(src), None
    return src, dirs.get((cd.path / src).resolve())


def resolve(cd: ConfigDir, r: Ref, dirs: dict[Path, ConfigDir]) -> str | None:
    if r.kind == "var":
        return None if r.name in cd.variables else "no such variable"
    if r.kind == "local":
        return None if r.name in cd.locals else "no such local value"
    if r.kind == "data":
        return None if r.name in cd.data else "no such data source"
    if r.kind == "resource":
        return None if r.name in cd.resources else "no such resource"
    if r.kind == "module":
        call = cd.modules.get(r.name)
        if call is None:
            return "no such module call"
        if r.attr is None:
            return None
        src, target = module_target(cd, call.body, dirs)
        if target is None:
            return None  # registry or missing source: reported by module calls
        if r.attr not in target.outputs:
            return f"module {rel(target.path)} has no output {r.attr!r}"
    return None


def check_module_calls(cd: ConfigDir, dirs: dict[Path, ConfigDir], report: Report) -> int:
    for name, call in cd.modules.items():
        text = cd.files.get(call.file.name, "")
        where = f"{rel(call.file)}:{call.line}"
        src, target = module_target(cd, call.body, dirs)
        if not isinstance(call.body.get("source"), str):
            report.add("module calls", where, f'module "{name}" has no source')
            continue
        if target is None:
            if src.startswith("."):
                report.add("module calls", where, f'module "{name}": source {src} is not a directory of .tf files')
            continue
        if "version" in call.body:
            report.add("module calls", where, f'module "{name}": a local source takes no version argument')
        passed = [k for k in call.body if not k.startswith("__") and k not in MODULE_META_ARGS]
        for arg in passed:
            if arg not in target.variables:
                ln = line_after(text, call.line, r"^\s*" + re.escape(arg) + r"\s*=")
                report.add("module calls", f"{rel(call.file)}:{ln}",
                           f'module "{name}": {rel(target.path)} has no variable {arg!r}')
        for var, vb in target.variables.items():
            if "default" not in vb.body and var not in call.body:
                report.add("module calls", where, f'module "{name}": required variable {var!r} of {rel(target.path)} is not passed')
    return len(cd.modules)


def check_variables(cd: ConfigDir, dirs: dict[Path, ConfigDir], report: Report) -> None:
    for name, b in cd.variables.items():
        where = f"{rel(b.file)}:{b.line}"
        if not str(b.body.get("description", "")).strip():
            report.add("variables", where, f'variable "{name}" has no description')
        if "type" not in b.body:
            report.add("variables", where, f'variable "{name}" has no type')
        if looks_secret(name) and b.body.get("sensitive") is not True:
            report.add("variables", where, f'variable "{name}" looks like a secret: set sensitive = true')
        if b.body.get("sensitive") is True and "default" in b.body and b.body["default"] not in (None, ""):
            report.add("variables", where, f'variable "{name}" is sensitive but has a non-empty default')
    if cd.kind != "other":
        for name, b in cd.outputs.items():
            if not str(b.body.get("description", "")).strip():
                report.add("variables", f"{rel(b.file)}:{b.line}", f'output "{name}" has no description')
    # Outputs that carry a sensitive value must say so (terraform plan refuses otherwise).
    tainted = sensitive_names(cd, dirs)
    prefixes = cd.prefixes()
    for name, b in cd.outputs.items():
        if b.body.get("sensitive") is True:
            continue
        for r in refs_in_value(b.body.get("value"), prefixes):
            if (r.kind, r.name, r.attr) in tainted or (r.kind, r.name, None) in tainted:
                report.add("variables", f"{rel(b.file)}:{b.line}",
                           f'output "{name}" refers to sensitive {r.text()}: set sensitive = true')
                break


def sensitive_names(cd: ConfigDir, dirs: dict[Path, ConfigDir]) -> set[tuple]:
    """(kind, name, attr) of the values in cd that are sensitive: variables, locals made of them, module outputs."""
    tainted = {("var", n, None) for n, b in cd.variables.items() if b.body.get("sensitive") is True}
    for mname, call in cd.modules.items():
        _, target = module_target(cd, call.body, dirs)
        if target:
            tainted |= {("module", mname, o) for o, ob in target.outputs.items() if ob.body.get("sensitive") is True}
    for key in cd.resources:
        rtype = key.split(".")[0]
        tainted |= {("resource", key, a) for a in SENSITIVE_RESOURCE_ATTRS.get(rtype, ())}
    prefixes = cd.prefixes()
    changed = True
    while changed:
        changed = False
        for lname, lb in cd.locals.items():
            key = ("local", lname, None)
            if key in tainted:
                continue
            if any((r.kind, r.name, r.attr) in tainted for r in refs_in_value(lb.body.get("value"), prefixes)):
                tainted.add(key)
                changed = True
    return tainted


def check_versions(cd: ConfigDir, report: Report) -> None:
    if cd.kind == "other":
        return
    vf = cd.path / "versions.tf"
    in_versions = [b for b in cd.terraform if b.file.name == "versions.tf"]
    if vf.is_file() and not in_versions:
        report.add("versions", rel(vf), "has no terraform block")
    if in_versions and not any(str(b.body.get("required_version", "")).strip() for b in in_versions):
        report.add("versions", f"{rel(vf)}:{in_versions[0].line}", "terraform block does not pin required_version")
    rp = cd.required_providers()
    for pname, spec in rp.items():
        ln = line_after(cd.files.get("versions.tf", ""), 1, r"^\s*" + re.escape(pname) + r"\s*=")
        where = f"{rel(vf)}:{ln}"
        if isinstance(spec, str):
            report.add("versions", where, f"required provider {pname!r}: use {{ source = ..., version = ... }}")
            continue
        if not isinstance(spec, dict) or not str(spec.get("version", "")).strip():
            report.add("versions", where, f"required provider {pname!r} has no version constraint")
        if isinstance(spec, dict) and not str(spec.get("source", "")).strip():
            report.add("versions", where, f"required provider {pname!r} has no source")
    seen = set()
    for table, kind in ((cd.resources, "resource"), (cd.data, "data")):
        for key, b in table.items():
            rtype = key.split(".")[0]
            if rtype in BUILTIN_RESOURCE_TYPES:
                continue
            prov = rtype.split("_")[0]
            if prov not in rp and prov not in seen:
                seen.add(prov)
                report.add("versions", f"{rel(b.file)}:{b.line}",
                           f'{kind} "{rtype}" needs provider {prov!r} in required_providers (else Terraform looks for hashicorp/{prov})')
    if cd.kind == "module":
        for b in cd.providers:
            report.add("versions", f"{rel(b.file)}:{b.line}",
                       "a provider block inside a reusable module: configure providers in the environment")


def check_readme(cd: ConfigDir, report: Report) -> None:
    if cd.kind == "other":
        return
    path = cd.path / "README.md"
    if not path.is_file():
        return  # reported by layout
    text = path.read_text()
    sections = md_sections(text)
    where = rel(path)

    inputs = sections.get("inputs")
    if inputs is None:
        report.add("readme", where, 'no "## Inputs" section')
    else:
        table = md_table(inputs)
        header, rows = table if table else ([], [])
        if table is None and cd.variables:
            report.add("readme", f"{where}:{inputs[0][0] if inputs else 1}", '"## Inputs" has no table')
        elif table is not None and missing_cols(header):
            report.add("readme", f"{where}:{rows[0][0] - 2 if rows else 1}",
                       f"Inputs table lacks column(s): {', '.join(missing_cols(header))}")
        if table is not None and not missing_cols(header):
            col = {h: i for i, h in enumerate(header)}
            listed = []
            for no, cells in rows:
                cells = cells + [""] * (len(header) - len(cells))
                vname = clean_name(cells[col["name"]])
                listed.append(vname)
                vb = cd.variables.get(vname)
                if vb is None:
                    report.add("readme", f"{where}:{no}", f"Inputs lists {vname!r}, which is not a variable")
                    continue
                has_default = "default" in vb.body
                want_req = "no" if has_default else "yes"
                got_req = clean_cell(cells[col["required"]]).lower()
                if got_req != want_req:
                    report.add("readme", f"{where}:{no}", f"{vname}: Required is {got_req!r}, expected {want_req!r}")
                type_cell = clean_cell(cells[col["type"]])
                declared_type = unwrap(vb.body.get("type", "any"))
                if norm_type(type_cell) != norm_type(declared_type):
                    report.add("readme", f"{where}:{no}", f"{vname}: Type is {type_cell!r}, declared {declared_type!r}")
                default_cell = clean_cell(cells[col["default"]])
                md_has, md_val = parse_md_default(cells[col["default"]])
                declared_default = json.dumps(decode_hcl_value(vb.body.get("default"))) if has_default else "n/a"
                if md_has != has_default or (has_default and not same_value(md_val, vb.body.get("default"))):
                    report.add("readme", f"{where}:{no}", f"{vname}: Default is {default_cell!r}, declared {declared_default}")
            declared = list(cd.variables)
            for v in declared:
                if v not in listed:
                    report.add("readme", where, f"Inputs does not list variable {v!r}")
            dups = sorted({v for v in listed if listed.count(v) > 1})
            for v in dups:
                report.add("readme", where, f"Inputs lists {v!r} more than once")
            common = [v for v in listed if v in cd.variables]
            order = [v for v in declared if v in listed]
            if not dups and common != order:
                report.add("readme", where, f"Inputs are not in declaration order: expected {', '.join(order)}")

    outputs = sections.get("outputs")
    if outputs is None:
        report.add("readme", where, 'no "## Outputs" section')
    else:
        table = md_table(outputs)
        listed = []
        if table is None:
            if cd.outputs:
                report.add("readme", f"{where}:{outputs[0][0] if outputs else 1}", '"## Outputs" has no table')
        else:
            header, rows = table
            if "name" not in header:
                report.add("readme", where, "Outputs table lacks a Name column")
            else:
                for no, cells in rows:
                    oname = clean_name(cells[header.index("name")])
                    listed.append(oname)
                    if oname not in cd.outputs:
                        report.add("readme", f"{where}:{no}", f"Outputs lists {oname!r}, which is not an output")
        for o in cd.outputs:
            if table is not None and o not in listed:
                report.add("readme", where, f"Outputs does not list output {o!r}")
        for o in sorted({v for v in listed if listed.count(v) > 1}):
            report.add("readme", where, f"Outputs lists {o!r} more than once")


def missing_cols(header: list[str]) -> list[str]:
    return [c for c in ("name", "type", "default", "required") if c not in header]


def check_environments(root: Path, dirs: dict[Path, ConfigDir], report: Report) -> str:
    envs = root / "environments"
    dev, prod = envs / "dev", envs / "prod"
    compared = []
    if dev.is_dir() and prod.is_dir():
        for name in ("main.tf", "variables.tf", "outputs.tf"):
            a, b = dev / name, prod / name
            if not a.is_file() or not b.is_file():
                continue  # reported by layout
            ta, tb = a.read_text(), b.read_text()
            compared.append(name)
            if ta != tb:
                diff = list(difflib.unified_diff(ta.splitlines(), tb.splitlines(), rel(a), rel(b), lineterm="", n=1))
                shown = "\n    ".join(diff[:14]) + ("\n    ..." if len(diff) > 14 else "")
                report.add("environments", rel(b), f"differs from {rel(a)} (prod differs from dev only by variables):\n    {shown}")
    elif envs.is_dir():
        for d in (dev, prod):
            if not d.is_dir():
                report.add("environments", rel(envs), f"missing {d.name}/")
    # tfvars set only declared variables
    nvars = 0
    for cd in dirs.values():
        if cd.kind != "environment":
            continue
        for f in sorted(p for pat in ("*.tfvars", "*.tfvars.json", "*.tfvars.example") for p in cd.path.glob(pat)):
            try:
                if f.name.endswith(".tfvars.json"):
                    doc = json.loads(f.read_text())
                else:
                    doc = hcl2.loads(f.read_text(), serialization_options=HCL_OPTIONS)
            except Exception as e:  # noqa: BLE001
                report.add("parse", rel(f), f"does not parse: {str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}")
                continue
            nvars += 1
            for k in doc:
                if not k.startswith("__") and k not in cd.variables:
                    ln = line_after(f.read_text(), 1, r'^\s*"?' + re.escape(k) + r'"?\s*[=:]')
                    report.add("environments", f"{rel(f)}:{ln}", f"sets {k!r}, which is not a variable of {rel(cd.path)}")
    return f"dev/prod compared: {', '.join(compared) or 'none'}; {nvars} tfvars file(s)"


# ---------------------------------------------------------------------------
# Validation cases: terraform plan on a module's variables.tf alone
# ---------------------------------------------------------------------------

CHECKED_AT_RE = re.compile(r"This was checked by the validation rule at ([^:\s]+):(\d+),")


def norm_ws(text: str) -> str:
    lines = [re.sub(r"^[\s│╷╵├─]+", "", ln) for ln in text.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def variable_at_line(text: str, line: int) -> str | None:
    best = None
    for m in re.finditer(r'^\s*variable\s+"([^"]+)"', text, re.M):
        if text.count("\n", 0, m.start()) + 1 <= line:
            best = m.group(1)
    return best


def validated_variables(cd: ConfigDir) -> list[str]:
    return [n for n, b in cd.variables.items() if b.body.get("validation")]


def terraform_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    env.pop("TF_CLI_ARGS", None)
    env.pop("TF_CLI_ARGS_plan", None)
    env.pop("TF_CLI_ARGS_init", None)
    cli_config = env.get("TF_CLI_CONFIG_FILE")
    if cli_config and not Path(cli_config).is_file():
        env.pop("TF_CLI_CONFIG_FILE")  # only adds a warning to every output
    env.update(TF_IN_AUTOMATION="1", TF_DATA_DIR=str(data_dir), TF_INPUT="0", CHECKPOINT_DISABLE="1")
    return env


def check_validation(root: Path, dirs: dict[Path, ConfigDir], report: Report, jobs: int, run_plans: bool) -> str:
    vdir = root / "validation"
    by_name: dict[str, ConfigDir] = {}
    for cd in dirs.values():
        if cd.kind == "module":
            by_name[cd.path.name] = cd
        if cd.kind in ("module", "environment"):
            by_name[str(cd.path.relative_to(root))] = cd
    files = sorted(vdir.glob("*.json")) if vdir.is_dir() else []
    suites = []  # (file, ConfigDir, required, cases)
    covered_dirs = set()
    for f in files:
        where = rel(f)
        try:
            doc = json.loads(f.read_text())
        except ValueError as e:
            report.add("validation", where, f"not JSON: {e}")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
            report.add("validation", where, 'expected {"module": ..., "required": {...}, "cases": [...]}')
            continue
        mod = doc.get("module")
        cd = by_name.get(str(mod))
        if cd is None:
            report.add("validation", where, f"module {mod!r} is not under {rel(root / 'modules')}")
            continue
        if f.stem != Path(str(mod)).name:
            report.add("validation", where, f"file name should be {Path(str(mod)).name}.json for module {mod!r}")
        covered_dirs.add(cd.path)
        required = doc.get("required") or {}
        if not isinstance(required, dict):
            report.add("validation", where, '"required" must be an object')
            continue
        for k in required:
            if k not in cd.variables:
                report.add("validation", where, f"required sets {k!r}, which is not a variable of {rel(cd.path)}")
        for v, vb in cd.variables.items():
            if "default" not in vb.body and v not in required:
                report.add("validation", where, f"required does not set {v!r}, which has no default (plan would stop there)")
        names = set()
        good_cases = []
        for i, case in enumerate(doc["cases"]):
            label = case.get("name") if isinstance(case, dict) else None
            if not isinstance(case, dict) or not isinstance(label, str) or not isinstance(case.get("vars", {}), dict):
                report.add("validation", where, f"case #{i + 1}: expected {{\"name\": str, \"vars\": {{...}}, \"error\"?: str}}")
                continue
            if label in names:
                report.add("validation", where, f"case {label!r} appears twice")
            names.add(label)
            if "error" in case and not (isinstance(case["error"], str) and case["error"].strip()):
                report.add("validation", where, f"case {label!r}: error must be a non-empty string")
                continue
            bad = [k for k in case.get("vars", {}) if k not in cd.variables]
            for k in bad:
                report.add("validation", where, f"case {label!r} sets {k!r}, which is not a variable of {rel(cd.path)} (Terraform only warns)")
            if not bad:
                good_cases.append(case)
        if "variables.tf" not in cd.files:
            report.add("validation", where, f"{rel(cd.path)} has no variables.tf")
            continue
        suites.append((f, cd, required, good_cases))

    for cd in dirs.values():
        if cd.kind == "module" and validated_variables(cd) and cd.path not in covered_dirs:
            names = validated_variables(cd)
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            report.add("validation", rel(cd.path / "variables.tf"),
                       f"has validation blocks ({shown}) but no {rel(vdir)}/{cd.path.name}.json")

    ncases = sum(len(s[3]) for s in suites)
    if not run_plans:
        return f"{len(suites)} file(s), {ncases} case(s) (plans not run)"
    if not suites:
        return "no validation files"
    if shutil.which("terraform") is None:
        report.add("validation", rel(vdir), "terraform is not on PATH: cannot run the cases")
        return f"{len(suites)} file(s), {ncases} case(s) not run"

    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="check-terraform-"))
    try:
        work = []
        for idx, (f, cd, required, cases) in enumerate(suites):
            d = scratch / f"{idx}-{cd.path.name}"
            d.mkdir()
            shutil.copyfile(cd.path / "variables.tf", d / "variables.tf")
            init = subprocess.run(["terraform", "init", "-input=false", "-no-color", "-backend=false"], cwd=d,
                                  env=terraform_env(d / ".tfdata"), capture_output=True, text=True, timeout=300)
            if init.returncode != 0:
                report.add("validation", rel(f), f"terraform init failed on {rel(cd.path / 'variables.tf')}:\n{textwrap.indent(init.stdout + init.stderr, '    ')}")
                continue
            for j, case in enumerate(cases):
                work.append((f, cd, d, j, case, {**required, **case.get("vars", {})}))

        def run(item):
            f, cd, d, j, case, values = item
            varfile = d / f"case-{j}.tfvars.json"
            varfile.write_text(json.dumps(values))
            # Each plan gets its own copy of the initialised data directory.
            data_dir = d / f".tfdata-{j}"
            if (d / ".tfdata").is_dir():
                shutil.copytree(d / ".tfdata", data_dir, symlinks=True)
            p = subprocess.run(["terraform", "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={varfile.name}"],
                               cwd=d, env=terraform_env(data_dir), capture_output=True, text=True, timeout=300)
            return item, p

        results = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(run, work))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    failing_for: dict[tuple[Path, str], list[str]] = {}
    passing_for: dict[tuple[Path, str], list[str]] = {}
    for (f, cd, d, j, case, values), p in results:
        label = case["name"]
        output = p.stdout + "\n" + p.stderr
        flat = norm_ws(output)
        want = case.get("error")
        vtext = cd.files.get("variables.tf", "")
        culprits = {variable_at_line(vtext, int(m.group(2))) for m in CHECKED_AT_RE.finditer(output)} - {None}
        if want is None:
            if p.returncode != 0:
                report.add("validation", rel(f), f"case {label!r} should pass but plan failed:\n{textwrap.indent(diagnostics(output), '    ')}")
            else:
                for v in values:
                    passing_for.setdefault((cd.path, v), []).append(label)
        else:
            if p.returncode == 0:
                report.add("validation", rel(f), f"case {label!r} should fail with {want!r} but plan succeeded")
                continue
            if "Invalid value for variable" not in flat:
                report.add("validation", rel(f), f"case {label!r} failed, but not with \"Invalid value for variable\":\n{textwrap.indent(diagnostics(output), '    ')}")
                continue
            if norm_ws(want) not in flat:
                report.add("validation", rel(f), f"case {label!r}: output lacks {want!r}:\n{textwrap.indent(diagnostics(output), '    ')}")
                continue
            # Terraform names the rule that failed ("checked by the validation
            # rule at variables.tf:L"); "var.X" in the expected error is the
            # fallback when it does not.
            named = set(re.findall(r"var\.([A-Za-z_][A-Za-z0-9_-]*)", want)) & set(cd.variables)
            for v in culprits or named:
                failing_for.setdefault((cd.path, v), []).append(label)

    for f, cd, required, cases in suites:
        for v in validated_variables(cd):
            if not failing_for.get((cd.path, v)):
                report.add("validation", rel(f), f"no failing case for var.{v}'s validation")
            if not passing_for.get((cd.path, v)):
                report.add("validation", rel(f), f"no passing case that sets var.{v}")
    return f"{len(suites)} file(s), {len(results)} case(s) in {time.monotonic() - started:.1f} s ({jobs} workers)"


def diagnostics(output: str) -> str:
    """The Error/Warning paragraphs of terraform output, without the CLI-config noise."""
    output = re.sub(r"There are some problems with the CLI configuration:.*?╵", "", output, flags=re.S)
    keep = [ln for ln in output.splitlines() if not ln.startswith("Planning failed.")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(keep)).strip()
    return text[:1500] + ("\n..." if len(text) > 1500 else "")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def check(root: Path, jobs: int = 4, run_plans: bool = True) -> Report:
    report = Report()
    root = root.resolve()
    if not root.is_dir():
        report.add("parse", rel(root), "no such directory")
        return report
    dirs: dict[Path, ConfigDir] = {}
    nfiles = 0
    for path, kind in discover(root):
        cd = load_dir(path, kind, report)
        nfiles += len(cd.files)
        if kind != "other" and not cd.files:
            report.add("layout", rel(path), "has no .tf files")
        dirs[path.resolve()] = cd
    report.note("parse", f"{nfiles} .tf file(s) in {len(dirs)} directories")

    nrefs = ncalls = 0
    for cd in dirs.values():
        check_layout(cd, report)
        nrefs += check_references(cd, dirs, report)
        ncalls += check_module_calls(cd, dirs, report)
        check_variables(cd, dirs, report)
        check_versions(cd, report)
        check_readme(cd, report)
    kinds = [cd.kind for cd in dirs.values()]
    report.note("layout", f"{kinds.count('module')} module(s), {kinds.count('environment')} environment(s)")
    report.note("references", f"{nrefs} reference(s)")
    report.note("module calls", f"{ncalls} call(s)")
    report.note("variables", f"{sum(len(cd.variables) for cd in dirs.values())} variable(s), "
                f"{sum(len(cd.outputs) for cd in dirs.values())} output(s)")
    report.note("versions", f"{sum(1 for cd in dirs.values() if (cd.path / 'versions.tf').is_file())} versions.tf")
    report.note("readme", f"{sum(1 for cd in dirs.values() if (cd.path / 'README.md').is_file())} README.md")
    report.note("environments", check_environments(root, dirs, report))
    report.note("validation", check_validation(root, dirs, report, jobs, run_plans))
    return report


def print_report(report: Report, out=sys.stdout) -> None:
    for g in GROUPS:
        n = sum(1 for f in report.findings if f.group == g)
        status = "ok  " if n == 0 else "FAIL"
        extra = f" -- {n} problem(s)" if n else ""
        print(f"  {g:<13} {status} {report.notes.get(g, '')}{extra}", file=out)
    for g in GROUPS:
        for f in report.findings:
            if f.group == g:
                print(f"{f}  [{g}]", file=out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default="terraform", help="the terraform directory (default: terraform)")
    ap.add_argument("--jobs", type=int, default=4, help="parallel terraform plans (default 4)")
    ap.add_argument("--no-plan", action="store_true", help="skip running the validation cases")
    ap.add_argument("--self-test", action="store_true", help="check the checker on built-in samples")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    root = Path(args.root)
    print(f"check_terraform: {rel(root)}")
    report = check(root, jobs=max(1, min(args.jobs, 8)), run_plans=not args.no_plan)
    print_report(report)
    if report.findings:
        print(f"check_terraform: {len(report.findings)} problem(s)")
        return 1
    print("check_terraform: all clean")
    return 0


# ---------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------

SCANNER_CASES = [
    # (template text as python-hcl2 gives it, expected references)
    ("${var.a}-x", {"var.a"}),
    ("ecs:* and aws_iam_role.foo.arn in plain text, var.nope too", set()),
    ('${jsonencode({Action = ["ecs:*", "s3:GetObject"], Resource = aws_iam_role.r.arn})}', {"aws_iam_role.r"}),
    ("$${var.escaped} and %%{ if var.escaped2 }", set()),
    ("%{ if var.b }yes%{ else }${local.c}%{ endif }", {"var.b", "local.c"}),
    ("<<-EOT\n  hello ${local.a} ${aws_s3_bucket.b.id}\n  not a ref: aws_foo.bar.baz \"${var.q}\"\nEOT", {"local.a", "aws_s3_bucket.b", "var.q"}),
    ("${(var.z /* aws_c.d.e */ + 1)}", {"var.z"}),
    ("${var.z # aws_c.d.e\n + 1}", {"var.z"}),
    ("${[for aws_x in var.l : aws_x.id]}", {"var.l"}),
    ("${{for k, v in var.m : k => v.name if v.on}}", {"var.m"}),
    ('${"nested ${var.deep} \\"aws_q.r.s\\""}', {"var.deep"}),
    ("${module.x[0].out}", {"module.x.out"}),
    ("${module.y}", {"module.y"}),
    ("${data.aws_caller_identity.current.account_id}", {"data.aws_caller_identity.current"}),
    ('${var.m[local.k]["aws_x.y"]}', {"var.m", "local.k"}),
    ("${each.value.aws_x.y} ${count.index} ${path.module} ${self.id} ${terraform.workspace}", set()),
    ("${aws_instance.web[*].id} ${docker_image.api.image_id}", {"aws_instance.web", "docker_image.api"}),
    ("${length(docker_container.api) > 0 ? element(docker_container.api, 0).name.aws_z : null}", {"docker_container.api"}),
    ("${terraform_data.x.id} ${random_password.db.result}", {"terraform_data.x", "random_password.db"}),
    ("${provider::aws::arn_parse(var.arn).region}", {"var.arn"}),
    ("${var.a-b}", {"var.a-b"}),
    ('arn:aws:s3:::${aws_s3_bucket.media.id}/*', {"aws_s3_bucket.media"}),
]

README_SAMPLE = """# demo

## Inputs

| Name | Description | Type | Default | Required |
|------|-------------|------|---------|:--------:|
| <a name="input_name"></a> [name](#input\\_name) | The name | `string` | n/a | yes |
| `ports` | Ports | <pre>list(object({<br>    host = number<br>  }))</pre> | <pre>[<br>  {<br>    "host": 80<br>  }<br>]</pre> | no |
| tags | Tags | `map(string)` | `{}` | no |
| size | Size | `number` | `3` | no |
| kind | Kind | `string` | `"a \\| b"` | no |

### Not a level-2 heading

## Outputs

| Name | Description |
|------|-------------|
| id | The id |
"""

GOOD_MODULE = {
    "modules/app/versions.tf": """
terraform {
  required_version = ">= 1.6"
  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}
""",
    "modules/app/variables.tf": """
variable "name" {
  description = "Container name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.name))
    error_message = "The name must be lowercase letters, digits and dashes, starting with a letter, which is a long message that Terraform wraps."
  }
}

variable "port" {
  description = "Published port."
  type        = number
  default     = 8080
  validation {
    condition     = var.port > 1024 && var.port < 65536
    error_message = "port must be between 1025 and 65535."
  }
}

variable "db_password" {
  description = "Database password."
  type        = string
  sensitive   = true
}

variable "labels" {
  description = "Extra labels."
  type = map(object({
    value = string
    on    = optional(bool, true)
  }))
  default = {}
}
""",
    "modules/app/main.tf": """
locals {
  policy = jsonencode({ Action = ["ecs:*"], Note = "aws_iam_role.nothing.arn is text" })
  dsn    = "postgres://app:${var.db_password}@db/app"
}

resource "docker_image" "app" {
  name = "app:latest"
}

resource "docker_container" "app" {
  name  = var.name
  image = docker_image.app.image_id
  env   = ["POLICY=${local.policy}", "DSN=${local.dsn}"]
  ports {
    internal = 8080
    external = var.port
  }
  dynamic "labels" {
    for_each = { for k, l in var.labels : k => l if l.on }
    content {
      label = labels.key
      value = labels.value.value
    }
  }
}
""",
    "modules/app/outputs.tf": """
output "id" {
  description = "Container id."
  value       = docker_container.app.id
}

output "dsn" {
  description = "Connection string."
  value       = local.dsn
  sensitive   = true
}
""",
    "modules/app/README.md": """# app

## Inputs

| Name | Description | Type | Default | Required |
|------|-------------|------|---------|:--------:|
| name | Container name. | `string` | n/a | yes |
| port | Published port. | `number` | `8080` | no |
| db_password | Database password. | `string` | n/a | yes |
| labels | Extra labels. | <pre>map(object({<br>  value = string<br>  on    = optional(bool, true)<br>}))</pre> | `{}` | no |

## Outputs

| Name | Description |
|------|-------------|
| id | Container id. |
| dsn | Connection string. |
""",
    "validation/app.json": json.dumps({
        "module": "app",
        "required": {"name": "web", "db_password": "x"},
        "cases": [
            {"name": "defaults", "vars": {}},
            {"name": "good name and port", "vars": {"name": "web-2", "port": 2000}},
            {"name": "uppercase name", "vars": {"name": "Web"}, "error": "which is a long message that Terraform wraps"},
            {"name": "low port", "vars": {"port": 80}, "error": "var.port"},
        ],
    }, indent=2),
}

ENV_MAIN = """
module "app" {
  source      = "../../modules/app"
  name        = var.name
  db_password = var.db_password
}
"""
ENV_VARS = """
variable "name" {
  description = "Name."
  type        = string
  default     = "web"
}

variable "db_password" {
  description = "Database password."
  type        = string
  sensitive   = true
}
"""
ENV_OUTPUTS = """
output "id" {
  description = "Container id."
  value       = module.app.id
}
"""
ENV_VERSIONS = """
terraform {
  required_version = ">= 1.6"
  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}

provider "docker" {}
"""
ENV_README = """# env

## Inputs

| Name | Description | Type | Default | Required |
|------|-------------|------|---------|:--------:|
| name | Name. | `string` | `"web"` | no |
| db_password | Database password. | `string` | n/a | yes |

## Outputs

| Name | Description |
|------|-------------|
| id | Container id. |
"""

GOOD_TREE = dict(GOOD_MODULE)
for _env in ("dev", "prod"):
    GOOD_TREE.update({
        f"environments/{_env}/main.tf": ENV_MAIN,
        f"environments/{_env}/variables.tf": ENV_VARS,
        f"environments/{_env}/outputs.tf": ENV_OUTPUTS,
        f"environments/{_env}/versions.tf": ENV_VERSIONS,
        f"environments/{_env}/README.md": ENV_README,
    })
GOOD_TREE["environments/prod/terraform.tfvars"] = 'name = "web-prod"\n'

# The same tree, broken on purpose: each entry of BAD_EXPECT must be reported, and nothing else.
BAD_TREE = dict(GOOD_TREE)
BAD_TREE["environments/prod/main.tf"] = ENV_MAIN.replace("var.name", "var.nmae") + """
module "extra" {
  source  = "../../modules/app"
  colour  = "red"
  version = "1.0"
}

resource "docker_network" "n" {
  name = "${local.missing}-${module.app.nope}-${data.docker_network.gone.id}-${docker_volume.gone.name}"
}
"""
BAD_TREE["environments/prod/variables.tf"] = ENV_VARS + """
variable "api_token" {
  type = string
}
"""
BAD_TREE["environments/prod/README.md"] = ENV_README.replace('| `"web"` | no |', '| `"api"` | yes |') + "| ghost | Gone. |\n"
BAD_TREE["environments/prod/terraform.tfvars"] = 'name = "web-prod"\nnmae = "typo"\n'
BAD_TREE["modules/app/versions.tf"] = """
terraform {
  required_providers {
    docker = {
      source = "kreuzwerker/docker"
    }
  }
}
"""
BAD_TREE["modules/app/outputs.tf"] = GOOD_MODULE["modules/app/outputs.tf"].replace("  sensitive   = true\n", "") + """
output "policy_arn" {
  value = aws_iam_policy.p.arn
}

output "generated" {
  description = "Shows a generated password."
  value       = local.generated
}
"""
BAD_TREE["modules/app/main.tf"] = GOOD_MODULE["modules/app/main.tf"] + """
resource "random_pet" "x" {}

resource "random_password" "p" {
  length = 20
}

locals {
  generated = random_password.p.result
  rendered  = templatefile("${path.module}/templates/missing.tftpl", { x = local.generated })
}

provider "docker" {}
"""
BAD_TREE["modules/app/README.md"] = GOOD_MODULE["modules/app/README.md"].replace(
    "| port | Published port. | `number` | `8080` | no |", "| port | Published port. | `string` | `80` | no |")
BAD_TREE["validation/app.json"] = json.dumps({
    "module": "app",
    "required": {"name": "web"},
    "cases": [
        {"name": "passes but expected to fail", "vars": {"db_password": "x", "port": 2000}, "error": "port must be"},
        {"name": "fails but expected to pass", "vars": {"db_password": "x", "name": "BAD"}},
        {"name": "typo", "vars": {"db_password": "x", "prot": 1}},
    ],
})
BAD_TREE["modules/broken/main.tf"] = 'resource "docker_image" "x" {\n  name = \n}\n'

BAD_EXPECT = [
    ("parse", "modules/broken/main.tf:", "does not parse"),
    ("layout", "modules/broken", "missing variables.tf"),
    ("layout", "modules/broken", "missing README.md"),
    ("layout", "modules/broken", "missing outputs.tf"),
    ("layout", "modules/broken", "missing versions.tf"),
    ("references", "environments/prod/main.tf:", "var.nmae: no such variable"),
    ("references", "environments/prod/main.tf:", "local.missing: no such local value"),
    ("references", "environments/prod/main.tf:", "module.app.nope: module"),
    ("references", "environments/prod/main.tf:", "data.docker_network.gone: no such data source"),
    ("references", "environments/prod/main.tf:", "docker_volume.gone: no such resource"),
    ("references", "environments/prod/variables.tf:", 'variable "name" is declared but never used'),
    ("references", "environments/prod/variables.tf:", 'variable "api_token" is declared but never used'),
    ("references", "modules/app/outputs.tf:", "aws_iam_policy.p: no such resource"),
    ("references", "modules/app/main.tf:", "templatefile(): no file"),
    ("references", "modules/app/main.tf:", "local.rendered is declared but never used"),
    ("module calls", "environments/prod/main.tf:", "has no variable 'colour'"),
    ("module calls", "environments/prod/main.tf:", "required variable 'name'"),
    ("module calls", "environments/prod/main.tf:", "required variable 'db_password'"),
    ("module calls", "environments/prod/main.tf:", "takes no version argument"),
    ("variables", "environments/prod/variables.tf:", 'variable "api_token" has no description'),
    ("variables", "environments/prod/variables.tf:", 'variable "api_token" looks like a secret'),
    ("variables", "modules/app/outputs.tf:", 'output "dsn" refers to sensitive local.dsn'),
    ("variables", "modules/app/outputs.tf:", 'output "policy_arn" has no description'),
    ("variables", "modules/app/outputs.tf:", 'output "generated" refers to sensitive local.generated'),
    ("readme", "modules/app/README.md", "Outputs does not list output 'generated'"),
    ("versions", "modules/app/versions.tf:", "does not pin required_version"),
    ("versions", "modules/app/versions.tf:", "'docker' has no version constraint"),
    ("versions", "modules/app/main.tf:", "needs provider 'random'"),
    ("versions", "modules/app/main.tf:", "a provider block inside a reusable module"),
    ("readme", "modules/app/README.md:", "port: Type is 'string'"),
    ("readme", "modules/app/README.md:", "port: Default is '80'"),
    ("readme", "modules/app/README.md", "Outputs does not list output 'policy_arn'"),
    ("readme", "environments/prod/README.md:", "name: Required is 'yes'"),
    ("readme", "environments/prod/README.md:", "name: Default is '\"api\"'"),
    ("readme", "environments/prod/README.md", "Inputs does not list variable 'api_token'"),
    ("readme", "environments/prod/README.md:", "Outputs lists 'ghost'"),
    ("environments", "environments/prod/main.tf", "differs from"),
    ("environments", "environments/prod/variables.tf", "differs from"),
    ("environments", "environments/prod/terraform.tfvars:2", "sets 'nmae'"),
    ("validation", "validation/app.json", "required does not set 'db_password'"),
    ("validation", "validation/app.json", "case 'typo' sets 'prot'"),
    ("validation", "validation/app.json", "'passes but expected to fail' should fail"),
    ("validation", "validation/app.json", "'fails but expected to pass' should pass"),
    ("validation", "validation/app.json", "no failing case for var.name"),
    ("validation", "validation/app.json", "no failing case for var.port"),
    ("validation", "validation/app.json", "no passing case that sets var.name"),
    ("validation", "validation/app.json", "no passing case that sets var.port"),
]
BAD_EXPECT_NO_PLAN = {"'passes but expected to fail' should fail", "'fails but expected to pass' should pass",
                      "no failing case for var.name", "no failing case for var.port",
                      "no passing case that sets var.name", "no passing case that sets var.port"}


SECRET_NAME_CASES = [
    ("db_password", True), ("jwt_secret", True), ("api_token", True), ("private_key_pem", True),
    ("secret_key", True), ("access_key", True), ("postgres_password", True), ("key_name", False),
    ("kms_key_arn", False), ("jwt_secret_arn", False), ("password_length", False), ("ssh_public_key", False),
    ("token_ttl_seconds", False), ("state_key", False), ("tokenizer", False), ("secret_name", False),
    ("secrets", False), ("auth_token", True), ("master_password", True),
]


def write_tree(base: Path, tree: dict[str, str]) -> None:
    for name, text in tree.items():
        p = base / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))


def self_test() -> int:
    failures: list[str] = []

    for text, want in SCANNER_CASES:
        got = {r.text() for r in refs_in_value(text, KNOWN_PROVIDER_PREFIXES)}
        if got != want:
            failures.append(f"scanner: {text!r}: got {sorted(got)}, want {sorted(want)}")

    # The scanner on what python-hcl2 really returns for a file.
    parsed = hcl2.loads(textwrap.dedent("""
        locals {
          a = "ecs:* ${var.x} aws_lb.not.this"
          b = [docker_network.n.name, "aws_lb.no.no"]
          c = jsonencode({ Statement = [{ Action = "s3:*", Resource = "${aws_s3_bucket.b.arn}/*" }] })
          d = <<-EOT
            ${local.a} aws_x.y.z
          EOT
        }
        """), serialization_options=HCL_OPTIONS)
    got = {r.text() for r in refs_in_value(parsed, KNOWN_PROVIDER_PREFIXES)}
    want = {"var.x", "docker_network.n", "aws_s3_bucket.b", "local.a"}
    if got != want:
        failures.append(f"scanner on parsed HCL: got {sorted(got)}, want {sorted(want)}")

    # README table parser.
    sec = md_sections(README_SAMPLE)
    header, rows = md_table(sec["inputs"])
    names = [clean_name(r[header.index("name")]) for _, r in rows]
    if names != ["name", "ports", "tags", "size", "kind"]:
        failures.append(f"readme: names {names}")
    types = [norm_type(clean_cell(r[header.index("type")])) for _, r in rows]
    if types != ["string", "list(object({host=number}))", "map(string)", "number", "string"]:
        failures.append(f"readme: types {types}")
    defaults = [parse_md_default(r[header.index("default")]) for _, r in rows]
    if defaults != [(False, None), (True, [{"host": 80}]), (True, {}), (True, 3), (True, "a | b")]:
        failures.append(f"readme: defaults {defaults}")
    if norm_type("${list(object({host = number}))}") != "list(object({host=number}))":
        failures.append("readme: norm_type of a parsed type")
    if [clean_name(r[0]) for _, r in md_table(sec["outputs"])[1]] != ["id"]:
        failures.append("readme: outputs")
    if "not a level-2 heading" in sec:
        failures.append("readme: a level-3 heading became a section")

    for name, secret in SECRET_NAME_CASES:
        if looks_secret(name) != secret:
            failures.append(f"looks_secret({name!r}) should be {secret}")

    run_plans = shutil.which("terraform") is not None
    with tempfile.TemporaryDirectory(prefix="check-terraform-selftest-") as tmp:
        good, bad = Path(tmp, "good", "terraform"), Path(tmp, "bad", "terraform")
        write_tree(good, GOOD_TREE)
        write_tree(bad, BAD_TREE)
        report = check(good, jobs=4, run_plans=run_plans)
        for f in report.findings:
            failures.append(f"good sample: unexpected finding: {f}")
        report = check(bad, jobs=4, run_plans=run_plans)
        got = []
        for f in report.findings:
            path, _, line = f.where.partition(":")
            got.append((f.group, os.path.relpath(path, bad) + (f":{line}" if line else ""), f.message))
        unmatched = list(got)
        for group, where, text in [e for e in BAD_EXPECT if run_plans or not any(t in e[2] for t in BAD_EXPECT_NO_PLAN)]:
            hit = next((g for g in unmatched if g[0] == group and g[1].startswith(where.rstrip(":")) and text in g[2]), None)
            if hit is None:
                failures.append(f"bad sample: not reported: [{group}] {where} ... {text}")
            else:
                unmatched.remove(hit)
        for g in unmatched:
            failures.append(f"bad sample: unexpected finding: [{g[0]}] {g[1]} {g[2]}")

    expected = [e for e in BAD_EXPECT if run_plans or not any(t in e[2] for t in BAD_EXPECT_NO_PLAN)]
    total = len(SCANNER_CASES) + 1 + 6 + len(SECRET_NAME_CASES) + 1 + len(expected)
    if failures:
        for f in failures:
            print(f"self-test: {f}", file=sys.stderr)
        print(f"check_terraform self-test: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"check_terraform self-test: {total} checks passed (scanner, README parser, secret names, a clean and a broken sample tree)"
          + ("" if run_plans else " (terraform not on PATH: validation plans skipped)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
