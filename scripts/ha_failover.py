#!/usr/bin/env python3
"""Failover under load: the Patroni primary dies while writers post.

Starts its own processes on free loopback ports, under one temporary
directory: the local Patroni cluster of scripts/ha/hacluster.py (etcd, three
PostgreSQL nodes with synchronous replication, HAProxy) and `tweets serve`
with DATABASE_URL on HAProxy's primary port (DATABASE_REPLICA_URLS on its
replica port). Then:

  1. registers accounts and starts 8 writers posting and 1 reader, for 60 s;
  2. 20 s in, kills the leader node with SIGKILL: its Patroni, its postmaster
     and their children (a node lost at once; see Node.kill);
  3. once writes succeed again, restarts the old primary's Patroni, which must
     rejoin as a replica (pg_rewind when it got ahead) and catch up.

It asserts: writes succeed again within 30 s of the kill; the synchronous
standby of the moment is the one promoted; every write answered 201 is on
the new primary afterwards (and on the rejoined node); every answer is 201 or
503 with Retry-After, none slower than DB_POOL_TIMEOUT + DB_STATEMENT_TIMEOUT
+ 0.5 s and none missing (clients give up a second later); the old primary
is a streaming replica on the new timeline, caught up, within 60 s of its
restart; HAProxy leads to the new primary. One line of figures at the end;
exit status 1 when any assertion failed.

Usage: ha_failover.py [--bin PATH] [-v] [--keep] [--break nofailover|async]
--break runs with a deliberately broken setup, to see the assertions fire (it
must fail): nofailover tags the replicas so that none may take over; async
turns synchronous_mode off and, for the last second before the kill, stops
the primary's WAL senders (SIGSTOP), so the replicas are a second behind when
it dies, as a busy or distant replica would be.
"""
import argparse
import collections
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "ha")]

import faults  # noqa: E402  (scripts/faults.py: the HTTP client, accounts, the API process)
import hacluster  # noqa: E402

ROOT = os.path.dirname(HERE)
DEFAULT_BIN = os.path.join(ROOT, "target", "debug", "tweets")

LOAD_SECONDS = 60.0           # writers post this long
KILL_AT = 20.0                # the leader dies this far into the load
RECOVERY_LIMIT = 30.0         # writes succeed again within this of the kill
RECOVERY_WAIT = 38.0          # …watched this long (still within the load) so a slow recovery gets a figure
REJOIN_LIMIT = 60.0           # the old primary streams, caught up, within this of its restart
WRITERS = faults.WRITERS
MAX_REQUESTS_PER_WRITER = 20000
LATENCY_LIMIT = faults.LATENCY_LIMIT
CLIENT_TIMEOUT = faults.CLIENT_TIMEOUT

VERBOSE = False
T0 = time.monotonic()


def log(msg):
    if VERBOSE:
        print(f"test-ha [{time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def stop_with_us():
    """A preexec_fn: SIGTERM to the child if this harness dies before cleaning up (Patroni
    then stops its PostgreSQL). Only while no other thread runs: preexec_fn is unsafe
    in a threaded process, so processes started later have no such guard."""
    if _PRCTL is None or threading.active_count() != 1:
        return None
    return lambda: _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Load:
    """Writers posting and a reader, until `until` (bounded in count as well)."""

    def __init__(self, api, accounts, until):
        self.api, self.until = api, until
        self.tokens = [a.token for a in accounts]
        self.results = []
        self.acked = []                       # (tweet id, text) of every post answered 201
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def _record(self, r):
        with self.lock:
            self.results.append(r)

    def _writer(self, i):
        for n in range(MAX_REQUESTS_PER_WRITER):
            if self.stopping.is_set() or time.monotonic() >= self.until:
                return
            text = f"ha w{i} n{n}"
            r = faults.request(self.api.port, "POST", "/api/v1/tweets", {"text": text},
                               self.tokens[i % len(self.tokens)], kind="post")
            self._record(r)
            if r.status == 201 and r.tweet_id is not None:
                with self.lock:
                    self.acked.append((r.tweet_id, text))
            if r.status != 201:
                self.stopping.wait(0.05)      # do not spin on failures

    def _reader(self):
        tweet_id = None
        for _ in range(MAX_REQUESTS_PER_WRITER):
            if self.stopping.is_set() or time.monotonic() >= self.until:
                return
            if tweet_id is None:
                tweet_id = next((r.tweet_id for r in self.snapshot() if r.tweet_id), None)
                if tweet_id is None:
                    self.stopping.wait(0.05)
                    continue
            r = faults.request(self.api.port, "GET", f"/api/v1/tweets/{tweet_id}", token=self.tokens[0], kind="read")
            self._record(r)
            self.stopping.wait(0.05 if r.status == 200 else 0.1)

    def start(self):
        for i in range(WRITERS):
            self.threads.append(threading.Thread(target=self._writer, args=(i,), daemon=True))
        self.threads.append(threading.Thread(target=self._reader, daemon=True))
        for t in self.threads:
            t.start()
        return self

    def snapshot(self):
        with self.lock:
            return list(self.results)

    def finish(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=CLIENT_TIMEOUT + 5)
        return self.snapshot()


class PrimaryUrl:
    """What faults.Api asks its database for."""

    def __init__(self, cluster):
        self.cluster = cluster

    def url(self):
        return self.cluster.primary_url()


class Run:
    def __init__(self, args):
        self.args = args
        self.base = tempfile.mkdtemp(prefix="tweets-ha-test-")
        os.chmod(self.base, 0o755)                # the postgres user must reach the nodes' folders
        self.cluster = None
        self.api = None
        self.load = None
        self.failures = []
        self.figures = collections.OrderedDict()
        self.cleaned = False

    def fail(self, msg):
        self.failures.append(msg)
        log(f"FAILED: {msg}")

    # --- the scenario -----------------------------------------------------------
    def run(self):
        brk = self.args.break_
        cdir = os.path.join(self.base, "cluster")
        os.makedirs(cdir)
        os.chmod(cdir, 0o755)
        self.cluster = hacluster.Cluster(cdir, self.args.patroni_bin, synchronous=brk != "async",
                                         nofailover=brk == "nofailover")
        c = self.cluster
        log(f"starting etcd, HAProxy and {len(c.nodes)} Patroni nodes in {cdir}")
        c.start(preexec_fn=stop_with_us())
        log("cluster healthy:\n" + hacluster.members_table(c))
        self.check_container_config()

        self.api = faults.Api(self.args.bin, self.base, "ha", PrimaryUrl(c),
                              env={"DATABASE_REPLICA_URLS": c.replica_url()})
        self.api.start()
        log(f"API on {self.api.port}: DATABASE_URL={c.primary_url()} DATABASE_REPLICA_URLS={c.replica_url()}")
        accounts = faults.register(self.api, WRITERS, "ha")

        t_load = time.monotonic()
        self.load = Load(self.api, accounts, t_load + LOAD_SECONDS).start()
        faults.poll_until("the first acknowledged writes",
                          lambda: sum(r.status == 201 for r in self.load.snapshot()) >= WRITERS, 15)
        faults.hold(max(0.0, t_load + KILL_AT - time.monotonic()))     # load before the fault (a window)

        members = c.members()
        old = next((n for n, m in members.items() if m["role"] == "leader"), None)
        sync = [n for n, m in members.items() if m["role"] == "sync_standby"]
        if old is None:
            raise faults.HarnessError(f"no leader before the kill: {members}")
        if not sync:
            self.fail("no synchronous standby before the kill (synchronous_mode off?): "
                      "a failover may lose acknowledged writes")
        old_node = c.node(old)
        if brk == "async":
            self.stall_wal_senders(old_node)
        log(f"killing {old} (leader; synchronous standby {', '.join(sync) or 'none'}) with SIGKILL")
        old_node.kill()
        t_kill = time.monotonic()
        self.figures["leader"] = old

        # Recovery: the first write started after the kill that succeeds; meanwhile, who leads.
        new, promoted = None, None
        deadline = t_kill + RECOVERY_WAIT
        recovered = None
        while time.monotonic() < deadline and recovered is None:
            if new is None:
                try:
                    leader = c.leader()
                    if leader and leader != old:
                        new, promoted = leader, time.monotonic() - t_kill
                        log(f"{new} is the leader {promoted:.1f}s after the kill")
                except hacluster.ClusterError:
                    pass
            acks = [r.end for r in self.load.snapshot() if r.status == 201 and r.start >= t_kill]
            if acks:
                recovered = min(acks) - t_kill
                break
            time.sleep(0.1)
        self.figures["recovery"] = fmt(recovered)
        if new is None:
            new = next((n for n, m in c.members().items() if m["role"] == "leader" and n != old), None)
        self.figures["new_leader"] = new or "none"
        self.figures["promoted_after"] = fmt(promoted)
        if recovered is None or recovered > RECOVERY_LIMIT:
            self.fail(f"writes did not succeed again within {RECOVERY_LIMIT:g}s of the kill "
                      f"(first success after {fmt(recovered)})")
        log(f"writes succeed again {fmt(recovered)} after the kill")
        if sync and new is not None and new not in sync:
            self.fail(f"{new} was promoted, not the synchronous standby {sync[0]}")

        # The old primary comes back: it must follow the new leader, not lead.
        log(f"restarting {old}'s Patroni")
        log_from = os.path.getsize(old_node.proc.log)
        old_node.start()
        t_restart = time.monotonic()
        rejoined = self.wait_rejoined(old_node, t_restart)
        self.figures["rejoin"] = fmt(rejoined)
        # Whether it had got ahead of the new primary and was rewound (not asserted: it
        # depends on what was in flight when it died).
        with open(old_node.proc.log, errors="replace") as f:
            f.seek(log_from)
            self.figures["rewound"] = "yes" if "pg_rewind exit code=0" in f.read() else "no"
        if rejoined is None:
            self.fail(f"{old} did not rejoin as a streaming, caught-up replica within {REJOIN_LIMIT:g}s "
                      f"of its restart: {self.member_summary()}")
        else:
            log(f"{old} rejoined and caught up {rejoined:.1f}s after its restart")

        faults.hold(max(0.0, self.load.until - time.monotonic()))       # the rest of the load window
        results = self.load.finish()
        self.check(results, t_kill, old_node, new)

    def check_container_config(self):
        """docker/ha/patroni.yml (the image's, for compose.ha.yaml) as Patroni validates it,
        with what is per host — the etcd, the listen addresses, the binaries — pointed at
        this run's etcd, free ports and PostgreSQL (the validator connects to etcd)."""
        c = self.cluster
        pg_port, rest_port = hacluster.free_ports(2)
        env = dict(os.environ, PATRONI_NAME="patroni1", PATRONI_RESTAPI_CONNECT_ADDRESS="patroni1:8008",
                   PATRONI_POSTGRESQL_CONNECT_ADDRESS="patroni1:5432", PATRONI_SUPERUSER_PASSWORD="check",
                   PATRONI_REPLICATION_PASSWORD="check", PATRONI_ETCD3_HOSTS=f"{hacluster.LOOPBACK}:{c.etcd_port}",
                   PATRONI_POSTGRESQL_LISTEN=f"{hacluster.LOOPBACK}:{pg_port}",
                   PATRONI_RESTAPI_LISTEN=f"{hacluster.LOOPBACK}:{rest_port}", PATRONI_POSTGRESQL_BIN_DIR=c.pg_bin)
        out = subprocess.run([os.path.join(self.args.patroni_bin, "patroni"), "--validate-config",
                              os.path.join(ROOT, "docker", "ha", "patroni.yml")],
                             env=env, capture_output=True, text=True, timeout=60)
        if out.returncode:
            self.fail(f"docker/ha/patroni.yml does not validate: {(out.stdout + out.stderr).strip()[-400:]}")
        else:
            log("docker/ha/patroni.yml validates (patroni --validate-config)")

    def stall_wal_senders(self, node, seconds=1.0):
        """--break async: the primary's WAL senders stop (SIGSTOP; its kill ends them) while
        it keeps committing, so the replicas are `seconds` behind when it dies."""
        pm = node.postmaster_pid()
        senders = [pid for (pid,) in node.sql("SELECT pid FROM pg_stat_replication", db="postgres")]
        senders = [pid for pid in senders if pid in hacluster.children_of(pm)]
        log(f"stopping {node.name}'s WAL senders {senders} for {seconds:g}s")
        acked = sum(r.status == 201 for r in self.load.snapshot())
        for pid in senders:
            os.kill(pid, signal.SIGSTOP)
        faults.hold(seconds)
        log(f"{sum(r.status == 201 for r in self.load.snapshot()) - acked} writes acknowledged meanwhile")

    def wait_rejoined(self, node, t_restart):
        """Seconds from the restart until `node` streams from the leader on its timeline and
        has replayed what the primary had written by then; None past the limit."""
        c = self.cluster
        deadline = t_restart + REJOIN_LIMIT

        def streaming():
            if not node.proc.running():
                raise hacluster.ProcessExited(f"Patroni {node.name} exited:\n{node.proc.log_tail()}")
            members = c.members()
            me, leader = members.get(node.name), next((m for m in members.values() if m["role"] == "leader"), None)
            return (me and leader and me["role"] in ("replica", "sync_standby") and me["state"] == "streaming"
                    and me.get("timeline") == leader.get("timeline"))
        try:
            hacluster.poll(f"{node.name} to stream from the new leader", streaming,
                           max(0.1, deadline - time.monotonic()), interval=0.2)
            target = c.primary_sql("SELECT pg_current_wal_lsn()::text")[0][0]
            hacluster.poll(f"{node.name} to replay up to {target}",
                           lambda: node.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0][0],
                           max(0.1, deadline - time.monotonic()), interval=0.1)
        except hacluster.ClusterError as e:
            log(str(e))
            return None
        return time.monotonic() - t_restart

    def member_summary(self):
        try:
            return "; ".join(f"{n} {m['role']} {m['state']} tl {m.get('timeline')}"
                             for n, m in sorted(self.cluster.members().items()))
        except hacluster.ClusterError as e:
            return str(e)

    # --- the assertions ---------------------------------------------------------
    def check(self, results, t_kill, old_node, new):
        c = self.cluster
        posts = [r for r in results if r.kind == "post"]
        reads = [r for r in results if r.kind == "read"]
        with self.load.lock:
            acked = list(self.load.acked)
        self.figures = collections.OrderedDict([
            ("writes", len(posts)), ("acked", len(acked)), ("503s", sum(r.status == 503 for r in posts)),
            ("other", sum(r.status not in (201, 503) for r in posts)),
        ] + list(self.figures.items()))
        self.figures["reads"] = faults.histogram(reads)
        self.figures["max_latency"] = f"{max((r.latency for r in results), default=0):.2f}s"
        after = [r for r in posts if r.start >= t_kill]
        if not any(r.status == 503 for r in after) and not self.args.break_:
            self.fail("no write failed after the kill: did the primary die?")
        self.check_answers(posts, "posts", (201, 503))
        self.check_answers(reads, "reads", (200, 503))
        no_id = [r for r in posts if r.status == 201 and r.tweet_id is None]
        if no_id:
            self.fail(f"{len(no_id)} posts answered 201 without a tweet id")
        if not acked:
            self.fail("no write was acknowledged")
            return

        # Durable: every acknowledged tweet is on the new primary (HAProxy must lead there).
        # By id *and* text: a new primary that lacks the last writes hands out their ids
        # again (a sequence is only as far along as the WAL that reached it), so an id
        # alone could find somebody else's later tweet.
        ids, texts = [i for i, _ in acked], [t for _, t in acked]
        missing_sql = ("SELECT x.id FROM unnest(%s::bigint[], %s::text[]) AS x(id, text) WHERE NOT EXISTS "
                       "(SELECT 1 FROM tweets t WHERE t.id = x.id AND t.text = x.text)")
        try:
            port, in_recovery = c.primary_sql("SELECT inet_server_port(), pg_is_in_recovery()")[0]
            if new is None or port != c.node(new).pg_port or in_recovery:
                self.fail(f"HAProxy's primary port leads to the server on port {port} (in recovery: "
                          f"{in_recovery}), not to the new leader {new}")
            missing = [x for (x,) in c.primary_sql(missing_sql, (ids, texts))]
        except Exception as e:  # psycopg errors and the like: a finding, reported
            self.fail(f"could not read the new primary: {e}")
            missing = None
        self.figures["lost"] = "?" if missing is None else len(missing)
        if missing:
            self.fail(f"{len(missing)} of {len(acked)} acknowledged tweets are missing on the new primary "
                      f"(e.g. {missing[:5]})")
        # …and through the API, the last few.
        for tid, text in acked[-3:]:
            r = faults.request(self.api.port, "GET", f"/api/v1/tweets/{tid}", token=self.load.tokens[0], kind="get")
            try:
                got = json.loads(r.body).get("text") if r.status == 200 else None
            except ValueError:
                got = None
            if got != text:
                self.fail(f"GET of acknowledged tweet {tid} answered {r.label()}, text {got!r} (posted {text!r})")
        # Writes work now, one after another.
        token = self.load.tokens[0]
        seq = [faults.request(self.api.port, "POST", "/api/v1/tweets", {"text": f"after failover {i}"}, token,
                              kind="post") for i in range(5)]
        if any(r.status != 201 for r in seq):
            self.fail(f"after the failover, sequential posts answered {faults.histogram(seq)}")

        # The rejoined node holds the same data once it has replayed everything.
        if self.figures.get("rejoin") not in (None, "never"):
            try:
                target = c.primary_sql("SELECT pg_current_wal_lsn()::text")[0][0]
                hacluster.poll(f"{old_node.name} to replay up to {target}",
                               lambda: old_node.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                                    (target,))[0][0], 20)
                gone = len(old_node.sql(missing_sql, (ids, texts)))
                if gone:
                    self.fail(f"{gone} acknowledged tweets are missing on the rejoined {old_node.name}")
            except Exception as e:
                self.fail(f"could not compare the rejoined {old_node.name}: {e}")
        if VERBOSE:
            log("members at the end:\n" + self.patronictl_list())

    def check_answers(self, results, what, ok):
        bad5 = [r for r in results if r.status is not None and r.status >= 500 and r.status != 503]
        if bad5:
            self.fail(f"{len(bad5)} {what} answered {sorted({r.status for r in bad5})}: "
                      f"{bad5[0].body[:160].decode(errors='replace')}")
        no_ra = [r for r in results if r.status == 503 and not r.retry_after]
        if no_ra:
            self.fail(f"{len(no_ra)} {what} 503s without Retry-After")
        other = [r for r in results if r.status is not None and r.status < 500 and r.status not in ok]
        if other:
            self.fail(f"{len(other)} {what} answered unexpected {sorted({r.status for r in other})}: "
                      f"{other[0].body[:160].decode(errors='replace')}")
        lost = [r for r in results if r.status is None]
        if lost:
            self.fail(f"{len(lost)} {what} got no answer ({faults.histogram(lost)}; clients wait {CLIENT_TIMEOUT:g}s)")
        slow = [r for r in results if r.status is not None and r.latency > LATENCY_LIMIT]
        if slow:
            self.fail(f"{len(slow)} {what} slower than {LATENCY_LIMIT:g}s (max {max(r.latency for r in slow):.2f}s)")

    def patronictl_list(self):
        out = subprocess.run([os.path.join(self.args.patroni_bin, "patronictl"), "-c", self.cluster.nodes[0].config,
                              "list"], capture_output=True, text=True, timeout=30)
        return (out.stdout + out.stderr).rstrip()

    # --- the end --------------------------------------------------------------
    def keep_logs(self):
        """On failure, the logs go to test-artifacts/ha/ (CI uploads that folder)."""
        dest = os.path.join(ROOT, "test-artifacts", "ha", time.strftime("%Y%m%d-%H%M%S"))
        os.makedirs(dest, exist_ok=True)
        for d, _, files in os.walk(self.base):
            for f in files:
                if f.endswith(".log") or f in ("haproxy.cfg", "patroni.yml"):
                    rel = os.path.relpath(os.path.join(d, f), self.base).replace(os.sep, "_")
                    try:
                        shutil.copy(os.path.join(d, f), os.path.join(dest, rel))
                    except OSError:
                        pass
        return dest

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        steps = [lambda: self.load and self.load.finish(),
                 lambda: self.api and self.api.stop(),
                 lambda: self.cluster and self.cluster.stop()]
        for step in steps:
            try:
                step()
            except Exception as e:  # keep cleaning up
                print(f"test-ha: cleanup: {e}", file=sys.stderr)
        if self.failures:
            print(f"test-ha: logs kept in {os.path.relpath(self.keep_logs(), ROOT)}", file=sys.stderr)
        if self.args.keep:
            print(f"test-ha: kept {self.base}", file=sys.stderr)
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    def line(self, elapsed):
        order = ["writes", "acked", "503s", "other", "recovery", "lost", "rejoin", "rewound", "leader", "new_leader",
                 "promoted_after", "reads", "max_latency"]
        figs = " ".join(f"{k}={self.figures[k]}" for k in order if k in self.figures)
        verdict = "FAIL" if self.failures else "PASS"
        out = f"test-ha: {verdict} {figs} ({elapsed:.0f}s)"
        if self.failures:
            out += "\n  failed: " + "\n  failed: ".join(self.failures)
        return out


def fmt(seconds):
    return "never" if seconds is None else f"{seconds:.1f}s"


def main():
    global VERBOSE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.environ.get("TWEETS_BIN", DEFAULT_BIN), help="the tweets binary")
    parser.add_argument("--patroni-bin", default=os.path.dirname(sys.executable),
                        help="the bin directory of the Patroni venv (scripts/ha.sh tools)")
    parser.add_argument("-v", "--verbose", action="store_true", help="say what happens, as it happens")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder afterwards")
    parser.add_argument("--break", dest="break_", choices=["nofailover", "async"],
                        help="self-check: run with this deliberately broken; the test must fail")
    args = parser.parse_args()
    VERBOSE = args.verbose
    for tool in ("etcd", "haproxy"):
        if not shutil.which(tool) and not os.access(f"/usr/sbin/{tool}", os.X_OK):
            sys.exit(f"test-ha: {tool} not found (scripts/ensure-tools.sh ha)")
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"test-ha: {args.bin} not found: cargo build --locked --bin tweets")
    if not os.access(os.path.join(args.patroni_bin, "patroni"), os.X_OK):
        sys.exit(f"test-ha: no patroni in {args.patroni_bin} (scripts/ha.sh tools)")

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)        # unwinds through the finally below
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # Ctrl-C, even when started in the background

    run = Run(args)
    code = 0
    try:
        try:
            run.run()
        except (faults.HarnessError, hacluster.ClusterError, hacluster.psycopg.Error, OSError, ValueError,
                subprocess.SubprocessError) as e:
            run.fail(f"harness: {type(e).__name__}: {e}")
        except (KeyboardInterrupt, SystemExit) as e:
            code = e.code if isinstance(e, SystemExit) else 130
            print("test-ha: interrupted; cleaning up", file=sys.stderr, flush=True)
    finally:
        run.cleanup()
    if code:
        return code
    print(run.line(time.monotonic() - T0), flush=True)
    if args.break_ and not run.failures:
        print(f"test-ha: --break {args.break_} did not make any assertion fail", file=sys.stderr)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
