# Tweets — every task a contributor or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: k8s dev psql exercises up-debug debug-shell up-logging image-sizes backup backups certs client deploy-test hooks db-tls deps faults fuzz help migrations record-queries restore run stop-db db-url test test-rust contract monitoring infra e2e up up-prod down logs ps build test-containers openapi fmt fmt-check lint schema seed bench clean \
  tf-env tf-init tf-plan tf-apply tf-destroy tf-fmt tf-check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Run API + SPA on http://localhost:8080 (starts a local PostgreSQL unless DATABASE_URL answers)
	@scripts/run.sh

dev: ## `make run`, rebuilt and restarted on every change (watchexec); the SPA served from frontend/ on disk
	@scripts/run.sh --watch

psql: ## A psql shell on the database `make run` uses (the local cluster under .data/, or DATABASE_URL)
	@url=$${DATABASE_URL:-$$(scripts/pg.sh start-url)} && exec psql "$$url"

stop-db: ## Stop the project PostgreSQL cluster under .data/
	@scripts/pg.sh stop

db-url: ## Print the DATABASE_URL `make run` uses
	@scripts/pg.sh url

test: deps fmt-check lint infra tf-check k8s contract monitoring e2e db-tls client faults backups migrations deploy-test exercises test-rust ## Everything CI runs: formatting, lints, all tests

deps: ## Install what make test needs (apt packages, terraform, rustup components), or say what to install
	@scripts/ensure-tools.sh

test-rust: ## Unit and HTTP integration tests against a real PostgreSQL (and moto's S3 server for the media store)
	@MOTO_SERVER=$$(scripts/tools.sh moto)/moto_server scripts/pg.sh with-throwaway $(CARGO) test --workspace --locked

contract: ## Schemathesis against the live server and its OpenAPI document
	@scripts/pg.sh with-throwaway scripts/contract.sh

exercises: ## The practice track: every runnable command block of docs/exercises, against a server it starts
	@scripts/pg.sh with-throwaway scripts/test-exercises.sh

monitoring: ## promtool/amtool checks, rule unit tests, real Prometheus against the API
	@scripts/pg.sh with-throwaway scripts/check-monitoring.sh

db-tls: ## The API against a PostgreSQL that accepts only TLS: verify-full works, unverifiable servers are refused
	@scripts/check-db-tls.sh

client: ## Generate a Python client from openapi.json (openapi-python-client) and run a story through it
	@scripts/pg.sh with-throwaway scripts/check-client.sh

faults: ## Fault suite: PostgreSQL stopped/crashed/restarted, Redis killed/frozen, a held lock — under load, own processes
	@scripts/test-faults.sh

.PHONY: ha-up ha-down test-ha ha-compose-up

ha-up: ## A local Patroni cluster: etcd, 3 PostgreSQL nodes (synchronous replication), HAProxy; prints its URLs (docs/ha.md)
	@scripts/ha.sh up

ha-down: ## Stop the cluster `make ha-up` started (by PID) and remove its state
	@scripts/ha.sh down

test-ha: ## Failover under load: the primary node SIGKILLed; writes back < 30 s, no acknowledged write lost, old primary rejoins
	@scripts/test-ha.sh $(ARGS)

ha-compose-up: ## The production stack on the Patroni cluster (compose.prod.yaml + compose.ha.yaml)
	$(COMPOSE) $(PROD) -f compose.ha.yaml up -d --build --wait

backups: ## Backup -> drop -> restore round trip (0 rows, 0 files lost), damaged archives refused, point-in-time recovery
	@scripts/pg.sh with-throwaway scripts/test-backup.sh
	@scripts/test-pitr.sh

migrations: ## The previous release's SQL (backend/tests/compat/queries.sql) still prepares on the migrated schema
	@scripts/pg.sh with-throwaway scripts/test-migrations.sh

record-queries: ## At a release: record the SQL this release sends, for the next release's `make migrations`
	@scripts/record-queries.sh

backup: ## Back up the database and media into BACKUP_DIR (scripts/backup.sh --help; --compose for the stack)
	@scripts/backup.sh $(ARGS)

restore: ## Restore ARCHIVE=file after verifying it (scripts/restore.sh --help)
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=backups/tweets-….tar [ARGS=--compose]"; exit 2; }
	@scripts/restore.sh $(ARGS) "$(ARCHIVE)"

e2e: ## Frontend unit tests, then Chromium through the project's nginx config against the real API
	@scripts/pg.sh with-throwaway scripts/e2e.sh

infra: ## hadolint, Compose schema, nginx -t, haproxy -c, shellcheck, yamllint, actionlint
	@scripts/check-infra.sh

# Terraform. ENV picks terraform/environments/$(ENV):
# dev and prod (Docker), aws (AWS).
ENV ?= dev
TF_DIR := terraform/environments/$(ENV)
TF := terraform -chdir=$(TF_DIR)

tf-env:
	@case "$(ENV)" in dev|prod|aws) ;; *) echo "ENV must be dev, prod or aws (got '$(ENV)'): make tf-plan ENV=prod" >&2; exit 2;; esac
	@test -d $(TF_DIR) || { echo "no $(TF_DIR)" >&2; exit 2; }

tf-init: tf-env ## terraform init in terraform/environments/$ENV (ENV=dev|prod|aws; aws reads backend.hcl if present)
	$(TF) init -input=false $(if $(and $(filter aws,$(ENV)),$(wildcard $(TF_DIR)/backend.hcl)),-backend-config=backend.hcl)

tf-plan: tf-env ## terraform plan for $ENV, saved as terraform/environments/$ENV/$ENV.tfplan for tf-apply
	$(TF) plan -input=false -out=$(ENV).tfplan

tf-apply: tf-env ## Apply the plan `make tf-plan` saved (refuses without one), then delete it
	@test -f $(TF_DIR)/$(ENV).tfplan || { echo "no $(TF_DIR)/$(ENV).tfplan: run \`make tf-plan ENV=$(ENV)\` first and review it" >&2; exit 2; }
	$(TF) apply -input=false $(ENV).tfplan
	@rm -f $(TF_DIR)/$(ENV).tfplan

tf-destroy: tf-env ## terraform destroy for $ENV (asks for confirmation)
	$(TF) destroy

tf-fmt: ## Format everything under terraform/
	terraform fmt -recursive terraform/

k8s: ## Kubernetes manifests (deploy/k8s): kustomize renders, schemas (1.31, strict), invariants, checkov, rollout order
	@scripts/check-k8s.sh

tf-check: ## terraform fmt -check, scripts/check_terraform.py (references, READMEs, validation cases), checkov
	@scripts/check-terraform.sh

COMPOSE ?= docker compose
PROD := -f compose.yaml -f compose.prod.yaml

hooks: ## Install the pre-commit hooks (.pre-commit-config.yaml) into this clone
	@"$$(scripts/tools.sh)/pre-commit" install

deploy-test: ## deploy.sh's roll, health gate, smoke test and automatic rollback, for real behind the project's nginx
	@scripts/pg.sh with-throwaway scripts/test-deploy.sh

certs: ## A local CA and a certificate for localhost in .certs/ (HTTPS in development: compose.tls.yaml)
	@scripts/certs.sh

build: ## Build the api and web images
	$(COMPOSE) build

up: ## Start the stack for development (compose.yaml + compose.override.yaml) on http://localhost:8080
	$(COMPOSE) up -d --build --wait

up-prod: ## Start the production stack (compose.yaml + compose.prod.yaml)
	$(COMPOSE) $(PROD) up -d --build --wait

DEV := -f compose.yaml -f compose.override.yaml

up-debug: ## Development stack plus the tools container, API logs at debug (docs/troubleshooting.md)
	$(COMPOSE) $(DEV) -f compose.debug.yaml up -d --build --wait

debug-shell: ## A shell in the tools container: psql, dig, curl, tcpdump, nc, jq
	$(COMPOSE) $(DEV) -f compose.debug.yaml exec tools bash

up-logging: ## Development stack with monitoring and logs: Grafana :3000, Loki :3100 (docs/logging.md)
	$(COMPOSE) $(DEV) -f compose.monitoring.yaml -f compose.logging.yaml up -d --build --wait

image-sizes: ## Build the naive and the multi-stage API images and compare their sizes (docs/images.md)
	docker build -f docker/api.naive.Dockerfile -t tweets-api:naive .
	docker build -f docker/api.Dockerfile -t tweets-api:multistage .
	docker image ls tweets-api

down: ## Stop the stack (volumes are kept; `docker compose down -v` drops them)
	$(COMPOSE) down

logs: ## Follow the stack's logs
	$(COMPOSE) logs -f --tail=100

ps: ## The stack's containers and their health
	$(COMPOSE) ps

test-containers: ## The test suite in containers against a throwaway database
	$(COMPOSE) -f compose.test.yaml run --build --rm tests; status=$$?; $(COMPOSE) -f compose.test.yaml down -v; exit $$status

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

fuzz: ## Each cargo-fuzz target for FUZZ_SECONDS (default 60; needs a nightly toolchain)
	@scripts/fuzz.sh

bench: ## Measure (see bench/README.md); writes docs/benchmarks.md
	@scripts/pg.sh with-throwaway bench/run.sh

clean: ## Remove build output (keeps .data/)
	$(CARGO) clean
