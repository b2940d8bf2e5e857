# syntax=docker/dockerfile:1.7
# The `tools` container of compose.debug.yaml: a shell on the stack's backend
# network with the client tools troubleshooting needs — curl, dig, psql,
# tcpdump, netcat, jq, ip/ss — so the API, nginx and PostgreSQL are looked at
# from where they talk to each other. See docs/troubleshooting.md,
# "Debugging containers". Never part of a deploy.
#
# FROM the same PostgreSQL release the db service runs (compose.yaml), in its
# Debian variant: psql is exactly the server's version (Debian bookworm's own
# psql is 15 and warns against a 16 server), and the other tools come from
# Debian bookworm, pinned like the api image's packages.
FROM postgres:16.6-bookworm
LABEL org.opencontainers.image.title="tweets-tools" \
      org.opencontainers.image.description="Tweets: debugging tools on the stack's network (curl, dig, psql, tcpdump, netcat, jq)" \
      org.opencontainers.image.licenses="MIT"
# tcpdump runs as the unprivileged `tools` user through file capabilities
# (setcap): NET_RAW to open a packet socket, NET_ADMIN to set the capture
# options on it. compose.debug.yaml adds exactly these two to the container's
# bounding set (cap_drop ALL, cap_add NET_RAW/NET_ADMIN) and does not set
# no-new-privileges, which would stop file capabilities from taking effect.
# libcap2-bin stays: getpcaps/capsh show a container's capabilities.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates=20250419* \
      curl=7.88.* \
      bind9-dnsutils=1:9.18.* \
      tcpdump=4.99.* \
      netcat-openbsd=1.219* \
      jq=1.6* \
      iproute2=6.1.* \
      libcap2-bin=1:2.66* \
 && rm -rf /var/lib/apt/lists/* \
 && setcap cap_net_raw,cap_net_admin=eip /usr/bin/tcpdump \
 && groupadd --system --gid 10002 tools \
 && useradd --system --uid 10002 --gid tools --create-home --home-dir /home/tools --shell /bin/bash tools
# The image's entrypoint initialises and starts a PostgreSQL server; this
# container only runs clients.
ENTRYPOINT []
USER 10002:10002
WORKDIR /home/tools
CMD ["sleep", "infinity"]
