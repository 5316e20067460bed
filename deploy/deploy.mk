# Cluster deployment with Docker Compose (docker-compose-cluster.yml).
# Included at the END of the top Makefile (so `make` alone keeps its default goal):
#
#   include deploy/deploy.mk
#
#   make deploy-cluster [WORKERS=N]          build the image, write .env with fresh secrets if
#                                            missing, start everything, wait until healthy;
#                                            without WORKERS it keeps the running workers' count
#                                            (2 on a first deploy)
#   make submit JOB=all [DATE=D | FROM=D TO=D] [FORCE=1]
#   make scale-workers N=4
#   make cluster-status
#   make logs [SERVICE=coordinator]          follows the logs (Ctrl-C to stop)
#   make destroy-cluster [DESTROY_VOLUMES=1] keeps the database volume unless DESTROY_VOLUMES=1
#   make deploy-smoke                        the whole lifecycle with faults, against a reference
#                                            (deploy/smoke-test.py; its own compose project)

CLUSTER_COMPOSE_FILE ?= docker-compose-cluster.yml
DEPLOY_TIMEOUT ?= 300
WORKERS ?=
N ?= $(WORKERS)
JOB ?= all
SERVICE ?=

# `docker compose` (v2 plugin), else `docker-compose` (v1). A recursive variable:
# the shell runs only when a deploy target uses it.
COMPOSE ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; \
                   elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; fi)
DC = $(COMPOSE) -f $(CLUSTER_COMPOSE_FILE)

# $(call random_hex,BYTES): hex from openssl, else from /dev/urandom.
random_hex = { openssl rand -hex $(1) 2>/dev/null || od -An -N$(1) -tx1 /dev/urandom | tr -d ' \n'; }

.PHONY: deploy-smoke deploy-check deploy-cluster cluster-image cluster-sample-data submit scale-workers cluster-status logs destroy-cluster

deploy-check:
	@command -v docker >/dev/null 2>&1 || { \
	  echo "deploy: docker not found. Install Docker Engine and its compose plugin (https://docs.docker.com/engine/install/)." >&2; exit 1; }
	@docker info >/dev/null 2>&1 || { \
	  echo "deploy: docker is installed but its daemon is not reachable: is it running, and may $$(id -un) use it (docker group or sudo)?" >&2; exit 1; }
	@[ -n "$(COMPOSE)" ] || { \
	  echo "deploy: neither 'docker compose' nor 'docker-compose' found: install docker-compose-plugin (or Debian's docker-compose)." >&2; exit 1; }

# Created once from .env.example with random secrets; never overwritten.
.env:
	@[ -f .env.example ] || { echo "deploy: .env.example is missing" >&2; exit 1; }
	@umask 077; \
	secret="$$($(call random_hex,32))"; password="$$($(call random_hex,24))"; \
	[ -n "$$secret" ] && [ -n "$$password" ] || { echo "deploy: could not generate random secrets (no openssl, no /dev/urandom)" >&2; exit 1; }; \
	sed -e "s/^GHWH_CLUSTER_SECRET=$$/GHWH_CLUSTER_SECRET=$$secret/" \
	    -e "s/^POSTGRES_PASSWORD=$$/POSTGRES_PASSWORD=$$password/" .env.example > .env
	@echo "deploy: wrote .env (mode 600) with a new cluster secret and database password"

# A re-deploy keeps the workers `make scale-workers` asked for unless WORKERS is given.
deploy-cluster: cluster-sample-data
	@workers="$(WORKERS)"; \
	if [ -z "$$workers" ]; then workers=$$($(DC) ps -q worker 2>/dev/null | wc -l); [ "$$workers" -gt 0 ] || workers=2; fi; \
	echo "deploy: $$workers worker(s)"; \
	$(DC) up -d --remove-orphans --scale worker=$$workers || { \
	  echo "deploy: the cluster did not come up; the roles' last log lines:" >&2; $(DC) logs --tail=20 >&2; exit 1; }
	@bash deploy/wait-cluster.sh $(DEPLOY_TIMEOUT) $(DC)
	@$(DC) exec -T coordinator ghwh ls --raw /data/raw >/dev/null 2>&1 || \
	  echo "deploy: warning: the coordinator (uid 10001) cannot read all of the raw data, or some paths would fail: see '$(DC) exec coordinator ghwh ls --raw /data/raw'" >&2
	@echo "ghwh web UI: http://$$($(DC) port coordinator 8080 | sed 's/^0\.0\.0\.0:/localhost:/')"
	@echo "next: make submit JOB=all | make scale-workers N=4 | make logs | make destroy-cluster"

# One image for every role; compose interpolates .env even to build, hence the prerequisite.
cluster-image: deploy-check .env
	$(DC) build coordinator

# With no GHWH_RAW_DIR (environment or .env) the coordinator reads ./sample-data:
# generate it with the image itself (as the calling user, so the files are theirs).
cluster-sample-data: cluster-image
	@raw="$${GHWH_RAW_DIR:-$$(sed -n 's/^GHWH_RAW_DIR=//p' .env 2>/dev/null | tail -n 1)}"; \
	if [ -n "$$raw" ]; then \
	  [ -d "$$raw/github" ] || echo "deploy: warning: $$raw has no github/ folder yet; jobs will find no files" >&2; \
	elif [ ! -d sample-data/github ]; then \
	  echo "deploy: generating ./sample-data with the ghwh image"; \
	  mkdir -p sample-data && chmod 755 sample-data && \
	  $(DC) run --rm -T --no-deps --user "$$(id -u):$$(id -g)" -v "$(CURDIR)/sample-data:/out" coordinator \
	    gen-data --out /out --repos 8 --issues-per-repo 60 --prs-per-repo 30 --days 3 --seed 42; \
	fi

# ghwh-submit runs in a one-off container of the coordinator's service (it has
# the secret), not inside the coordinator's own: when the coordinator restarts
# during a job, ghwh-submit reconnects and follows the resumed job to its end.
submit: deploy-check
	@tty=-T; if [ -t 0 ] && [ -t 1 ]; then tty=; fi; \
	$(DC) run --rm --no-deps $$tty --entrypoint ghwh-submit coordinator --coordinator tcp://coordinator:7077 --job $(JOB) \
	  $(if $(DATE),--date $(DATE)) $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO)) \
	  $(if $(filter 1 yes true,$(FORCE)),--force)

scale-workers: deploy-check
	@[ -n "$(N)" ] || { echo "deploy: say how many workers: make scale-workers N=3" >&2; exit 2; }
	$(DC) up -d --no-recreate --scale worker=$(N) worker
	@echo "deploy: $(N) worker container(s) requested"

cluster-status: deploy-check
	$(DC) ps

logs: deploy-check
	$(DC) logs -f --tail=200 $(SERVICE)

# `down` interpolates the file too: placeholders let it run after .env was deleted.
destroy-cluster: deploy-check
	@[ -f .env ] || export GHWH_CLUSTER_SECRET=unused POSTGRES_PASSWORD=unused; \
	$(DC) down --remove-orphans $(if $(filter 1,$(DESTROY_VOLUMES)),--volumes)
	@echo "deploy: cluster stopped; $(if $(filter 1,$(DESTROY_VOLUMES)),database volume removed,database volume and .env kept (DESTROY_VOLUMES=1 removes the volume))"

# Not part of `make test`: it needs a Docker engine and takes ~10 minutes (more
# when the image must be built). It leaves any cluster of this checkout alone.
deploy-smoke: deploy-check
	python3 deploy/smoke-test.py
