#!/usr/bin/env python3
"""The backup archive's manifest: written by scripts/backup.sh, checked by
scripts/restore.sh (see docs/backup.md). Standard library only.

  write STAGE STATS REFS DUMP_COUNTS SOURCE SNAPSHOT
                                 write STAGE/manifest.json (fail when the dump's rows
                                 differ from the snapshot's counts); print a summary
  extract ARCHIVE DEST           check the archive's members, extract them into DEST,
                                 verify every checksum; write STAGE/media.sha256
                                 (`sha256sum -c` format); print stage=, encoding=,
                                 rows=, tables=, summary= lines
  check-counts MANIFEST STATS    the restored database against the manifest

Exit status 3 means "refused": the archive or the restored copy does not match
its manifest. Anything else non-zero is an ordinary failure.
"""
import datetime
import hashlib
import json
import os
import re
import sys
import tarfile

FORMAT = 1
TOP = re.compile(r"^tweets-[0-9]{8}T[0-9]{6}Z$")
# What backup.sh puts under media/: regular files with plain names (the
# store's are `ab/<uuid>.<ext>`); anything else in an archive is refused.
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_.+-]+$")
REFUSED = 3
CHUNK = 1 << 20


def die(msg, status=1):
    print(f"backup_manifest: {msg}", file=sys.stderr)
    sys.exit(status)


def refuse(problems):
    shown = problems[:20]
    more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    die("REFUSED:\n  " + "\n  ".join(shown) + more, REFUSED)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def media_files(root):
    """Relative path -> (bytes, sha256) of every regular file under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out[rel] = (os.path.getsize(full), sha256_file(full))
    return out


def load_json(path):
    with open(path) as f:
        return json.load(f)


def cmd_write(stage, stats_path, refs_path, dump_counts_path, source, snapshot):
    stats = load_json(stats_path)
    tables = stats["tables"]
    # Rows per table as the dump holds them (COPY lines, see backup.sh).
    in_dump = {}
    with open(dump_counts_path) as f:
        for line in f:
            if line.strip():
                name, count = line.rsplit(" ", 1)
                in_dump[name] = in_dump.get(name, 0) + int(count)
    problems = [
        f"{t}: {n} rows in the snapshot, {in_dump.get(t, 0)} in the dump"
        for t, n in sorted(tables.items())
        if in_dump.get(t, 0) != n
    ] + [f"{t}: in the dump but not counted in the snapshot" for t in sorted(set(in_dump) - set(tables))]
    if problems:
        die("the dump does not hold the rows the snapshot counted (was --snapshot ignored?):\n  "
            + "\n  ".join(problems))

    dump = os.path.join(stage, "db.dump")
    files = media_files(os.path.join(stage, "media"))
    refs = load_json(refs_path) if os.path.getsize(refs_path) else []
    missing = sorted(r for r in refs if r not in files)
    manifest = {
        "format": FORMAT,
        # The archive's name: the time the snapshot was taken (to the second).
        "created_at": datetime.datetime.strptime(os.path.basename(os.path.normpath(stage)), "tweets-%Y%m%dT%H%M%SZ")
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "database": stats["database"],
        "server_version": stats["server_version"],
        "server_version_num": stats["server_version_num"],
        "encoding": stats.get("encoding"),
        "migration_version": stats["migration_version"],
        "snapshot": snapshot,
        "tables": dict(sorted(tables.items())),
        "rows_total": sum(tables.values()),
        "dump": {"file": "db.dump", "bytes": os.path.getsize(dump), "sha256": sha256_file(dump),
                 "rows_checked_against_snapshot": True},
        "media": {
            "files": len(files),
            "bytes": sum(size for size, _ in files.values()),
            "referenced": len(refs),
            "referenced_missing": missing,
            "entries": [{"path": p, "bytes": s, "sha256": h} for p, (s, h) in sorted(files.items())],
        },
    }
    with open(os.path.join(stage, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    if missing:
        print(f"backup_manifest: warning: {len(missing)} media file(s) the database references are not "
              f"in MEDIA_ROOT (deleted after the snapshot, or already lost): {', '.join(missing[:5])}",
              file=sys.stderr)
    print(summary(manifest))


def safe_name(name, top):
    """The member's path inside the top directory, or None when it is unsafe."""
    parts = name.split("/")
    if name.startswith("/") or parts[0] != top or any(p in ("", ".", "..") for p in parts[1:]):
        return None
    return parts[1:]


def cmd_extract(archive, dest):
    problems = []
    try:
        tar = tarfile.open(archive, "r:")
    except (tarfile.TarError, OSError) as e:
        refuse([f"{archive}: not a readable tar archive ({e})"])
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError) as e:
            refuse([f"{archive}: the tar archive is damaged or truncated ({e})"])
        # A whole tar file ends with two zero blocks; without them it was cut
        # short, maybe at a member boundary (which reads as fewer members).
        with open(archive, "rb") as f:
            f.seek(tar.offset)
            if f.read(1024) != bytes(1024):
                refuse([f"{archive}: the tar archive is truncated (no end-of-archive marker)"])
        tops = {m.name.split("/")[0] for m in members}
        if len(tops) != 1 or not TOP.match(next(iter(tops))):
            refuse([f"{archive}: expected a single top directory tweets-YYYYMMDDTHHMMSSZ, found {sorted(tops)[:5]}"])
        top = next(iter(tops))
        seen = set()
        for m in members:
            rel = safe_name(m.name, top)
            if rel is None:
                problems.append(f"{m.name}: unsafe path")
                continue
            key = "/".join(rel)
            if key in seen:
                problems.append(f"{m.name}: appears twice")
            seen.add(key)
            if m.isdir():
                if key not in ("", "media") and rel[0] != "media":
                    problems.append(f"{m.name}: unexpected directory")
                continue
            if not m.isfile():
                problems.append(f"{m.name}: not a regular file (links and devices are refused)")
            elif key not in ("manifest.json", "db.dump") and not (
                    rel[0] == "media" and len(rel) > 1 and all(SAFE_SEGMENT.match(p) for p in rel[1:])):
                problems.append(f"{m.name}: unexpected member")
        for required in ("manifest.json", "db.dump"):
            if required not in seen:
                problems.append(f"{top}/{required}: missing from the archive")
        if problems:
            refuse([f"{archive}: {p}" for p in problems])

        stage = os.path.join(dest, top)
        os.makedirs(os.path.join(stage, "media"), mode=0o755)
        digests = {}
        try:
            for m in members:
                rel = safe_name(m.name, top)
                path = os.path.join(stage, *rel)
                if m.isdir():
                    os.makedirs(path, mode=0o755, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                h = hashlib.sha256()
                src = tar.extractfile(m)
                with open(path, "xb") as out:
                    while chunk := src.read(CHUNK):
                        h.update(chunk)
                        out.write(chunk)
                os.chmod(path, 0o644)
                digests["/".join(rel)] = (m.size, h.hexdigest())
        except (tarfile.TarError, OSError, EOFError) as e:
            refuse([f"{archive}: the tar archive is damaged or truncated ({e})"])

    try:
        manifest = load_json(os.path.join(stage, "manifest.json"))
        if manifest.get("format") != FORMAT:
            refuse([f"manifest.json: format {manifest.get('format')!r}, this script reads {FORMAT}"])
        dump, media = manifest["dump"], manifest["media"]
        entries = {e["path"]: (e["bytes"], e["sha256"]) for e in media["entries"]}
        int(manifest["rows_total"]), dict(manifest["tables"])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        refuse([f"manifest.json: unreadable or incomplete ({type(e).__name__}: {e})"])

    got = digests["db.dump"]
    if got != (dump["bytes"], dump["sha256"]):
        problems.append(f"db.dump: {got[0]} bytes with SHA-256 {got[1]}, the manifest says "
                        f"{dump['bytes']} bytes with {dump['sha256']}")
    archived = {k[len("media/"):]: v for k, v in digests.items() if k.startswith("media/")}
    for path in sorted(set(entries) - set(archived)):
        problems.append(f"media/{path}: listed in the manifest, missing from the archive")
    for path in sorted(set(archived) - set(entries)):
        problems.append(f"media/{path}: in the archive, not in the manifest")
    for path in sorted(set(entries) & set(archived)):
        if archived[path] != entries[path]:
            problems.append(f"media/{path}: {archived[path][0]} bytes with SHA-256 {archived[path][1]}, "
                            f"the manifest says {entries[path][0]} bytes with {entries[path][1]}")
    if len(entries) != media["files"] or sum(b for b, _ in entries.values()) != media["bytes"]:
        problems.append(f"manifest.json: media totals ({media['files']} files, {media['bytes']} bytes) "
                        f"disagree with its own entries")
    if sum(manifest["tables"].values()) != manifest["rows_total"]:
        problems.append("manifest.json: rows_total disagrees with the per-table counts")
    if problems:
        refuse(problems)
    with open(os.path.join(stage, "media.sha256"), "w") as f:
        for e in media["entries"]:
            f.write(f"{e['sha256']}  ./{e['path']}\n")
    print(f"stage={stage}")
    print(f"encoding={manifest.get('encoding') or 'UTF8'}")
    print(f"rows={manifest['rows_total']}")
    print(f"tables={len(manifest['tables'])}")
    print(f"summary={summary(manifest)}")


def cmd_check_counts(manifest_path, stats_path):
    manifest, stats = load_json(manifest_path), load_json(stats_path)
    want, got = manifest["tables"], stats["tables"]
    problems = [f"{t}: the manifest says {want.get(t, 'no table')} rows, the restored copy has "
                f"{got.get(t, 'no table')}" for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
    if manifest["migration_version"] != stats["migration_version"]:
        problems.append(f"migration version: the manifest says {manifest['migration_version']}, "
                        f"the restored copy has {stats['migration_version']}")
    if problems:
        refuse(problems)


def summary(m):
    return (f"database {m['database']} (PostgreSQL {m['server_version'].split()[0]}, migration "
          f"{m['migration_version'] or 'none'}, {m['rows_total']} rows in {len(m['tables'])} tables, dump "
          f"{m['dump']['bytes']} bytes), {m['media']['files']} media files ({m['media']['bytes']} bytes), "
          f"taken {m['created_at']}")


def main(argv):
    commands = {
        "write": (cmd_write, 6),
        "extract": (cmd_extract, 2),
        "check-counts": (cmd_check_counts, 2),
    }
    if len(argv) < 1 or argv[0] not in commands or len(argv) - 1 != commands[argv[0]][1]:
        die(__doc__.strip(), 2)
    fn, _ = commands[argv[0]]
    fn(*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
