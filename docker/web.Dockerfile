# syntax=docker/dockerfile:1.7
# nginx in front of the API: serves the single-page app and uploaded media,
# proxies the API. The config is a template rendered at start by the
# official image's envsubst step: docker/nginx/templates/ (plain HTTP, the
# default) or, with NGINX_ENVSUBST_TEMPLATE_DIR=/etc/nginx/templates-tls,
# HTTPS on 8443 with plain HTTP redirecting to it (compose.tls.yaml).
FROM nginx:1.28.0-alpine
LABEL org.opencontainers.image.title="tweets-web" \
      org.opencontainers.image.description="Tweets: single-page app and reverse proxy (nginx)" \
      org.opencontainers.image.licenses="MIT"
ENV NGINX_PORT=8080 \
    API_UPSTREAM=api:8080 \
    API_UPSTREAM_PARAMS=resolve \
    NGINX_RESOLVER=127.0.0.11 \
    TWEETS_STATIC_ROOT=/usr/share/nginx/tweets \
    TWEETS_MEDIA_ROOT=/var/lib/tweets/media \
    NGINX_TLS_PORT=8443 \
    NGINX_PUBLIC_TLS_PORT=443 \
    TLS_CERTIFICATE=/etc/nginx/tls/fullchain.pem \
    TLS_CERTIFICATE_KEY=/etc/nginx/tls/privkey.pem \
    NGINX_OCSP_STAPLING=on \
    ACME_WEBROOT=/var/www/acme \
    MEDIA_IMG_SRC="'self'"
COPY docker/nginx/nginx.conf /etc/nginx/nginx.conf
COPY docker/nginx/templates/ /etc/nginx/templates/
COPY docker/nginx/templates/ /etc/nginx/templates-tls/
COPY docker/nginx/templates-tls/ /etc/nginx/templates-tls/
# Only what browsers load: no tests, no package files.
COPY frontend/index.html frontend/favicon.svg /usr/share/nginx/tweets/
COPY frontend/css/ /usr/share/nginx/tweets/css/
COPY frontend/js/ /usr/share/nginx/tweets/js/
# Run unprivileged: the rendered config and the runtime files go to places
# the nginx user owns (tmpfs mounts when the root filesystem is read-only).
RUN rm -f /etc/nginx/conf.d/default.conf \
 && chown -R 101:101 /etc/nginx/conf.d \
 && mkdir -p /var/lib/tweets/media /var/www/acme
USER 101:101
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/nginx-health"]
