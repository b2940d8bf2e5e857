#!/usr/bin/env python3
"""Renders docker/nginx into a folder Debian's nginx can run, the way the
official image's envsubst step renders it in the container: every
`*.template` under templates/ becomes conf.d/<name without .template>, with
only the listed variables substituted (nginx's own $variables stay).

Usage: render_nginx.py [--tls] OUT_DIR NAME=VALUE...
Then:  nginx -p OUT_DIR -c OUT_DIR/nginx.conf -e OUT_DIR/error.log [-t]

--tls renders templates-tls/ over templates/, as the image does with
NGINX_ENVSUBST_TEMPLATE_DIR=/etc/nginx/templates-tls (see docker/web.Dockerfile).
"""
import os
import re
import shutil
import sys

# Variables with a default, as docker/web.Dockerfile's ENV gives them:
# callers that do not care need not pass them.
DEFAULTS = {"MEDIA_IMG_SRC": "'self'"}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "docker", "nginx")


def main():
    args = sys.argv[1:]
    tls = args[:1] == ["--tls"]
    if tls:
        args = args[1:]
    out = args[0]
    values = {**DEFAULTS, **dict(arg.split("=", 1) for arg in args[1:])}
    os.makedirs(os.path.join(out, "conf.d"), exist_ok=True)
    shutil.copy(os.path.join(SRC, "nginx.conf"), out)
    shutil.copy("/etc/nginx/mime.types", out)
    templates = {}
    for folder in ["templates"] + (["templates-tls"] if tls else []):
        for name in os.listdir(os.path.join(SRC, folder)):
            if name.endswith(".template"):
                templates[name] = os.path.join(SRC, folder, name)
    for name in sorted(templates):
        with open(templates[name]) as f:
            text = f.read()
        missing = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text)) - set(values)
        if missing:
            sys.exit(f"render_nginx: no value for {', '.join(sorted(missing))} in {name}")
        text = re.sub(r"\$\{([A-Z_][A-Z0-9_]*)\}", lambda m: values[m.group(1)], text)
        with open(os.path.join(out, "conf.d", name[: -len(".template")]), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
