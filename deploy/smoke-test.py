#!/usr/bin/env python3
"""Deployment smoke test: drives the real compose cluster through the Makefile
targets on whatever Docker engine answers, and checks after every step that
the warehouse equals a reference `ghwh run` of the same raw tree into a
private PostgreSQL (row count and md5 of every sta_github and stg_github table).

Steps: deploy, submit, scale to 3 workers (all three must run tasks), then
during a job each of: kill -9 of ghwh inside a worker container, `docker kill`
of a worker container, scale down to 1, restart of the loader, of the
coordinator (the journaled job resumes by itself) and of postgres; after each
the job must succeed and the tables must equal the reference. Finally
`make destroy-cluster DESTROY_VOLUMES=1`.

It runs as its own compose project (SMOKE_PROJECT, default ghwhsmoke) on its
own ports, so a cluster deployed from this checkout is left alone; it removes
everything it made. One line per step with its time, then "N passed, N failed";
exit status 1 on any failure. Details go to SMOKE_LOG (default under /tmp).

Environment: GHWH (host ghwh binary for the raw tree and the reference; default
`swift build --show-bin-path`/ghwh, built if missing), SMOKE_PROJECT,
SMOKE_UI_PORT (18080), SMOKE_CLUSTER_PORT (17077), SMOKE_REPOS (30), SMOKE_DAYS (6),
SMOKE_KEEP=1 (leave the cluster and files for a look after a failure).
Run it with `make deploy-smoke`.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = os.environ.get("SMOKE_PROJECT", "ghwhsmoke")
UI_PORT = int(os.environ.get("SMOKE_UI_PORT", "18080"))
CLUSTER_PORT = int(os.environ.get("SMOKE_CLUSTER_PORT", "17077"))
REPOS = int(os.environ.get("SMOKE_REPOS", "30"))
DAYS = int(os.environ.get("SMOKE_DAYS", "6"))
KEEP = os.environ.get("SMOKE_KEEP") == "1"
JOB_TIMEOUT = 600


class StepFailed(Exception):
    pass


class Smoke:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="ghwh-smoke-")
        os.chmod(self.work, 0o711)  # the reference's PostgreSQL runs as the postgres user
        self.log_path = os.environ.get("SMOKE_LOG") or self.work + ".log"
        self.log = open(self.log_path, "w")
        self.raw = os.path.join(self.work, "raw")
        self.reference_dir = os.path.join(self.work, "ref")
        self.env = dict(os.environ)
        self.env.update({
            "COMPOSE_PROJECT_NAME": PROJECT,
            "GHWH_RAW_DIR": self.raw,
            "GHWH_UI_PORT": str(UI_PORT),
            "GHWH_CLUSTER_PORT": str(CLUSTER_PORT),
        })
        self.made_env_file = not os.path.exists(os.path.join(REPO, ".env"))
        self.ghwh = None
        self.psql = None
        self.compose_cli = None
        self.reference = None
        self.results = []
        self.deploying = False  # set once this run may have created containers
        self.started = time.monotonic()

    # ---- running things -------------------------------------------------

    def note(self, text):
        self.log.write(text.rstrip("\n") + "\n")
        self.log.flush()

    def run(self, args, timeout=900, check=True, env=None):
        """Runs a command to its end; its output goes to the log."""
        self.note("$ " + " ".join(args))
        p = subprocess.run(args, cwd=REPO, env=env or self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        self.note(p.stdout)
        if check and p.returncode != 0:
            tail = " | ".join(p.stdout.strip().splitlines()[-3:])
            raise StepFailed(f"`{' '.join(args)}` exited {p.returncode}: {tail}")
        return p

    def make(self, *targets, timeout=900, check=True):
        return self.run(["make", "--no-print-directory", *targets], timeout=timeout, check=check)

    def compose(self, *args, timeout=300, check=True):
        return self.run(self.compose_command() + ["-f", "docker-compose-cluster.yml", *args],
                        timeout=timeout, check=check)

    def compose_command(self):
        """`docker compose` (v2), else `docker-compose` (v1); looked up once."""
        if self.compose_cli is None:
            if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
                self.compose_cli = ["docker", "compose"]
            elif shutil.which("docker-compose"):
                self.compose_cli = ["docker-compose"]
            else:
                raise StepFailed("neither `docker compose` nor `docker-compose` is installed")
        return self.compose_cli

    def containers(self, service=None, all=False):
        """Ids of this project's running (or all) containers, by compose's labels."""
        filters = ["--filter", f"label=com.docker.compose.project={PROJECT}"]
        if service:
            filters += ["--filter", f"label=com.docker.compose.service={service}"]
        return self.run(["docker", "ps", "-q", "--no-trunc", *(["-a"] if all else []), *filters]).stdout.split()

    # ---- the coordinator's API --------------------------------------------

    def api(self, path):
        """The JSON at path, or None while the coordinator does not answer."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{UI_PORT}{path}", timeout=5) as r:
                return json.load(r)
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError, OSError):
            return None

    def job_ids(self):
        jobs = self.api("/api/v1/jobs")
        if jobs is None:
            raise StepFailed("the coordinator's API does not answer")
        return {j["id"] for j in jobs}

    def new_running_job(self, known, submit, timeout=120):
        """Waits for the job `submit` created to be under way: running, with
        some tasks done and most still to do (the moment to break something)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for j in self.api("/api/v1/jobs") or []:
                if j["id"] in known:
                    continue
                if j["state"] != "running" and j["state"] != "queued":
                    raise StepFailed(f"job {j['id']} was {j['state']} before the fault was injected: "
                                     "make the tree bigger (SMOKE_REPOS)")
                if j["state"] == "running" and j["tasksPlanned"] > 0 and 1 <= j["tasksDone"] < j["tasksPlanned"] // 2:
                    self.note(f"job {j['id']} under way: {j['tasksDone']}/{j['tasksPlanned']} tasks")
                    return j["id"]
            if submit.poll() is not None:
                raise StepFailed(f"make submit exited {submit.returncode} before its job was seen running")
            time.sleep(0.1)
        raise StepFailed(f"no new job was running after {timeout} s")

    def wait_job(self, job_id, timeout=JOB_TIMEOUT):
        """The job's final state, polling through coordinator restarts."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            j = self.api(f"/api/v1/jobs/{job_id}")
            if j and j["state"] in ("succeeded", "failed", "killed"):
                self.note(f"job {job_id}: {j['state']} {j.get('error') or ''} failures={j.get('failures')}")
                return j
            time.sleep(0.5)
        raise StepFailed(f"job {job_id} did not finish within {timeout} s")

    # ---- tables ------------------------------------------------------------

    TABLES_SQL = ("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                  "JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE n.nspname IN ('sta_github', 'stg_github') AND c.relkind IN ('r', 'p') "
                  "AND NOT c.relispartition ORDER BY 1")

    @staticmethod
    def checksum_sql(tables):
        return " UNION ALL ".join(
            f"SELECT '{t}', count(*), md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text COLLATE \"C\"), '')) "
            f"FROM {t} x" for t in tables) + " ORDER BY 1"

    def checksums(self, query):
        """{table: 'rows md5'} of every silver and gold table, through `query(sql)`."""
        tables = [t for t in query(self.TABLES_SQL).split() if t]
        if not tables:
            raise StepFailed("no sta_github/stg_github tables found")
        out = {}
        for line in query(self.checksum_sql(tables)).splitlines():
            name, rows, digest = line.split("|")
            out[name] = f"{rows} {digest}"
        return out

    def cluster_query(self, sql):
        p = self.compose("exec", "-T", "postgres", "psql", "-U", "ghwh", "-d", "ghwh", "-v", "ON_ERROR_STOP=1",
                         "-At", "-c", sql)
        return p.stdout

    def reference_query(self, sql):
        conninfo = f"host={self.reference_dir}/postgres/run port=5432 user=postgres dbname=ghwh"
        return self.run([self.psql, conninfo, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]).stdout

    def expect_reference_tables(self):
        got = self.checksums(self.cluster_query)
        if got != self.reference:
            differ = sorted(t for t in set(got) | set(self.reference) if got.get(t) != self.reference.get(t))
            raise StepFailed("tables differ from the reference: " + ", ".join(
                f"{t} (cluster {got.get(t)}, reference {self.reference.get(t)})" for t in differ))
        return f"{len(got)} tables equal the reference"

    # ---- steps -------------------------------------------------------------

    def step(self, name, body):
        start = time.monotonic()
        self.note(f"=== {name}")
        try:
            detail = body() or ""
            ok, text = True, detail
        except StepFailed as e:
            ok, text = False, str(e)
        except subprocess.TimeoutExpired as e:
            ok, text = False, f"timed out: {' '.join(e.cmd)}"
        seconds = time.monotonic() - start
        self.results.append(ok)
        line = f"[smoke] {len(self.results):2d} {'ok  ' if ok else 'FAIL'} {name} ({seconds:.1f} s)"
        print(line + (f": {text}" if text else ""), flush=True)
        self.note(line + ": " + text)
        return ok

    def preflight(self):
        if shutil.which("docker") is None:
            raise StepFailed("docker is not installed")
        self.run(["docker", "info"], timeout=60)
        self.compose_command()
        self.psql = shutil.which("psql") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), reverse=True)), None)
        if self.psql is None:
            raise StepFailed("psql not found (install postgresql-client; `make deps` does)")
        self.ghwh = os.environ.get("GHWH")
        if not self.ghwh:
            self.run(["swift", "build", "--product", "ghwh"], timeout=1800)
            self.ghwh = os.path.join(self.run(["swift", "build", "--show-bin-path"]).stdout.strip(), "ghwh")
        if self.containers(all=True):
            raise StepFailed(f"compose project {PROJECT} already has containers: "
                             f"COMPOSE_PROJECT_NAME={PROJECT} make destroy-cluster DESTROY_VOLUMES=1")
        return f"ghwh {self.ghwh}, psql {self.psql}, work {self.work}"

    def generate(self):
        self.run([self.ghwh, "gen-data", "--out", self.raw, "--repos", str(REPOS), "--issues-per-repo", "300",
                  "--prs-per-repo", "150", "--days", str(DAYS), "--snapshots", "--seed", "7"], timeout=900)
        # The containers read it as uid 10001, whatever the caller's umask.
        self.run(["chmod", "-R", "a+rX", self.raw])
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(self.raw) for f in fs)
        return f"{size / 1e6:.0f} MB under {self.raw}"

    def build_reference(self):
        self.run([self.ghwh, "run", "--raw", self.raw, "--data-dir", self.reference_dir, "--no-progress"],
                 timeout=1800)
        self.reference = self.checksums(self.reference_query)
        rows = self.reference.get("sta_github.issues", "0").split()[0]
        return f"{len(self.reference)} tables, sta_github.issues {rows} rows"

    def deploy(self):
        self.deploying = True
        self.make("deploy-cluster", "WORKERS=2", timeout=1800)
        workers = len(self.containers("worker"))
        if workers != 2:
            raise StepFailed(f"{workers} worker containers, expected 2")
        return "2 workers"

    def submit_all(self):
        known = self.job_ids()
        self.make("submit", "JOB=all", timeout=JOB_TIMEOUT)
        new = self.job_ids() - known
        if len(new) != 1:
            raise StepFailed(f"expected one new job, got {sorted(new)}")
        job = self.wait_job(new.pop())
        if job["state"] != "succeeded":
            raise StepFailed(f"job {job['id']} {job['state']}: {job.get('error')}")
        return self.expect_reference_tables()

    def scale_to_three(self):
        self.make("scale-workers", "N=3")
        if len(self.containers("worker")) != 3:
            raise StepFailed("scale-workers N=3 did not give 3 worker containers")
        deadline = time.monotonic() + 120
        while True:
            alive = [w for w in (self.api("/api/v1/workers") or []) if w["alive"]]
            if len(alive) >= 3:
                break
            if time.monotonic() > deadline:
                raise StepFailed(f"only {len(alive)} workers registered after 120 s")
            time.sleep(0.5)
        known = self.job_ids()
        self.make("submit", "JOB=all", "FORCE=1", timeout=JOB_TIMEOUT)
        job_id = (self.job_ids() - known).pop()
        job = self.wait_job(job_id)
        ran = {t["worker"] for t in job["tasks"] if t.get("worker") and t["state"] == "committed"}
        if len(ran) < 3:
            raise StepFailed(f"only {len(ran)} workers ran tasks: {sorted(ran)}")
        return f"3 workers ran tasks; " + self.expect_reference_tables()

    def during_a_job(self, inject):
        """Submits `all --force`, breaks something once the job is under way,
        then requires the job to succeed and the tables to equal the reference."""
        known = self.job_ids()
        self.note("$ make submit JOB=all FORCE=1 (in the background)")
        submit = subprocess.Popen(["make", "--no-print-directory", "submit", "JOB=all", "FORCE=1"], cwd=REPO,
                                  env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            job_id = self.new_running_job(known, submit)
            what = inject()
            job = self.wait_job(job_id)
            out, _ = submit.communicate(timeout=JOB_TIMEOUT)
        finally:
            if submit.poll() is None:
                submit.kill()
                submit.communicate()
        self.note(out)
        if job["state"] != "succeeded":
            raise StepFailed(f"job {job_id} {job['state']}: {job.get('error')} {job.get('failures')}")
        if submit.returncode != 0:
            raise StepFailed(f"make submit exited {submit.returncode}")
        retried = sum(1 for t in job["tasks"] if t["attempts"] > 1)
        return f"{what}; job succeeded ({retried} tasks retried); " + self.expect_reference_tables()

    def kill_ghwh_in_worker(self):
        worker = self.containers("worker")[0]
        self.run(["docker", "exec", worker, "sh", "-c",
                  'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = ghwh ] && kill -9 "${p#/proc/}"; done; true'])
        return f"kill -9 ghwh in {worker[:12]}"

    def docker_kill_worker(self):
        worker = self.containers("worker")[0]
        self.run(["docker", "kill", worker])
        return f"docker kill {worker[:12]}"

    def scale_down(self):
        self.make("scale-workers", "N=1", timeout=300)
        count = len(self.containers("worker"))
        if count != 1:
            raise StepFailed(f"{count} worker containers after scaling to 1")
        return "scaled to 1 worker"

    def restart(self, service):
        def inject():
            self.compose("restart", service, timeout=300)
            return f"restarted {service}"
        return inject

    def destroy(self):
        self.make("destroy-cluster", "DESTROY_VOLUMES=1", timeout=300)
        left = self.containers(all=True)
        volumes = self.run(["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"]).stdout.split()
        if left or volumes:
            raise StepFailed(f"left behind: containers {left}, volumes {volumes}")
        return "no containers or volumes left"

    def cleanup(self):
        if KEEP and not all(self.results):
            print(f"[smoke] SMOKE_KEEP=1: cluster {PROJECT} and {self.work} kept", flush=True)
            return
        if self.deploying:  # idempotent: after a passing destroy step there is nothing left
            self.run(["make", "--no-print-directory", "destroy-cluster", "DESTROY_VOLUMES=1"], timeout=300, check=False)
        if self.ghwh and os.path.isdir(self.reference_dir):
            self.run([self.ghwh, "db", "stop", "--data-dir", self.reference_dir], timeout=300, check=False)
        if self.made_env_file:
            try:
                os.remove(os.path.join(REPO, ".env"))
            except FileNotFoundError:
                pass
        self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)
        # The log holds every command's output: kept after a failure or when asked for.
        if all(self.results) and not os.environ.get("SMOKE_LOG"):
            os.remove(self.log_path)

    def main(self):
        print(f"[smoke] compose project {PROJECT}, UI port {UI_PORT}; log {self.log_path}", flush=True)
        try:
            steps = [
                ("preflight", self.preflight),
                ("generate raw tree", self.generate),
                ("reference: ghwh run into a private PostgreSQL", self.build_reference),
                ("make deploy-cluster", self.deploy),
                ("make submit JOB=all", self.submit_all),
                ("make scale-workers N=3, all three run tasks", self.scale_to_three),
                ("kill -9 ghwh inside a worker during a job", lambda: self.during_a_job(self.kill_ghwh_in_worker)),
                ("docker kill a worker during a job", lambda: self.during_a_job(self.docker_kill_worker)),
                ("scale down to 1 worker during a job", lambda: self.during_a_job(self.scale_down)),
                ("restart the loader during a job", lambda: self.during_a_job(self.restart("loader"))),
                ("restart the coordinator during a job (it resumes, make submit follows)",
                 lambda: self.during_a_job(self.restart("coordinator"))),
                ("restart postgres during a job", lambda: self.during_a_job(self.restart("postgres"))),
                ("make destroy-cluster DESTROY_VOLUMES=1", self.destroy),
            ]
            for i, (name, body) in enumerate(steps):
                if not self.step(name, body) and i < 4:
                    break  # nothing after these can run
        finally:
            self.cleanup()
        passed = sum(self.results)
        failed = len(self.results) - passed
        print(f"[smoke] {passed} passed, {failed} failed in {time.monotonic() - self.started:.0f} s"
              + (f"; log {self.log_path}" if failed else ""), flush=True)
        return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(Smoke().main())
