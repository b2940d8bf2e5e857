# Tweets — every task a contributor or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help run stop-db db-url test test-rust contract monitoring infra e2e up up-prod down logs ps build test-containers openapi fmt fmt-check lint schema seed bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Run API + SPA on http://localhost:8080 (starts a local PostgreSQL unless DATABASE_URL answers)
	@scripts/run.sh

stop-db: ## Stop the project PostgreSQL cluster under .data/
	@scripts/pg.sh stop

db-url: ## Print the DATABASE_URL `make run` uses
	@scripts/pg.sh url

test: fmt-check lint infra contract monitoring e2e test-rust ## Everything CI runs: formatting, lints, all tests

test-rust: ## Unit and HTTP integration tests against a real PostgreSQL
	@scripts/pg.sh with-throwaway $(CARGO) test --workspace --locked

contract: ## Schemathesis against the live server and its OpenAPI document
	@scripts/pg.sh with-throwaway scripts/contract.sh

monitoring: ## promtool/amtool checks, rule unit tests, real Prometheus against the API
	@scripts/pg.sh with-throwaway scripts/check-monitoring.sh

e2e: ## Frontend unit tests, then Chromium through the project's nginx config against the real API
	@scripts/pg.sh with-throwaway scripts/e2e.sh

infra: ## hadolint, Compose schema, nginx -t, shellcheck, yamllint, actionlint
	@scripts/check-infra.sh

COMPOSE ?= docker compose
PROD := -f compose.yaml -f compose.prod.yaml

build: ## Build the api and web images
	$(COMPOSE) build

up: ## Start the stack for development (compose.yaml + compose.override.yaml) on http://localhost:8080
	$(COMPOSE) up -d --build --wait

up-prod: ## Start the production stack (compose.yaml + compose.prod.yaml)
	$(COMPOSE) $(PROD) up -d --build --wait

down: ## Stop the stack (volumes are kept; `docker compose down -v` drops them)
	$(COMPOSE) down

logs: ## Follow the stack's logs
	$(COMPOSE) logs -f --tail=100

ps: ## The stack's containers and their health
	$(COMPOSE) ps

test-containers: ## The test suite in containers against a throwaway database
	$(COMPOSE) -f compose.test.yaml run --rm tests; status=$$?; $(COMPOSE) -f compose.test.yaml down -v; exit $$status

openapi: ## Regenerate openapi.json from the code
	$(CARGO) run --quiet --locked --bin tweets -- openapi > openapi.json

fmt: ## Format the code
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

lint: ## Clippy, warnings denied
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

schema: ## Regenerate backend/src/schema.rs from the migrations (needs diesel_cli)
	@url=$$(scripts/pg.sh url) && db=tweets_schema_$$$$ && \
	  admin=$${url%/*}/postgres && psql "$$admin" -XAqc "CREATE DATABASE $$db" && \
	  diesel migration run --database-url "$${url%/*}/$$db" && \
	  diesel print-schema --database-url "$${url%/*}/$$db" > backend/src/schema.rs; \
	  psql "$$admin" -XAqc "DROP DATABASE IF EXISTS $$db"

seed: ## Fill the local database with demo data (100 users, 10k tweets)
	@DATABASE_URL=$$(scripts/pg.sh url) $(CARGO) run --quiet --bin tweets -- seed

bench: ## Measure (see bench/README.md); writes docs/benchmarks.md
	@scripts/pg.sh with-throwaway bench/run.sh

clean: ## Remove build output (keeps .data/)
	$(CARGO) clean
