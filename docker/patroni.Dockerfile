# syntax=docker/dockerfile:1.7
# PostgreSQL 15 under Patroni, for the highly available stack (compose.ha.yaml,
# docs/ha.md): the official postgres image, with Patroni at the version the
# local cluster and `make test-ha` use (scripts/requirements-ha.txt) in a venv,
# running as the image's postgres user.
FROM postgres:15.10-bookworm
LABEL org.opencontainers.image.title="tweets-patroni" \
      org.opencontainers.image.description="Tweets: PostgreSQL 15 managed by Patroni (etcd3), synchronous replication" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/tweets/tweets"
COPY scripts/requirements-ha.txt /opt/patroni/requirements.txt
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3=3.11.* python3-venv=3.11.* \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/patroni \
 && /opt/patroni/bin/pip install --no-cache-dir --disable-pip-version-check --requirement /opt/patroni/requirements.txt \
 && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
COPY docker/ha/patroni.yml /etc/patroni/patroni.yml
COPY --chmod=0755 docker/ha/patroni-entrypoint.sh /usr/local/bin/patroni-entrypoint
COPY --chmod=0755 docker/ha/post-bootstrap.sh /usr/local/bin/patroni-post-bootstrap
ENV PATH=/opt/patroni/bin:$PATH
# The image's postgres user (uid and gid 999 in the official Debian images).
USER 999:999
EXPOSE 5432 8008
# Healthy while PostgreSQL runs under Patroni, whatever its role (GET /health).
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=5 \
  CMD ["/opt/patroni/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8008/health', timeout=2)"]
# Patroni stops PostgreSQL (fast shutdown) and gives the leader key up on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/patroni-entrypoint"]
CMD ["/etc/patroni/patroni.yml"]
