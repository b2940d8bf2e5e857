#!/usr/bin/env python3
"""A local Patroni cluster on loopback ports: one etcd, three Patroni nodes
running PostgreSQL with synchronous replication, and HAProxy in front (one
port to the primary, one to the replicas, chosen by Patroni's REST health
checks). Every process is started here, recorded by PID, and stopped by PID.

Used by scripts/ha.sh (`make ha-up`, `make ha-down`) and by the failover test
(scripts/ha_failover.py, `make test-ha`). Runs with the interpreter of the
Patroni venv (scripts/ha.sh tools): PyYAML and psycopg come with it.

  hacluster.py up --state FILE       start, wait until healthy, record FILE, print the URLs
  hacluster.py down --state FILE     stop what FILE records (by PID), remove its folder and FILE
  hacluster.py status --state FILE   URLs and members (GET /cluster)
  hacluster.py patronictl --state FILE ARGS...   patronictl on this cluster

As root, Patroni (and so PostgreSQL, which refuses root) runs as `postgres`;
the cluster's folder is a fresh temporary directory of mode 0755, which that
user can reach even when the clone sits in a directory it cannot enter.
"""
import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import psycopg
import yaml

LOOPBACK = "127.0.0.1"
SCOPE = "tweets-ha"
DATABASE = "tweets"
MARKER = ".tweets-ha-cluster"      # in a folder this module made, and so may remove

# Leader key TTL: Patroni's minimum (it refuses less). A dead primary's key
# expires at most TTL after its last renewal; a replica then takes over.
TTL = 20
LOOP_WAIT = 2                      # seconds between HA loop runs (and leader key renewals)
RETRY_TIMEOUT = 5                  # DCS and PostgreSQL retries; loop_wait + 2 * retry_timeout <= ttl


class ClusterError(Exception):
    """The cluster could not be started or inspected."""


class ProcessExited(ClusterError):
    """A process of the cluster exited: waiting longer will not help."""


def free_ports(n):
    """n distinct free TCP ports on the loopback address (held open until all are chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def find_pg_bin():
    """PostgreSQL server binaries: $PG_BIN, else version 15, else the newest installed."""
    candidates = [os.environ.get("PG_BIN"), "/usr/lib/postgresql/15/bin"]
    try:
        versions = sorted((d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()), key=int, reverse=True)
        candidates += [f"/usr/lib/postgresql/{v}/bin" for v in versions]
    except OSError:
        pass
    for d in candidates:
        if d and os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    raise ClusterError("PostgreSQL server binaries not found (install postgresql-15 or set PG_BIN)")


def http_json(url, timeout=2.0):
    """(status, parsed JSON body or None); raises OSError when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as res:
            body = res.read()
            status = res.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def poll(what, check, timeout, interval=0.1):
    """Calls `check` until it returns something truthy; ClusterError at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
        except ProcessExited:
            raise
        except (OSError, ValueError, psycopg.Error, ClusterError) as e:
            last = e
        if time.monotonic() >= deadline:
            raise ClusterError(f"timed out after {timeout:g}s waiting for {what}" + (f" ({last})" if last else ""))
        time.sleep(interval)


# --- Processes, by PID --------------------------------------------------------

def proc_state(pid):
    """The process's state letter (R, S, D, T, Z, …), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def proc_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        pass
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def alive(pid):
    """Running (a zombie has exited: it only waits for its parent to reap it)."""
    return pid is not None and proc_state(pid) not in (None, "Z")


def is_ours(pid, marker):
    """The process `pid` is alive and its command line names `marker` (a path of this
    cluster's): a PID recorded earlier may have been reused by an unrelated process."""
    return alive(pid) and any(marker in a for a in proc_cmdline(pid))


def wait_gone(pid, timeout, popen=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen is not None:
            if popen.poll() is not None:
                return True
        elif not alive(pid):
            return True
        time.sleep(0.05)
    return False


class Proc:
    """One process this cluster started: its PID, and how to recognise it later."""

    def __init__(self, name, argv, log, marker, user=None, env=None, cwd=None):
        self.name, self.argv, self.log, self.marker = name, argv, log, marker
        self.user, self.env, self.cwd = user, env, cwd
        self.pid = None
        self.popen = None

    def start(self, preexec_fn=None):
        # `user=`: the process itself runs as that user (runuser would fork and wait,
        # leaving its own PID, not Patroni's, to signal).
        kwargs = {}
        if self.user:
            pw = pwd.getpwnam(self.user)
            kwargs = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        with open(self.log, "ab") as logf:
            self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                          env=self.env, cwd=self.cwd or "/", start_new_session=True,
                                          preexec_fn=preexec_fn, **kwargs)
        self.pid = self.popen.pid
        return self

    def running(self):
        if self.popen is not None:
            return self.popen.poll() is None
        return is_ours(self.pid, self.marker)

    def signal(self, sig):
        if self.running():
            os.kill(self.pid, sig)

    def wait(self, timeout):
        return wait_gone(self.pid, timeout, self.popen)

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL when it has not exited in time."""
        if not self.running():
            if self.popen is not None:
                self.popen.poll()
            return
        self.signal(signal.SIGTERM)
        if not self.wait(timeout):
            self.signal(signal.SIGKILL)
            self.wait(5.0)

    def log_tail(self, n=8):
        try:
            with open(self.log, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""

    def to_state(self):
        return {"pid": self.pid, "log": self.log, "marker": self.marker}


# --- The cluster ---------------------------------------------------------------

class Node:
    def __init__(self, cluster, name, pg_port, rest_port):
        self.cluster, self.name = cluster, name
        self.pg_port, self.rest_port = pg_port, rest_port
        self.dir = os.path.join(cluster.base, name)
        self.data = os.path.join(self.dir, "data")
        self.config = os.path.join(self.dir, "patroni.yml")
        self.proc = None

    @property
    def rest_url(self):
        return f"http://{LOOPBACK}:{self.rest_port}"

    def url(self, db=DATABASE):
        return f"postgres://postgres@{LOOPBACK}:{self.pg_port}/{db}"

    def write_config(self):
        c = self.cluster
        tags = {"nofailover": False, "noloadbalance": False, "clonefrom": False, "nosync": False}
        if c.nofailover and self.name != c.nodes[0].name:
            tags["nofailover"] = True          # --break nofailover: no replica may take over from node1
        config = {
            "scope": SCOPE,
            "namespace": "/service/",
            "name": self.name,
            "log": {"level": "INFO", "format": "%(asctime)s %(levelname)s: %(message)s"},
            "restapi": {"listen": f"{LOOPBACK}:{self.rest_port}", "connect_address": f"{LOOPBACK}:{self.rest_port}"},
            "etcd3": {"hosts": [f"{LOOPBACK}:{c.etcd_port}"]},
            "bootstrap": {
                "dcs": {
                    "ttl": TTL,
                    "loop_wait": LOOP_WAIT,
                    "retry_timeout": RETRY_TIMEOUT,
                    # A replica further behind than this is not promoted (asynchronous mode).
                    "maximum_lag_on_failover": 1048576,
                    # A commit returns once one standby has flushed it, and only that
                    # standby may be promoted: no acknowledged write is lost in a failover.
                    "synchronous_mode": c.synchronous,
                    "synchronous_node_count": 1,
                    "postgresql": {
                        # A crashed primary that got ahead of the new one is rewound, not
                        # rebuilt; pg_rewind needs wal_log_hints (or checksums, set at initdb).
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": {
                            "wal_level": "replica",
                            "wal_log_hints": "on",
                            "hot_standby": "on",
                            "max_connections": 100,
                            "max_wal_senders": 10,
                            "max_replication_slots": 10,
                            "wal_keep_size": "256MB",
                            "synchronous_commit": "on",
                            # Commits wait for the synchronous standby, and statement_timeout
                            # does not cover that wait: a standby that hangs with its
                            # connection open would stall them all. Its WAL sender gives
                            # up after this, and Patroni then picks another standby.
                            "wal_sender_timeout": "10s",
                            "full_page_writes": "on",
                            # The processes die in the test, not the machine: the OS keeps
                            # what was written, and fsync would only make a shared CI disk
                            # the bottleneck. Keep fsync on anywhere data matters.
                            "fsync": "off",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            },
            "postgresql": {
                "listen": f"{LOOPBACK}:{self.pg_port}",
                "connect_address": f"{LOOPBACK}:{self.pg_port}",
                "data_dir": self.data,
                "bin_dir": c.pg_bin,
                "pgpass": os.path.join(self.dir, "pgpass"),
                # Loopback only, and trusted like the project's other local clusters;
                # compose.ha.yaml uses SCRAM passwords from secret files.
                "authentication": {
                    "superuser": {"username": "postgres"},
                    "replication": {"username": "replicator"},
                    "rewind": {"username": "rewinder"},
                },
                "parameters": {"unix_socket_directories": self.dir},
                "pg_hba": [
                    "local all all trust",
                    f"host all all {LOOPBACK}/32 trust",
                    f"host replication replicator {LOOPBACK}/32 trust",
                ],
                "basebackup": [{"checkpoint": "fast"}],
            },
            "tags": tags,
        }
        os.makedirs(self.dir, exist_ok=True)
        with open(self.config, "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)
        if c.pg_user:
            pw = pwd.getpwnam(c.pg_user)
            for p in (self.dir, self.config):
                os.chown(p, pw.pw_uid, pw.pw_gid)
            os.chmod(self.dir, 0o700)

    def make_proc(self):
        c = self.cluster
        home = self.dir
        env = {"PATH": f"{c.patroni_bin}:{c.pg_bin}:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "HOME": home, "PGPASSFILE": os.path.join(self.dir, "pgpass")}
        if c.pg_user:
            env["USER"] = env["LOGNAME"] = c.pg_user
        self.proc = Proc(self.name, [os.path.join(c.patroni_bin, "patroni"), self.config],
                         os.path.join(c.base, f"{self.name}.log"), self.config, user=c.pg_user, env=env,
                         cwd=self.dir)
        return self.proc

    def start(self, preexec_fn=None):
        if self.proc is None:
            self.make_proc()
        self.proc.start(preexec_fn)

    def postmaster_pid(self):
        """The PID in postmaster.pid, if that process is alive and a postmaster of this data dir."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            return None
        return pid if is_ours(pid, self.data) else None

    def patroni(self, timeout=2.0):
        """GET /patroni on this node's REST API."""
        return http_json(f"{self.rest_url}/patroni", timeout)[1]

    def sql(self, query, params=None, db=DATABASE):
        """One query directly on this node's PostgreSQL (not through HAProxy)."""
        return run_sql(f"host={LOOPBACK} port={self.pg_port} dbname={db} user=postgres", query, params)

    def kill(self):
        """The node dies at once, as in a power cut: SIGKILL to Patroni, then to the
        postmaster and each of its children (backends, walsenders: each in a session of
        its own, so not one process group). Killing PostgreSQL alone would not do:
        Patroni would restart it in place within a loop and keep the leader key.
        Killing Patroni alone would leave a primary running that nobody supervises."""
        pm = self.postmaster_pid()
        if pm is None:
            raise ClusterError(f"{self.name}: no running postmaster to kill")
        os.kill(self.proc.pid, signal.SIGKILL)
        children = children_of(pm)          # before the postmaster dies and they are reparented
        os.kill(pm, signal.SIGKILL)
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(5.0)
        for pid in [pm] + children:
            if not wait_gone(pid, 5.0):
                raise ClusterError(f"{self.name}: process {pid} survived SIGKILL")

    def stop(self, signalled=False):
        """Patroni stops PostgreSQL (fast shutdown) on SIGTERM; a postmaster left behind
        (its Patroni killed) is shut down by its own PID."""
        if self.proc is not None and self.proc.running():
            if not signalled:
                self.proc.signal(signal.SIGTERM)
            if not self.proc.wait(30.0):
                self.proc.signal(signal.SIGKILL)
                self.proc.wait(5.0)
        pm = self.postmaster_pid()
        if pm is not None:
            os.kill(pm, signal.SIGQUIT)               # immediate shutdown
            if not wait_gone(pm, 10.0):
                os.kill(pm, signal.SIGKILL)
                wait_gone(pm, 5.0)


def run_sql(conninfo, query, params=None, timeout=5):
    with psycopg.connect(conninfo, connect_timeout=3, autocommit=True,
                         options=f"-c statement_timeout={int(timeout * 1000)}") as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else None


HAPROXY_CFG = """\
# Written by scripts/ha/hacluster.py for one local cluster.
global
    maxconn 1000

defaults
    mode tcp
    retries 2
    timeout connect 1s
    timeout client 30m
    timeout server 30m
    timeout check 1s

listen stats
    mode http
    bind {lo}:{stats_port}
    stats enable
    stats uri /
    stats refresh 2s

# Read-write: the one node whose Patroni answers GET /primary with 200.
listen primary
    bind {lo}:{primary_port}
    option httpchk
    http-check send meth GET uri /primary
    http-check expect status 200
{servers}

# Read-only: every streaming replica (GET /replica 200), in turn.
listen replicas
    bind {lo}:{replica_port}
    balance roundrobin
    option httpchk
    http-check send meth GET uri /replica
    http-check expect status 200
{servers}
"""

# A node that stops answering is out after 2 failed checks (1 s apart, 0.5 s once
# failing); a new primary is in after 1. Sessions to a server marked down are cut,
# so no client keeps talking to a demoted primary.
DEFAULT_SERVER = ("    default-server inter 1s fastinter 500ms downinter 500ms rise 1 fall 2"
                  " on-marked-down shutdown-sessions")


class Cluster:
    def __init__(self, base, patroni_bin, pg_bin=None, size=3, synchronous=True, nofailover=False):
        self.base = base
        self.patroni_bin = patroni_bin
        self.pg_bin = pg_bin or find_pg_bin()
        self.synchronous, self.nofailover = synchronous, nofailover
        self.pg_user = "postgres" if os.geteuid() == 0 else None
        ports = free_ports(5 + 2 * size)
        self.etcd_port, self.etcd_peer_port, self.primary_port, self.replica_port, self.stats_port = ports[:5]
        self.nodes = [Node(self, f"node{i + 1}", ports[5 + 2 * i], ports[6 + 2 * i]) for i in range(size)]
        self.etcd = None
        self.haproxy = None

    # URLs
    def primary_url(self, db=DATABASE):
        return f"postgres://postgres@{LOOPBACK}:{self.primary_port}/{db}"

    def replica_url(self, db=DATABASE):
        return f"postgres://postgres@{LOOPBACK}:{self.replica_port}/{db}"

    def primary_sql(self, query, params=None, db=DATABASE):
        """A query on whichever node HAProxy's primary port leads to."""
        return run_sql(f"host={LOOPBACK} port={self.primary_port} dbname={db} user=postgres", query, params)

    def node(self, name):
        return next(n for n in self.nodes if n.name == name)

    def processes(self):
        return [p for p in [self.etcd, self.haproxy] + [n.proc for n in self.nodes] if p is not None]

    # Setup
    def _write_haproxy_cfg(self):
        servers = DEFAULT_SERVER + "\n" + "\n".join(
            f"    server {n.name} {LOOPBACK}:{n.pg_port} check port {n.rest_port}" for n in self.nodes)
        cfg = HAPROXY_CFG.format(lo=LOOPBACK, stats_port=self.stats_port, primary_port=self.primary_port,
                                 replica_port=self.replica_port, servers=servers)
        path = os.path.join(self.base, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        return path

    def start(self, preexec_fn=None, timeout=120.0):
        """Starts etcd, HAProxy and the nodes; returns once a primary and all replicas
        stream (one of them synchronous, unless asynchronous), and the database exists."""
        with open(os.path.join(self.base, MARKER), "w") as f:
            f.write("a local Patroni cluster (scripts/ha/hacluster.py); removed by its stop\n")
        etcd_dir = os.path.join(self.base, "etcd")
        self.etcd = Proc("etcd", [
            shutil.which("etcd") or "etcd", "--name", "etcd0", "--data-dir", etcd_dir,
            "--listen-client-urls", f"http://{LOOPBACK}:{self.etcd_port}",
            "--advertise-client-urls", f"http://{LOOPBACK}:{self.etcd_port}",
            "--listen-peer-urls", f"http://{LOOPBACK}:{self.etcd_peer_port}",
            "--initial-advertise-peer-urls", f"http://{LOOPBACK}:{self.etcd_peer_port}",
            "--initial-cluster", f"etcd0=http://{LOOPBACK}:{self.etcd_peer_port}",
            "--initial-cluster-token", f"tweets-ha-{os.getpid()}", "--initial-cluster-state", "new",
            "--log-level", "warn", "--logger", "zap",
        ], os.path.join(self.base, "etcd.log"), etcd_dir, env={"PATH": "/usr/bin:/bin"})
        self.etcd.start(preexec_fn)

        def etcd_healthy():
            if not self.etcd.running():
                raise ProcessExited(f"etcd exited:\n{self.etcd.log_tail()}")
            status, body = http_json(f"http://{LOOPBACK}:{self.etcd_port}/health")
            return status == 200 and body and body.get("health") == "true"
        poll("etcd to be healthy", etcd_healthy, 20)

        cfg = self._write_haproxy_cfg()
        self.haproxy = Proc("haproxy", [shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", cfg],
                            os.path.join(self.base, "haproxy.log"), cfg, env={"PATH": "/usr/bin:/bin:/usr/sbin"})
        self.haproxy.start(preexec_fn)

        def haproxy_up():
            if not self.haproxy.running():
                raise ProcessExited(f"haproxy exited:\n{self.haproxy.log_tail()}")
            return http_json(f"http://{LOOPBACK}:{self.stats_port}/")[0] == 200
        poll("HAProxy to answer", haproxy_up, 10)

        if self.pg_user:
            os.chmod(self.base, 0o755)
        for n in self.nodes:
            n.write_config()
        # The first node bootstraps the cluster and leads; the others clone it. (All at
        # once works too, but then any of them may win the race to initialise.)
        first = self.nodes[0]
        first.start(preexec_fn)

        def first_leads():
            if not first.proc.running():
                raise ProcessExited(f"Patroni {first.name} exited:\n{first.proc.log_tail()}")
            p = first.patroni()
            return p and p.get("role") in ("primary", "master") and p.get("state") == "running"
        poll(f"{first.name} to bootstrap the cluster", first_leads, timeout, interval=0.2)
        for n in self.nodes[1:]:
            n.start(preexec_fn)
        self.wait_healthy(timeout)
        if not self.primary_sql("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,), db="postgres"):
            self.primary_sql(f"CREATE DATABASE {DATABASE}", db="postgres")
        return self

    def members(self):
        """GET /cluster from the first node that answers: {name: member}, plus the raw document."""
        last = None
        for n in self.nodes:
            if n.proc is None or not n.proc.running():
                continue
            try:
                status, body = http_json(f"{n.rest_url}/cluster")
                if status == 200 and body:
                    return {m["name"]: m for m in body.get("members", [])}
            except OSError as e:
                last = e
        raise ClusterError(f"no Patroni REST API answers ({last})")

    def leader(self):
        return next((name for name, m in self.members().items() if m["role"] == "leader" and m["state"] == "running"),
                    None)

    def healthy(self, size=None):
        """A running leader; every other member streaming from it on its timeline; one of
        them synchronous (in synchronous mode); HAProxy leads to the leader."""
        members = self.members()
        for n in self.nodes:
            if not n.proc.running():
                raise ProcessExited(f"Patroni {n.name} exited:\n{n.proc.log_tail()}")
        leaders = [m for m in members.values() if m["role"] == "leader" and m["state"] == "running"]
        if len(leaders) != 1 or len(members) != (size or len(self.nodes)):
            return False
        tl = leaders[0].get("timeline")
        others = [m for m in members.values() if m["role"] != "leader"]
        if not all(m["state"] == "streaming" and m.get("timeline") == tl for m in others):
            return False
        if self.synchronous and not any(m["role"] == "sync_standby" for m in others):
            return False
        port = self.primary_sql("SELECT inet_server_port(), pg_is_in_recovery()", db="postgres")[0]
        return port == (self.node(leaders[0]["name"]).pg_port, False)

    def wait_healthy(self, timeout):
        poll("the cluster: a leader, every replica streaming" + (", one synchronous" if self.synchronous else ""),
             self.healthy, timeout, interval=0.2)

    def stop(self):
        """Everything, by PID: the nodes (in parallel: each Patroni stops its PostgreSQL),
        then HAProxy and etcd."""
        signalled = set()
        for n in self.nodes:
            if n.proc is not None and n.proc.running():
                n.proc.signal(signal.SIGTERM)
                signalled.add(n.name)
        for n in self.nodes:
            try:
                n.stop(signalled=n.name in signalled)
            except OSError as e:
                print(f"hacluster: stopping {n.name}: {e}", file=sys.stderr)
        for p in (self.haproxy, self.etcd):
            if p is not None:
                p.stop()

    def remove(self):
        if os.path.exists(os.path.join(self.base, MARKER)):
            shutil.rmtree(self.base, ignore_errors=True)

    # A cluster in another process (`make ha-up`): its state file.
    def to_state(self):
        return {
            "base": self.base, "scope": SCOPE, "pg_bin": self.pg_bin, "patroni_bin": self.patroni_bin,
            "synchronous": self.synchronous,
            "ports": {"etcd": self.etcd_port, "etcd_peer": self.etcd_peer_port, "primary": self.primary_port,
                      "replicas": self.replica_port, "stats": self.stats_port},
            "etcd": self.etcd.to_state(), "haproxy": self.haproxy.to_state(),
            "nodes": [dict(n.proc.to_state(), name=n.name, pg_port=n.pg_port, rest_port=n.rest_port,
                           config=n.config, data=n.data) for n in self.nodes],
        }

    @classmethod
    def from_state(cls, state):
        c = cls.__new__(cls)
        c.base, c.patroni_bin, c.pg_bin = state["base"], state["patroni_bin"], state["pg_bin"]
        c.synchronous, c.nofailover = state.get("synchronous", True), False
        c.pg_user = "postgres" if os.geteuid() == 0 else None
        p = state["ports"]
        c.etcd_port, c.etcd_peer_port = p["etcd"], p["etcd_peer"]
        c.primary_port, c.replica_port, c.stats_port = p["primary"], p["replicas"], p["stats"]

        def proc(name, s):
            pr = Proc(name, [], s["log"], s["marker"])
            pr.pid = s["pid"]
            return pr
        c.etcd, c.haproxy = proc("etcd", state["etcd"]), proc("haproxy", state["haproxy"])
        c.nodes = []
        for s in state["nodes"]:
            n = Node(c, s["name"], s["pg_port"], s["rest_port"])
            n.proc = proc(s["name"], s)
            c.nodes.append(n)
        return c


def print_urls(c, out=sys.stdout):
    version = os.path.basename(os.path.dirname(c.pg_bin))
    mode = "synchronous" if c.synchronous else "asynchronous"
    print(f"""ha: Patroni cluster {SCOPE}: {len(c.nodes)} PostgreSQL {version} nodes, {mode} replication, in {c.base}
  primary  (HAProxy, read-write): {c.primary_url()}
  replicas (HAProxy, read-only):  {c.replica_url()}
  HAProxy stats:                  http://{LOOPBACK}:{c.stats_port}/
  etcd:                           http://{LOOPBACK}:{c.etcd_port}""", file=out)
    for n in c.nodes:
        print(f"  {n.name}: PostgreSQL {LOOPBACK}:{n.pg_port}, Patroni REST {n.rest_url}", file=out)
    print(f"""  the API on it:  DATABASE_URL={c.primary_url()} DATABASE_REPLICA_URLS={c.replica_url()} make run
  members:        scripts/ha.sh status   (or scripts/ha.sh patronictl list)
  switchover:     scripts/ha.sh patronictl switchover --force
  stop:           make ha-down""", file=out)


def members_table(c):
    rows = []
    for name, m in sorted(c.members().items()):
        lag = m.get("lag", "")
        rows.append(f"  {name:<6} {m['role']:<13} {m['state']:<10} timeline {m.get('timeline', '?')}"
                    + (f"  lag {lag}" if lag != "" else ""))
    return "\n".join(rows)


def load_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def cmd_up(args):
    state = load_state(args.state)
    if state:
        c = Cluster.from_state(state)
        if any(p.running() for p in c.processes()):
            print("ha: already running (make ha-down stops it)")
            print_urls(c)
            return 0
        print(f"ha: removing the state of a cluster that is no longer running ({state['base']})", file=sys.stderr)
        c.stop()
        c.remove()
        os.unlink(args.state)
    base = tempfile.mkdtemp(prefix="tweets-ha-")
    os.chmod(base, 0o755)                   # the postgres user must reach its nodes' folders
    c = Cluster(base, args.patroni_bin)
    try:
        c.start()
    except (ClusterError, OSError, psycopg.Error) as e:
        print(f"ha: the cluster did not start: {e}", file=sys.stderr)
        for p in c.processes():
            tail = p.log_tail(5)
            if tail:
                print(f"--- {p.name} ({p.log}):\n{tail}", file=sys.stderr)
        c.stop()
        if args.keep:
            print(f"ha: kept {c.base}", file=sys.stderr)
        else:
            c.remove()
        return 1
    os.makedirs(os.path.dirname(args.state), exist_ok=True)
    with open(args.state + ".tmp", "w") as f:
        json.dump(c.to_state(), f, indent=2)
    os.replace(args.state + ".tmp", args.state)
    print_urls(c)
    return 0


def cmd_down(args):
    state = load_state(args.state)
    if not state:
        print("ha: no cluster is recorded (nothing to stop)")
        return 0
    c = Cluster.from_state(state)
    c.stop()
    left = [f"{p.name} (pid {p.pid})" for p in c.processes() if p.running()]
    left += [f"{n.name}'s postmaster (pid {n.postmaster_pid()})" for n in c.nodes if n.postmaster_pid()]
    if left:
        print(f"ha: still running: {', '.join(left)}; state kept in {args.state}", file=sys.stderr)
        return 1
    c.remove()
    os.unlink(args.state)
    try:
        os.rmdir(os.path.dirname(args.state))     # .data/ha, when nothing else is in it
    except OSError:
        pass
    print(f"ha: stopped; removed {state['base']}")
    return 0


def cmd_status(args):
    state = load_state(args.state)
    if not state:
        print("ha: not running (make ha-up starts it)")
        return 1
    c = Cluster.from_state(state)
    print_urls(c)
    try:
        print("members:\n" + members_table(c))
    except ClusterError as e:
        print(f"members: {e}")
        return 1
    return 0


def cmd_patronictl(args, rest):
    state = load_state(args.state)
    if not state:
        print("ha: not running (make ha-up starts it)", file=sys.stderr)
        return 1
    c = Cluster.from_state(state)
    config = next(n.config for n in c.nodes)
    return subprocess.call([os.path.join(c.patroni_bin, "patronictl"), "-c", config, *rest])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status", "patronictl"])
    parser.add_argument("--state", required=True, help="the state file (JSON)")
    parser.add_argument("--keep", action="store_true", help="up: keep the folder (logs) when the start fails")
    parser.add_argument("--patroni-bin", default=os.path.dirname(sys.executable),
                        help="the bin directory of the Patroni venv")
    args, rest = parser.parse_known_args()
    if args.command == "patronictl":
        return cmd_patronictl(args, rest)
    if rest:
        parser.error(f"unexpected arguments: {' '.join(rest)}")
    return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
