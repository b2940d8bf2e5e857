#!/usr/bin/env python3
"""Fault injection: the API under a failing PostgreSQL and Redis.

Starts its own processes on free loopback ports, all under one temporary
directory: a PostgreSQL 15 cluster, a redis-server and, for every scenario,
a fresh `tweets serve` (so one scenario's pool cannot leak into the next).
Then injects faults under load (8 writer threads posting, 1 reader) and
checks what users would see:

  pg-stop-fast       PostgreSQL stopped (-m fast) under load, then started
  pg-stop-immediate  the same with -m immediate (a crash: no shutdown checkpoint)
  pg-restart-idle    PostgreSQL restarted while the API is idle (3 times); the very
                     next requests (profile, tweet, post) must not be 500
  redis-kill         redis-server killed under load: posting throughput must hold
  redis-freeze       redis-server stopped with SIGSTOP under load, then SIGCONT
  db-lock            a session holds ACCESS EXCLUSIVE on tweets while writers post:
                     the pool runs dry; 503s, not hangs; /readyz answers within 1 s

Every scenario asserts: no HTTP 500 (nor any 5xx but 503); every 503 carries
Retry-After; no answer slower than DB_POOL_TIMEOUT (2 s) + DB_STATEMENT_TIMEOUT
(1 s) + 0.5 s, and none missing (clients wait a second longer); every write
answered 201 is in the database afterwards (read back with psql, the last few
through the API too); bounded recovery (/readyz 200 within 2 s of PostgreSQL
accepting connections again, writes succeeding within 4 s).

Usage: faults.py [--only NAME]... [--bin PATH] [--keep] [--strict-idle] [--list]
One line per scenario; exits 1 when any assertion fails (each one listed).
Needs: target/debug/tweets (or --bin / $TWEETS_BIN), PostgreSQL 15 server
binaries (/usr/lib/postgresql/15/bin or $PG_BIN), psql, redis-server. As
root, PostgreSQL runs as the `postgres` user through runuser.
"""
import argparse
import atexit
import collections
import concurrent.futures
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.path.join(ROOT, "target", "debug", "tweets")
LOOPBACK = "127.0.0.1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# --- What the scenarios hold the API to -------------------------------------
POOL_SIZE = 4                      # DB_POOL_SIZE: fewer than the writers, so they contend
POOL_TIMEOUT = 2.0                 # DB_POOL_TIMEOUT, seconds
STATEMENT_TIMEOUT = 1.0            # DB_STATEMENT_TIMEOUT (builds without the setting ignore it)
# No answer may take longer than a pool wait plus one statement's, plus a margin;
# clients give up a little later still.
LATENCY_LIMIT = POOL_TIMEOUT + STATEMENT_TIMEOUT + 0.5
CLIENT_TIMEOUT = LATENCY_LIMIT + 1.0
WRITERS = 8                        # concurrent writer threads
READERS = 1                        # …and readers (a profile, a tweet), for the read path
READY_AFTER_DB = 2.0               # /readyz 200 this soon after PostgreSQL accepts connections
WRITES_AFTER_DB = 4.0              # a write succeeds this soon after the fault ends
READYZ_LIMIT = 1.0                 # /readyz answers this fast while the pool is exhausted
MIN_THROUGHPUT_RATIO = 0.5         # Redis outage throughput vs. the baseline
REDIS_AGAIN = 5.0                  # the limiter counts in Redis again this soon after it returns
IDLE_RESTART_CYCLES = 3            # pg-restart-idle: restarts, each followed by the next requests
MAX_REQUESTS_PER_WRITER = 20000    # every loop is bounded in count as well as in time
LOAD_HARD_LIMIT = 60.0             # …and no load runs longer than this, whatever happens

PG_OPTIONS = "-c fsync=off -c full_page_writes=off -c max_connections=100"
# Not synchronous_commit=off: a commit acknowledged before its WAL reached the
# OS would be lost by -m immediate, and the durability check would blame the API.


def log(msg):
    print(f"faults: {msg}", file=sys.stderr, flush=True)


class HarnessError(Exception):
    """The harness could not set a scenario up: not a finding about the API."""


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def poll_until(what, check, timeout, interval=0.05):
    """Polls `check` until it returns a truthy value; HarnessError at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (OSError, http.client.HTTPException, subprocess.SubprocessError) as e:
            last = e
        if time.monotonic() >= deadline:
            raise HarnessError(f"timed out after {timeout:g}s waiting for {what}" + (f" ({last})" if last else ""))
        time.sleep(interval)


def hold(seconds):
    """A fixed-duration load window (not a synchronisation)."""
    time.sleep(seconds)


try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def _set_pdeathsig():
    _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: SIGKILL when this process dies uncleanly


def die_with_parent():
    """A preexec_fn that kills the child if the harness is killed before cleaning up.
    Only while no other thread runs: preexec_fn is unsafe in a threaded process."""
    return _set_pdeathsig if _PRCTL is not None and threading.active_count() == 1 else None


# --- HTTP --------------------------------------------------------------------

class Result:
    __slots__ = ("kind", "start", "end", "status", "retry_after", "body", "error", "tweet_id")

    def __init__(self, kind, start):
        self.kind, self.start = kind, start
        self.end = self.status = self.retry_after = self.error = self.tweet_id = None
        self.body = b""

    @property
    def latency(self):
        return self.end - self.start

    def label(self):
        return str(self.status) if self.status is not None else self.error


def request(port, method, path, body=None, token=None, kind=None, timeout=CLIENT_TIMEOUT):
    """One request on a fresh connection; never raises for network trouble."""
    r = Result(kind or path, time.monotonic())
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        headers = {"Connection": "close"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        r.body = res.read()
        r.status = res.status
        r.retry_after = res.getheader("Retry-After")
    except socket.timeout:
        r.error = "timeout"
    except ConnectionRefusedError:
        r.error = "refused"
    except ConnectionResetError:
        r.error = "reset"
    except (OSError, http.client.HTTPException) as e:
        r.error = type(e).__name__
    finally:
        r.end = time.monotonic()
        conn.close()
    if r.status == 201 and r.kind == "post":
        try:
            r.tweet_id = int(json.loads(r.body)["id"])
        except (ValueError, KeyError, TypeError):
            r.error = "201 without a tweet id"
    return r


# --- Processes ---------------------------------------------------------------

def find_pg_bin():
    for d in (os.environ.get("PG_BIN"), "/usr/lib/postgresql/15/bin"):
        if d and os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    raise HarnessError("PostgreSQL 15 server binaries not found (set PG_BIN)")


class Postgres:
    def __init__(self, base):
        self.bin = find_pg_bin()
        self.dir = os.path.join(base, "pg")
        self.data = os.path.join(self.dir, "data")
        self.port = None
        self.root = os.geteuid() == 0

    def _as_pg(self, args):
        return ["runuser", "-u", "postgres", "--", *args] if self.root else args

    def _ctl(self, *args, timeout=60):
        return subprocess.run(self._as_pg([os.path.join(self.bin, "pg_ctl"), "-D", self.data, *args]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
                              start_new_session=True)

    def url(self, db="tweets"):
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{db}"

    def init(self):
        os.makedirs(self.dir)
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
        out = subprocess.run(self._as_pg([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres",
                                          "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                             capture_output=True, text=True, timeout=120)
        if out.returncode:
            raise HarnessError(f"initdb failed: {out.stderr.strip()[-500:]}")
        for _ in range(5):
            self.port = free_port()
            if self.start(check=False):
                break
        else:
            raise HarnessError(f"PostgreSQL did not start: {self.log_tail()}")
        self.psql("CREATE DATABASE tweets", db="postgres")

    def start(self, check=True):
        """pg_ctl start -w: returns once the server accepts connections."""
        out = self._ctl("-l", os.path.join(self.dir, "postgres.log"), "-w", "-t", "30", "-o",
                        f"-p {self.port} -k {self.dir} -c listen_addresses={LOOPBACK} {PG_OPTIONS}", "start")
        if out.returncode and check:
            raise HarnessError(f"pg_ctl start failed: {out.stderr.decode().strip()} {self.log_tail()}")
        return out.returncode == 0

    def stop(self, mode):
        out = self._ctl("-m", mode, "-w", "-t", "30", "stop")
        if out.returncode:
            raise HarnessError(f"pg_ctl stop -m {mode} failed: {out.stderr.decode().strip()}")

    def running(self):
        return os.path.exists(os.path.join(self.data, "postmaster.pid")) and self._ctl("status").returncode == 0

    def ensure_running(self):
        if not self.running():
            self.start()

    def psql(self, sql, db="tweets", timeout=20):
        env = dict(os.environ, PGCONNECT_TIMEOUT="3")
        out = subprocess.run(["psql", self.url(db), "-XAtq", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql,
                             capture_output=True, text=True, timeout=timeout, env=env)
        if out.returncode:
            raise HarnessError(f"psql failed: {out.stderr.strip()[-300:]}")
        return out.stdout

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, "postgres.log")) as f:
                return " | ".join(f.read().splitlines()[-5:])
        except OSError:
            return ""

    def cleanup(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            try:
                self._ctl("-m", "immediate", "-w", "-t", "30", "stop", timeout=40)
            except subprocess.SubprocessError:
                pass


def redis_command(port, *args, timeout=1.0):
    """A Redis command over RESP; the reply's first line (e.g. '+PONG', ':3') or, for a bulk
    string, its contents."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as s:
        s.sendall(payload.encode())
        reply = s.makefile("rb")
        line = reply.readline().decode().strip()
        if line.startswith("$") and int(line[1:]) >= 0:
            return reply.read(int(line[1:])).decode()
        return line


def redis_commands_processed(port):
    for line in redis_command(port, "INFO", "stats").splitlines():
        if line.startswith("total_commands_processed:"):
            return int(line.split(":", 1)[1])
    raise HarnessError("INFO stats has no total_commands_processed")


class Redis:
    def __init__(self, base):
        self.dir = os.path.join(base, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.proc = None
        self.frozen = False

    @property
    def url(self):
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self):
        logf = open(os.path.join(self.dir, "redis.log"), "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no",
             "--dir", self.dir], stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=die_with_parent())
        logf.close()

        def answers():
            if self.proc.poll() is not None:
                raise HarnessError(f"redis-server exited on port {self.port} (taken?)")
            return redis_command(self.port, "PING") == "+PONG"
        poll_until("redis-server to answer PING", answers, 10)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ensure_running(self):
        self.thaw()
        if not self.alive():
            self.start()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        if self.frozen and self.alive():
            self.proc.send_signal(signal.SIGCONT)
        self.frozen = False

    def cleanup(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)  # works on a stopped process too
            self.proc.wait(timeout=10)


class Api:
    def __init__(self, binary, base, name, pg, redis_url=None, env=None):
        self.binary, self.pg, self.redis_url = binary, pg, redis_url
        self.extra_env = dict(env or {})         # more settings (scripts/ha_failover.py: replica URLs)
        self.dir = os.path.join(base, f"api-{name}")
        os.makedirs(os.path.join(self.dir, "media"))
        self.log = os.path.join(self.dir, "api.log")
        self.port = None
        self.proc = None

    def start(self):
        for _ in range(3):
            self.port = free_port()
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                "APP_ENV": "development", "DATABASE_URL": self.pg.url(), "BIND_ADDR": f"{LOOPBACK}:{self.port}",
                "METRICS_ADDR": "off", "JWT_SECRET": "fault-suite-secret-0123456789abcdefghijkl",
                "MEDIA_ROOT": os.path.join(self.dir, "media"), "DB_POOL_SIZE": str(POOL_SIZE),
                "DB_POOL_TIMEOUT": f"{POOL_TIMEOUT:g}s", "DB_STATEMENT_TIMEOUT": f"{STATEMENT_TIMEOUT:g}s",
                "RATE_LIMIT_POSTS_PER_MINUTE": "100000",
                "RATE_LIMIT_AUTH_PER_MINUTE": "0", "HTTP_WORKERS": "2", "SHUTDOWN_TIMEOUT": "2s",
                "RUST_LOG": "warn", "LOG_FORMAT": "text",
            }
            if self.redis_url:
                env["REDIS_URL"] = self.redis_url
            env.update(self.extra_env)
            logf = open(self.log, "ab")
            # cwd: its own folder, so no developer's .env is read.
            self.proc = subprocess.Popen([self.binary, "serve"], cwd=self.dir, env=env, stdout=logf,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=die_with_parent())
            logf.close()
            try:
                poll_until("the API's /healthz", self._healthy, 30)
                return self
            except HarnessError:
                if self.proc.poll() is None:
                    raise HarnessError(f"the API did not answer /healthz: {self.log_tail()}")
                # It exited (the port was taken in between?): try another port.
        raise HarnessError(f"the API did not start: {self.log_tail()}")

    def _healthy(self):
        if self.proc.poll() is not None:
            raise HarnessError("exited")
        return request(self.port, "GET", "/healthz", timeout=2).status == 200

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=5):
        try:
            with open(self.log, errors="replace") as f:
                return " | ".join(line.strip()[:200] for line in f.read().splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class LockSession:
    """A psql session holding ACCESS EXCLUSIVE on tweets until released."""

    def __init__(self, pg):
        self.pg = pg
        self.app = f"faults-lock-{uuid.uuid4().hex[:8]}"
        self.proc = None

    def acquire(self):
        env = dict(os.environ, PGAPPNAME=self.app, PGCONNECT_TIMEOUT="3")
        self.proc = subprocess.Popen(["psql", self.pg.url(), "-XAtq", "-v", "ON_ERROR_STOP=1"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=die_with_parent())
        self.proc.stdin.write(b"BEGIN;\nLOCK TABLE tweets IN ACCESS EXCLUSIVE MODE;\n")
        self.proc.stdin.flush()
        held = ("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.relation = 'tweets'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted "
                f"AND a.application_name = '{self.app}'")
        poll_until("the table lock to be granted", lambda: self.pg.psql(held).strip() == "1", 10)

    def release(self):
        self.proc.stdin.write(b"ROLLBACK;\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=10)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


# --- Load ---------------------------------------------------------------------

Account = collections.namedtuple("Account", "token username")


def register(api, n, tag):
    """n accounts, in parallel."""
    def one(i):
        name = f"f{uuid.uuid4().hex[:10]}_{tag.replace('-', '')[:10]}{i}"[:30]
        r = request(api.port, "POST", "/api/v1/auth/register", {"username": name, "password": "fault-suite-pw-1"},
                    kind="register", timeout=30)
        if r.status != 201:
            raise HarnessError(f"register answered {r.label()}: {r.body[:200]!r}")
        return Account(json.loads(r.body)["access_token"], name)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        return list(ex.map(one, range(n)))


class Load:
    """Writer threads posting tweets, and a reader (a profile, a tweet) until stopped
    (bounded in count and time)."""

    def __init__(self, api, accounts, tag, readers=READERS):
        self.api, self.tag, self.readers = api, tag, readers
        self.tokens = [a.token for a in accounts]
        self.username = accounts[0].username
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def _writer(self, i):
        hard = time.monotonic() + LOAD_HARD_LIMIT
        for n in range(MAX_REQUESTS_PER_WRITER):
            if self.stopping.is_set() or time.monotonic() > hard:
                return
            r = request(self.api.port, "POST", "/api/v1/tweets", {"text": f"{self.tag} w{i} n{n}"},
                        self.tokens[i % len(self.tokens)], kind="post")
            with self.lock:
                self.results.append(r)
            if r.status is None:
                self.stopping.wait(0.05)  # no answer at all: do not spin

    def _reader(self):
        hard = time.monotonic() + LOAD_HARD_LIMIT
        tweet_id = None
        for n in range(MAX_REQUESTS_PER_WRITER):
            if self.stopping.is_set() or time.monotonic() > hard:
                return
            if tweet_id is None:
                with self.lock:
                    tweet_id = next((r.tweet_id for r in self.results if r.tweet_id), None)
            if n % 2 or tweet_id is None:  # a profile, anonymous; a tweet, signed in
                r = request(self.api.port, "GET", f"/api/v1/users/{self.username}", kind="read")
            else:
                r = request(self.api.port, "GET", f"/api/v1/tweets/{tweet_id}", token=self.tokens[0], kind="read")
            with self.lock:
                self.results.append(r)
            if r.status is None:
                self.stopping.wait(0.05)

    def start(self):
        for i in range(WRITERS):
            t = threading.Thread(target=self._writer, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        for _ in range(self.readers):
            t = threading.Thread(target=self._reader, daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def snapshot(self):
        with self.lock:
            return list(self.results)

    def acked(self):
        return sum(1 for r in self.snapshot() if r.status == 201)

    @staticmethod
    def posts(results):
        return [r for r in results if r.kind == "post"]

    @staticmethod
    def reads(results):
        return [r for r in results if r.kind == "read"]

    def finish(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=CLIENT_TIMEOUT + 5)
        return self.snapshot()


class Prober:
    """GET /readyz every 100 ms in a thread until stopped (bounded)."""

    def __init__(self, api, interval=0.1):
        self.api, self.interval = api, interval
        self.results = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        hard = time.monotonic() + LOAD_HARD_LIMIT
        for _ in range(10000):
            if self.stopping.is_set() or time.monotonic() > hard:
                return
            self.results.append(request(self.api.port, "GET", "/readyz", kind="readyz"))
            self.stopping.wait(self.interval)

    def start(self):
        self.thread.start()
        return self

    def finish(self):
        self.stopping.set()
        self.thread.join(timeout=CLIENT_TIMEOUT + 5)
        return list(self.results)


def wait_ready(api, since, timeout=6.0):
    """Polls /readyz from `since` until 200; (seconds after `since` or None, all results)."""
    results = []
    deadline = since + timeout
    while time.monotonic() < deadline and len(results) < 1000:
        r = request(api.port, "GET", "/readyz", kind="readyz")
        results.append(r)
        if r.status == 200:
            return r.end - since, results
        time.sleep(0.05)
    return None, results


# --- Checks -------------------------------------------------------------------

def histogram(results):
    c = collections.Counter(r.label() for r in results)
    return " ".join(f"{k}x{v}" for k, v in sorted(c.items())) or "none"


class Scenario:
    def __init__(self, name):
        self.name = name
        self.failures = []
        self.figures = collections.OrderedDict()
        self.samples = []

    def fail(self, msg, sample=None):
        self.failures.append(msg)
        if sample is not None and len(self.samples) < 2:
            self.samples.append(f"{sample.kind} -> {sample.label()} after {sample.latency:.2f}s: "
                                f"{sample.body[:160].decode(errors='replace')}")

    def check_answers(self, results, what, ok=(201, 503)):
        """No 5xx but 503, Retry-After on 503, an answer in time for every request."""
        if not results:
            return
        bad5 = [r for r in results if r.status is not None and r.status >= 500 and r.status != 503]
        if bad5:
            self.fail(f"{len(bad5)} {what} answered {sorted({r.status for r in bad5})}", bad5[0])
        no_ra = [r for r in results if r.status == 503 and not r.retry_after]
        if no_ra:
            self.fail(f"{len(no_ra)} {what} 503s without Retry-After", no_ra[0])
        other = [r for r in results if r.status is not None and r.status < 500 and r.status not in ok]
        if other:
            self.fail(f"{len(other)} {what} answered unexpected {sorted({r.status for r in other})}", other[0])
        lost = [r for r in results if r.status is None]
        if lost:
            self.fail(f"{len(lost)} {what} got no answer ({histogram(lost)}; clients wait {CLIENT_TIMEOUT:g}s)",
                      lost[0])
        slowest = max(results, key=lambda r: r.latency)
        if slowest.latency > LATENCY_LIMIT and slowest.status is not None:
            n = sum(1 for r in results if r.latency > LATENCY_LIMIT and r.status is not None)
            self.fail(f"{n} {what} slower than {LATENCY_LIMIT:g}s (max {slowest.latency:.2f}s)", slowest)

    def load_figures(self, results):
        posts, reads = Load.posts(results), Load.reads(results)
        self.figures["posts"] = len(posts)
        self.figures["acked"] = sum(1 for r in posts if r.status == 201)
        self.figures["statuses"] = histogram(posts)
        if reads:
            self.figures["reads"] = histogram(reads)
        self.figures["max_latency"] = f"{max((r.latency for r in results), default=0):.2f}s"

    def check_load(self, results):
        self.check_answers(Load.posts(results), "posts", ok=(201, 503))
        self.check_answers(Load.reads(results), "reads", ok=(200, 503))

    def check_durable(self, pg, api, results, token):
        """Every write answered 201 is stored: all through psql, the last few through the API."""
        ids = [r.tweet_id for r in results if r.status == 201 and r.tweet_id is not None]
        if not ids:
            self.fail("no write was acknowledged at all")
            return
        missing = pg.psql("SELECT x FROM unnest('{%s}'::bigint[]) AS x WHERE NOT EXISTS "
                          "(SELECT 1 FROM tweets WHERE id = x)" % ",".join(map(str, ids))).split()
        if missing:
            self.fail(f"{len(missing)} of {len(ids)} acknowledged tweets are missing (e.g. {missing[:5]})")
        for tid in ids[-3:]:
            r = request(api.port, "GET", f"/api/v1/tweets/{tid}", token=token, kind="get")
            if r.status != 200:
                self.fail(f"GET of acknowledged tweet {tid} answered {r.label()}", r)

    def check_writes_again(self, api, token, n=5):
        """After recovery, n sequential posts all succeed."""
        rs = [request(api.port, "POST", "/api/v1/tweets", {"text": f"after {self.name} {i}"}, token, kind="post")
              for i in range(n)]
        if any(r.status != 201 for r in rs):
            self.fail(f"after recovery, sequential posts answered {histogram(rs)}",
                      next(r for r in rs if r.status != 201))
        return rs

    def line(self, elapsed):
        figs = " ".join(f"{k}={v}" for k, v in self.figures.items())
        if not self.failures:
            return f"PASS {self.name}: {figs} ({elapsed:.1f}s)"
        out = f"FAIL {self.name}: {figs} ({elapsed:.1f}s)\n  failed: " + "; ".join(self.failures)
        for s in self.samples:
            out += f"\n  e.g. {s}"
        return out


def first_ack_after(results, since):
    acks = [r.end for r in results if r.status == 201 and r.start >= since]
    return min(acks) - since if acks else None


def rate(results, t0, t1):
    return sum(1 for r in results if r.status == 201 and t0 <= r.end < t1) / (t1 - t0)


def fmt(seconds):
    return "never" if seconds is None else f"{seconds:.2f}s"


# --- Scenarios ----------------------------------------------------------------

def pg_stop_under_load(suite, sc, mode):
    pg = suite.pg
    api = suite.api(sc.name)
    accounts = register(api, WRITERS, sc.name)
    tokens = [a.token for a in accounts]
    load = suite.track(Load(api, accounts, sc.name).start())
    poll_until("the first acknowledged writes", lambda: load.acked() >= WRITERS, 10)
    hold(1.0)                                   # baseline
    t_fault = time.monotonic()
    pg.stop(mode)
    sc.figures["stop"] = f"{time.monotonic() - t_fault:.2f}s"
    hold(POOL_TIMEOUT + 0.5)                    # outage: long enough for pool timeouts
    pg.start()
    t_back = time.monotonic()                   # pg_ctl -w: accepting connections
    ready_after, ready_results = wait_ready(api, t_back)
    hold(max(0.0, t_back + 3.0 - time.monotonic()))  # writers keep going through recovery
    results = load.finish()
    outage = [r for r in Load.posts(results) if t_fault <= r.start < t_back]
    sc.load_figures(results)
    sc.figures["during_outage"] = histogram(outage)
    sc.figures["ready_after_db"] = fmt(ready_after)
    writes_after = first_ack_after(results, t_back)
    sc.figures["writes_after_db"] = fmt(writes_after)
    if all(r.status == 201 for r in outage):
        sc.fail("the outage had no visible effect: harness problem?")
    sc.check_load(results)
    sc.check_answers(ready_results, "readyz", ok=(200, 503))
    if ready_after is None or ready_after > READY_AFTER_DB:
        sc.fail(f"/readyz 200 only after {fmt(ready_after)} (limit {READY_AFTER_DB:g}s)")
    if writes_after is None or writes_after > WRITES_AFTER_DB:
        sc.fail(f"writes succeeded again only after {fmt(writes_after)} (limit {WRITES_AFTER_DB:g}s)")
    sc.check_writes_again(api, tokens[0])
    sc.check_durable(pg, api, results, tokens[0])


def pg_restart_idle(suite, sc):
    """Restart cycles with the API idle, each followed by the very next requests: posts
    and reads. (Whether a dead pooled connection is dropped or reused depends on which
    query meets it first, so there are several cycles and several kinds of request.)"""
    pg = suite.pg
    api = suite.api(sc.name)
    accounts = register(api, POOL_SIZE, sc.name)
    tokens = [a.token for a in accounts]
    backends = ("SELECT count(*) FROM pg_stat_activity WHERE datname = 'tweets' AND backend_type = 'client backend' "
                "AND pid <> pg_backend_pid()")

    def post(text, i=0):
        return request(api.port, "POST", "/api/v1/tweets", {"text": text}, tokens[i % len(tokens)], kind="post")

    def warm():
        """Concurrent posts until the pool holds all its connections; all the answers
        (after a restart they are requests after the restart too)."""
        seen = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with concurrent.futures.ThreadPoolExecutor(max_workers=POOL_SIZE * 2) as ex:
                rs = list(ex.map(lambda i: post(f"warm {i}", i), range(POOL_SIZE * 4)))
            seen += rs
            ids = [r.tweet_id for r in rs if r.tweet_id]
            if ids:
                warm.tweet_id = ids[0]
            if all(r.status == 201 for r in rs) and int(pg.psql(backends)) >= POOL_SIZE:
                return seen, True
        return seen, False

    def next_request(k, label):
        """The k-th request after the restart, in turn: a profile (anonymous), a tweet
        (signed in), a post."""
        i = k % 3
        if i == 0:
            return request(api.port, "GET", f"/api/v1/users/{accounts[0].username}", kind="read")
        if i == 1:
            return request(api.port, "GET", f"/api/v1/tweets/{warm.tweet_id}", token=tokens[0], kind="read")
        return post(f"{label} {k}", k)

    nxt, then, readies, ready_afters, ok_afters, stable_afters = [], [], [], [], [], []
    for cycle in range(IDLE_RESTART_CYCLES):
        warmed, full = warm()
        then += warmed
        if not full:
            sc.fail(f"the pool did not refill with successful posts within 10s ({histogram(warmed)})")
            break
        # Idle now: every warm-up request has been answered.
        pg.stop("fast")
        pg.start()
        t_back = time.monotonic()
        # The very next requests: one client's few, then a concurrent batch (more than
        # the pool holds); only then /readyz, timed from the restart. (Polled first, it
        # would clear dead connections before any user met them: probes are not that eager.)
        batch = [next_request(k, f"next {cycle}") for k in range(6)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=POOL_SIZE + 2) as ex:
            batch += list(ex.map(lambda k: next_request(k, f"next {cycle}"), range(6, 6 + POOL_SIZE + 2)))
        ready_after, ready_results = wait_ready(api, t_back)
        # …then one client in sequence until 6 requests in a row succeed (bounded).
        seq = []
        deadline = t_back + WRITES_AFTER_DB
        while time.monotonic() < deadline and len(seq) < 3000:
            seq.append(next_request(len(seq), f"then {cycle}"))
            if len(seq) >= 6 and all(r.status in (200, 201) for r in seq[-6:]):
                break
        good = len(seq) >= 6 and all(r.status in (200, 201) for r in seq[-6:])
        nxt += batch
        then += seq
        readies += ready_results
        ready_afters.append(ready_after)
        oks = [r.end for r in batch + seq if r.status in (200, 201)]
        ok_afters.append(min(oks) - t_back if oks else None)
        stable_afters.append(seq[-6].start - t_back if good else None)

    def worst(values):
        return None if any(v is None for v in values) else max(values)
    sc.figures["cycles"] = IDLE_RESTART_CYCLES
    sc.figures["pooled"] = POOL_SIZE
    sc.figures["next_posts"] = histogram(Load.posts(nxt))
    sc.figures["next_reads"] = histogram(Load.reads(nxt))
    sc.figures["later_posts"] = histogram(Load.posts(then))
    sc.figures["later_reads"] = histogram(Load.reads(then))
    sc.figures["max_latency"] = f"{max(r.latency for r in nxt + then):.2f}s"
    sc.figures["ready_after_db"] = fmt(worst(ready_afters))
    sc.figures["ok_after_db"] = fmt(worst(ok_afters))
    sc.figures["stable_after_db"] = fmt(worst(stable_afters))
    sc.check_load(nxt + then)
    failed = [r for r in nxt + then if r.status not in (200, 201)]
    if suite.strict_idle and failed:
        sc.fail(f"{len(failed)} requests after the restart failed although none was in flight "
                "(--strict-idle)", failed[0])
    sc.check_answers(readies, "readyz", ok=(200, 503))
    if worst(ready_afters) is None or worst(ready_afters) > READY_AFTER_DB:
        sc.fail(f"/readyz 200 only after {fmt(worst(ready_afters))} (limit {READY_AFTER_DB:g}s)")
    if worst(stable_afters) is None:
        sc.fail(f"requests did not succeed 6 times in a row within {WRITES_AFTER_DB:g}s of a restart "
                f"(first success after {fmt(worst(ok_afters))})")
    sc.check_durable(pg, api, nxt + then, tokens[0])


def redis_outage(suite, sc, how):
    pg, redis = suite.pg, suite.redis
    redis.ensure_running()
    api = suite.api(sc.name, redis_url=redis.url)
    accounts = register(api, WRITERS, sc.name)
    tokens = [a.token for a in accounts]
    load = suite.track(Load(api, accounts, sc.name).start())
    poll_until("the first acknowledged writes", lambda: load.acked() >= WRITERS, 10)
    keys = redis_command(redis.port, "DBSIZE")
    if keys in (":0", ""):
        raise HarnessError(f"the rate limiter keeps nothing in Redis (DBSIZE {keys}): is REDIS_URL used?")
    window = 2.0
    t_b0 = time.monotonic()
    hold(window)
    t_b1 = t_fault = time.monotonic()
    if how == "kill":
        redis.kill()
    else:
        redis.freeze()
    hold(window)
    t_f1 = time.monotonic()
    if how == "kill":
        redis.start()                           # same port: the API reconnects
    else:
        redis.thaw()
    t_back = time.monotonic()
    # Recovery, writers still posting; meanwhile watch Redis run the limiter's commands
    # again: two polls in a row with new commands (the first after SIGCONT may only be
    # the backlog it received while stopped).
    redis_again, busy, prev = None, 0, redis_commands_processed(redis.port)
    for _ in range(200):
        elapsed = time.monotonic() - t_back
        if elapsed >= REDIS_AGAIN or (elapsed >= 3.0 and redis_again is not None):
            break
        time.sleep(0.05)
        now = redis_commands_processed(redis.port)
        busy = busy + 1 if now - prev > 2 else 0     # more than our own INFO
        prev = now
        if busy >= 2 and redis_again is None:
            redis_again = time.monotonic() - t_back
    hold(max(0.0, t_back + 3.0 - time.monotonic()))
    results = load.finish()
    before, during = rate(results, t_b0, t_b1), rate(results, t_fault, t_f1)
    if before == 0:
        raise HarnessError("no baseline throughput")
    # Throughput back: the first 0.25 s bin after Redis returned that reaches the bar.
    recovered = next((k * 0.25 for k in range(1, 13)
                      if rate(results, t_back + (k - 1) * 0.25, t_back + k * 0.25) >= MIN_THROUGHPUT_RATIO * before),
                     None)
    token = tokens[0]
    sc.load_figures(results)
    sc.figures["rps_before"] = f"{before:.0f}"
    sc.figures["rps_during"] = f"{during:.0f}"
    sc.figures["ratio"] = f"{during / before:.0%}"
    sc.figures["rps_recovered_after"] = fmt(recovered)
    sc.figures["redis_used_again_after"] = fmt(redis_again)
    sc.check_load(results)
    if during < MIN_THROUGHPUT_RATIO * before:
        sc.fail(f"throughput collapsed while Redis was {'down' if how == 'kill' else 'frozen'}: "
                f"{during:.1f} req/s vs {before:.1f} before (< {MIN_THROUGHPUT_RATIO:.0%})")
    if recovered is None:
        sc.fail(f"throughput not back to {MIN_THROUGHPUT_RATIO:.0%} of the baseline within 3s of Redis returning")
    if redis_again is None:
        sc.fail(f"the rate limiter did not use Redis again within {REDIS_AGAIN:g}s of its return")
    sc.check_writes_again(api, token)
    sc.check_durable(pg, api, results, token)


def db_lock(suite, sc):
    pg = suite.pg
    api = suite.api(sc.name)
    accounts = register(api, WRITERS, sc.name)
    tokens = [a.token for a in accounts]
    load = suite.track(Load(api, accounts, sc.name).start())
    poll_until("the first acknowledged writes", lambda: load.acked() >= WRITERS, 10)
    hold(1.0)                                   # baseline
    lock = suite.track(LockSession(pg))
    lock.acquire()
    t_lock = time.monotonic()
    prober = suite.track(Prober(api).start())
    hold(LATENCY_LIMIT + 1.5)                   # the pool runs dry and times out; blocked requests
    #                                             would outlast the latency limit
    lock.release()
    t_back = time.monotonic()
    probes = prober.finish()
    hold(2.5)                                   # recovery, writers still posting
    results = load.finish()
    locked = [r for r in Load.posts(results) if t_lock <= r.start < t_back]
    sc.load_figures(results)
    sc.figures["during_lock"] = histogram(locked)
    slowest_probe = max((r.latency for r in probes), default=0)
    sc.figures["readyz"] = f"{len(probes)}x ({histogram(probes)}) max {slowest_probe:.2f}s"
    writes_after = first_ack_after(results, t_back)
    sc.figures["writes_after_release"] = fmt(writes_after)
    if not any(r.status == 503 for r in locked):
        sc.fail("no request hit the pool timeout (503) while the lock was held")
    sc.check_load(results)
    sc.check_answers(probes, "readyz", ok=(200, 503))
    slow = [r for r in probes if r.latency > READYZ_LIMIT]
    if slow:
        sc.fail(f"{len(slow)} of {len(probes)} /readyz took over {READYZ_LIMIT:g}s "
                f"(max {max(r.latency for r in slow):.2f}s)", max(slow, key=lambda r: r.latency))
    if writes_after is None or writes_after > WRITES_AFTER_DB:
        sc.fail(f"writes succeeded again only after {fmt(writes_after)} (limit {WRITES_AFTER_DB:g}s)")
    sc.check_writes_again(api, tokens[0])
    sc.check_durable(pg, api, results, tokens[0])


SCENARIOS = collections.OrderedDict([
    ("pg-stop-fast", lambda suite, sc: pg_stop_under_load(suite, sc, "fast")),
    ("pg-stop-immediate", lambda suite, sc: pg_stop_under_load(suite, sc, "immediate")),
    ("pg-restart-idle", pg_restart_idle),
    ("redis-kill", lambda suite, sc: redis_outage(suite, sc, "kill")),
    ("redis-freeze", lambda suite, sc: redis_outage(suite, sc, "freeze")),
    ("db-lock", db_lock),
])


# --- The suite ----------------------------------------------------------------

class Suite:
    def __init__(self, binary, keep, strict_idle=False):
        self.binary, self.keep, self.strict_idle = binary, keep, strict_idle
        self.base = tempfile.mkdtemp(prefix="tweets-faults-")
        os.chmod(self.base, 0o755)              # the postgres user must reach its folder
        self.pg = None
        self.redis = None
        self.apis = []
        self.tracked = []
        self.cleaned = False

    def setup(self, need_redis):
        self.pg = Postgres(self.base)
        self.pg.init()
        if need_redis:
            self.redis = Redis(self.base)
            self.redis.start()

    def api(self, name, redis_url=None):
        a = Api(self.binary, self.base, name, self.pg, redis_url)
        self.apis.append(a)
        return a.start()

    def track(self, thing):
        """Load, probers and lock sessions: stopped when the scenario ends, whatever happens."""
        self.tracked.append(thing)
        return thing

    def end_scenario(self):
        for t in reversed(self.tracked):
            if isinstance(t, (Load, Prober)):
                t.finish()
            else:
                t.cleanup()
        self.tracked.clear()
        for a in self.apis:
            a.stop()
        self.apis.clear()

    def note_api_errors(self, sc):
        """What the API logged for its 500s: the reason, as a sample line."""
        errors = collections.Counter()
        for a in self.apis:
            try:
                with open(a.log, errors="replace") as f:
                    for line in f:
                        line = ANSI.sub("", line)
                        if "unexpected error" in line:
                            errors[line.split("unexpected error", 1)[1].strip()[:160]] += 1
            except OSError:
                pass
        for msg, n in errors.most_common(2):
            sc.samples.append(f"API log, {n}x: unexpected error {msg}")

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        for step in (self.end_scenario,
                     lambda: self.redis and self.redis.cleanup(),
                     lambda: self.pg and self.pg.cleanup()):
            try:
                step()
            except Exception as e:  # keep cleaning up
                log(f"cleanup: {e}")
        if self.keep:
            log(f"kept {self.base}")
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    def run(self, name):
        sc = Scenario(name)
        started = time.monotonic()
        try:
            self.pg.ensure_running()
            if self.redis:
                self.redis.ensure_running()
            SCENARIOS[name](self, sc)
            if sc.failures:
                self.note_api_errors(sc)
        except HarnessError as e:
            sc.failures.append(f"harness: {e}")
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            sc.failures.append(f"harness: {type(e).__name__}: {e}")
        finally:
            self.end_scenario()
        return sc, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), metavar="NAME",
                        help="run this scenario only (repeatable): " + ", ".join(SCENARIOS))
    parser.add_argument("--bin", default=os.environ.get("TWEETS_BIN", DEFAULT_BIN), help="the tweets binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) afterwards")
    parser.add_argument("--strict-idle", action="store_true",
                        help="pg-restart-idle: fail on any 503 too (no request was in flight)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(SCENARIOS))
        return 0
    names = args.only or list(SCENARIOS)
    for tool in ("psql", "redis-server") + (("runuser",) if os.geteuid() == 0 else ()):
        if not shutil.which(tool):
            sys.exit(f"faults: {tool} not found")
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"faults: {args.bin} not found: cargo build --locked --bin tweets")

    suite = Suite(args.bin, args.keep, args.strict_idle)
    atexit.register(suite.cleanup)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)      # unwinds through the finally below
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    # Ctrl-C, even when started in the background (where SIGINT comes ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)

    started = time.monotonic()
    failed = []
    current = None
    try:
        try:
            suite.setup(need_redis=any(n.startswith("redis") for n in names))
        except HarnessError as e:
            sys.exit(f"faults: setup failed: {e}")
        redis = f", Redis on {suite.redis.port}" if suite.redis else ""
        print(f"faults: PostgreSQL on {suite.pg.port}{redis}; pool {POOL_SIZE}, pool timeout {POOL_TIMEOUT:g}s, "
              f"statement timeout {STATEMENT_TIMEOUT:g}s, latency limit {LATENCY_LIMIT:g}s, "
              f"{WRITERS} writers + {READERS} reader", flush=True)
        for name in names:
            current = name
            sc, elapsed = suite.run(name)
            print(sc.line(elapsed), flush=True)
            if sc.failures:
                failed.append(name)
        current = None
    except (KeyboardInterrupt, SystemExit) as e:
        code = e.code if isinstance(e, SystemExit) else 130
        if current:
            print(f"faults: interrupted during {current}; cleaning up", file=sys.stderr, flush=True)
        raise SystemExit(code)
    finally:
        suite.cleanup()
    total = time.monotonic() - started
    print(f"faults: {len(names) - len(failed)}/{len(names)} passed in {total:.1f}s"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
