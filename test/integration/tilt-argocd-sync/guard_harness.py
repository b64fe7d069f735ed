"""Runs the built guard ($TILT_ARGOCD_SYNC) as one developer ("holder": its own USER and state
dir) against a test/argocd World (fixture + fake Argo CD controllers). Shared by
test_guard_matrix.py and test_guard_property.py."""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ARGOCD_FAKE_DIR', os.path.join(HERE, '..', '..', 'argocd')))
from world import NS  # noqa: E402
import argo_model as m  # noqa: E402

BIN = os.environ.get('TILT_ARGOCD_SYNC', 'tilt-argocd-sync')
GUARD_USER = 'tilt-argocd-sync'  # initiatedBy.username of the guard's sync (resume_plan.cpp)


class Holder:
    def __init__(self, world, user):
        self.w, self.user = world, user
        self.state = tempfile.mkdtemp(prefix=f'guard-{user}-', dir=world.dir)
        self.env = dict(world.c.env, USER=user, AMEIDE_ARGOCD_STATE_DIR=self.state)
        self.serve_proc, self.watcher = None, None

    def run(self, *args, timeout=60):
        return subprocess.run([BIN, '--kubeconfig', self.w.c.kubeconfig, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, *args):
        """A guard command in its own process group (as Tilt runs it), output to files."""
        with open(os.path.join(self.state, 'out.log'), 'a') as out:
            return subprocess.Popen([BIN, '--kubeconfig', self.w.c.kubeconfig, *args], env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def serve(self, apps, timeout=60):
        """Starts serve; returns its stdout lines up to 'guarding' (or what it printed before it
        exited / the timeout). stdout is read from the pipe's fd directly: a buffered readline
        after select() can leave lines that already arrived in Python's buffer while select()
        waits on the empty pipe (the 'guarding' line then looks late). stderr goes to
        serve.stderr in the state dir."""
        err = open(os.path.join(self.state, 'serve.stderr'), 'ab')
        p = subprocess.Popen([BIN, '--kubeconfig', self.w.c.kubeconfig, 'serve', *apps], env=self.env,
                             stdout=subprocess.PIPE, stderr=err, start_new_session=True)
        err.close()
        self.serve_proc, lines, pending = p, [], b''
        fd = p.stdout.fileno()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            pending += chunk
            done = False
            while b'\n' in pending:
                raw, pending = pending.split(b'\n', 1)
                line = raw.decode(errors='replace') + '\n'
                lines.append(line)
                if line.startswith('guarding'):
                    if 'watcher pid ' in line:
                        self.watcher = int(line.split('watcher pid ')[1].split(';')[0].split(',')[0])
                    done = True
                    break
            if done:
                break
        return lines

    def state_file(self, name):
        """A file of this holder's state dir (serve.stderr, watcher.log), '' when absent."""
        try:
            with open(os.path.join(self.state, name), errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def ready(self, apps):
        """What the Tiltfile's readiness_probe runs: (exit code 0, output)."""
        r = self.run('status', '--ready', *apps)
        return r.returncode == 0, f'exit {r.returncode}: {r.stdout}{r.stderr}'

    def stop_serve(self, sig):
        p = self.serve_proc
        if p is None:
            return None
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
        try:
            rc = p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            rc = p.wait()
        p.stdout.close()
        self.serve_proc = None
        return rc

    def kill_watcher(self):
        """SIGKILLs serve's watcher and its kubectl proxy (which would outlive it)."""
        if self.watcher and alive(self.watcher):
            kids = children(self.watcher)
            os.kill(self.watcher, signal.SIGKILL)
            for pid in kids:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)

    def watcher_done(self):
        return not (self.watcher and alive(self.watcher))

    def cleanup(self):
        """Ends only what this holder started (by pid)."""
        if self.serve_proc is not None:
            self.stop_serve(signal.SIGKILL)
        self.kill_watcher()

    def journal_apps(self):
        path = os.path.join(self.state, 'journal.json')
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            return json.load(f).get('applications') or {}


def alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split(') ', 1)[1][0] != 'Z'
    except OSError:
        return False


def children(pid):
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def holders_cm(world):
    st, body = world.c.call('GET', f'/api/v1/namespaces/{NS}/configmaps/tilt-argocd-sync')
    return (body.get('data') or {}) if st == 200 else {}


def guard_records(world):
    """Keys of the holders ConfigMap that mean "something is paused or held"."""
    return sorted(k for k in holders_cm(world) if k.startswith(('holder.', 'app.', 'appset.')))


def auto_sync_on(version, spec):
    return m.auto_sync_enabled(m.parse_version(version), spec)
