# syntax=docker/dockerfile:1.7
# The Tweets API: a release build of the `tweets` binary on debian:bookworm-slim,
# running as a fixed non-root user, fit for a read-only root filesystem.

ARG RUST_VERSION=1.95.0

# cargo-chef splits dependency builds from ours, so Docker caches them.
FROM rust:${RUST_VERSION}-slim-bookworm AS chef
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev=15.* pkg-config=1.8.* \
 && rm -rf /var/lib/apt/lists/* \
 && cargo install cargo-chef --version 0.1.72 --locked
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin tweets
COPY . .
ARG GIT_SHA=unknown
ENV GIT_SHA=${GIT_SHA}
RUN cargo build --release --locked --bin tweets \
 && install -D -m 0755 target/release/tweets /out/tweets

FROM debian:bookworm-slim AS runtime
ARG GIT_SHA=unknown
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="tweets-api" \
      org.opencontainers.image.description="Tweets: microblog JSON API (actix-web, diesel, PostgreSQL)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_SHA}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/tweets/tweets"
# libpq for diesel; ca-certificates for TLS connections to a managed database.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5=15.* ca-certificates=20230311* \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tweets \
 && useradd --system --uid 10001 --gid tweets --home-dir /nonexistent --shell /usr/sbin/nologin tweets \
 && install -d -o tweets -g tweets -m 0755 /var/lib/tweets/media
COPY --from=builder /out/tweets /usr/local/bin/tweets
ENV APP_ENV=production \
    BIND_ADDR=0.0.0.0:8080 \
    MEDIA_ROOT=/var/lib/tweets/media \
    LOG_FORMAT=json \
    RUST_LOG=info
USER 10001:10001
VOLUME ["/var/lib/tweets/media"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["tweets", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["tweets"]
CMD ["serve"]
