#!/usr/bin/env python3
"""Renders docker/nginx into a folder Debian's nginx can run, the way the
official image's envsubst step renders it in the container: every
`*.template` under templates/ becomes conf.d/<name without .template>, with
only the listed variables substituted (nginx's own $variables stay).

Usage: render_nginx.py OUT_DIR NAME=VALUE...
Then:  nginx -p OUT_DIR -c OUT_DIR/nginx.conf -e OUT_DIR/error.log [-t]
"""
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "docker", "nginx")


def main():
    out = sys.argv[1]
    values = dict(arg.split("=", 1) for arg in sys.argv[2:])
    os.makedirs(os.path.join(out, "conf.d"), exist_ok=True)
    shutil.copy(os.path.join(SRC, "nginx.conf"), out)
    shutil.copy("/etc/nginx/mime.types", out)
    for name in sorted(os.listdir(os.path.join(SRC, "templates"))):
        if not name.endswith(".template"):
            continue
        with open(os.path.join(SRC, "templates", name)) as f:
            text = f.read()
        missing = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text)) - set(values)
        if missing:
            sys.exit(f"render_nginx: no value for {', '.join(sorted(missing))} in {name}")
        text = re.sub(r"\$\{([A-Z_][A-Z0-9_]*)\}", lambda m: values[m.group(1)], text)
        with open(os.path.join(out, "conf.d", name[: -len(".template")]), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
