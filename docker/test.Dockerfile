# syntax=docker/dockerfile:1.7
# The image `make test-containers` runs the Rust suite in (compose.test.yaml):
# the toolchain plus what the tests start themselves (redis-server for the
# shared rate-limit tests, moto's S3 server for the media-store tests, a
# PostgreSQL 15 server for the read-replica tests' primary and replica).
FROM rust:1.95.0-bookworm
LABEL org.opencontainers.image.title="tweets-tests" \
      org.opencontainers.image.description="Tweets: the Rust test suite's toolchain and test servers" \
      org.opencontainers.image.licenses="MIT"
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server=5:7.0.* python3-venv=3.11.* postgresql-15=15.* \
 && rm -rf /var/lib/apt/lists/*
COPY scripts/requirements-moto.txt /tmp/requirements-moto.txt
RUN python3 -m venv /opt/moto \
 && /opt/moto/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements-moto.txt
ENV MOTO_SERVER=/opt/moto/bin/moto_server
WORKDIR /src
