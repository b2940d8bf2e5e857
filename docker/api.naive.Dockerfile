# syntax=docker/dockerfile:1.7
# DELIBERATELY NAIVE — the starting point of the image-size exercise
# (docs/images.md), never used by Compose, CI or any deploy: those build
# docker/api.Dockerfile. It is the API image as it is often first written:
# one stage on the full Rust image, the whole build context copied, a release
# build, and the toolchain, the crate sources and every intermediate build
# artefact shipped along with the one binary that runs — as root.
#
#   docker build -f docker/api.naive.Dockerfile -t tweets-api:naive .
#   docker image ls tweets-api
#
# Each anti-pattern hadolint knows is silenced on its line, with the reason,
# so `hadolint docker/*.Dockerfile` (scripts/check-infra.sh) stays clean;
# the others (no .dockerignore of its own, no cache of the dependency build,
# no health check) are listed in docs/images.md.

# Anti-pattern: the full image (compilers, headers, git, … for every kind of
# build: buildpack-deps) as the runtime, instead of a build stage and
# debian:bookworm-slim. Same Rust release as docker/api.Dockerfile; the full
# image already has libpq-dev, which diesel needs, so nothing is installed.
FROM rust:1.95.0-bookworm

WORKDIR /src
# Anti-pattern: everything in the build context (what .dockerignore lets
# through), so any change to any file — docs included — invalidates this
# layer and rebuilds every dependency from scratch.
COPY . .
# Anti-pattern: the registry, the sources of every crate and target/ (all
# the intermediate objects) stay in the image; one layer, no cache mount.
RUN cargo build --release --locked --bin tweets

ENV BIND_ADDR=0.0.0.0:8080 \
    MEDIA_ROOT=/var/lib/tweets/media \
    LOG_FORMAT=json \
    RUST_LOG=info
EXPOSE 8080
# Anti-pattern: root at run time. Any hole in the API is a root shell in a
# container that holds a compiler and the whole source tree.
# hadolint ignore=DL3002
USER 0:0
CMD ["/src/target/release/tweets", "serve"]
