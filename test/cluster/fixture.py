"""Starts the API server fixture (./serve) for a test and hands back what clients need.

    import sys; sys.path.insert(0, '/path/to/test/cluster')
    from fixture import cluster

    with cluster('--argocd', '--latency-ms', '20') as c:
        c.kubectl('get', 'ns')                       # real kubectl, the fixture's kubeconfig
        subprocess.run([helm, 'list'], env=c.env)     # KUBECONFIG and a private HOME
        c.requests()                                  # parsed --request-log lines
        status, body = c.call('GET', '/api/v1/namespaces')

Each cluster runs on its own free port with a private temporary folder holding the
kubeconfig, request log, HOME (kubectl's discovery cache, helm's config) and the dump.
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

SERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'serve')


class Cluster:
    def __init__(self, workdir, proc):
        self.dir = workdir
        self.proc = proc
        self.kubeconfig = os.path.join(workdir, 'kubeconfig')
        self.request_log = os.path.join(workdir, 'requests.jsonl')
        self.dump_file = os.path.join(workdir, 'dump.yaml')
        self.port = None
        home = os.path.join(workdir, 'home')
        os.makedirs(home, exist_ok=True)
        self.env = dict(os.environ, KUBECONFIG=self.kubeconfig, HOME=home,
                        KUBECACHEDIR=os.path.join(home, '.kube', 'cache'),
                        XDG_CACHE_HOME=os.path.join(home, '.cache'),
                        XDG_CONFIG_HOME=os.path.join(home, '.config'),
                        XDG_DATA_HOME=os.path.join(home, '.local', 'share'))
        self.env.pop('KUBERNETES_SERVICE_HOST', None)

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}'

    def kubectl(self, *args, check=True, input=None, timeout=60):
        """Runs real kubectl against the fixture; returns the CompletedProcess (text)."""
        argv = ['kubectl', '--kubeconfig', self.kubeconfig, *args]
        res = subprocess.run(argv, env=self.env, input=input, capture_output=True, text=True,
                             timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError(f'{" ".join(argv)} exited {res.returncode}:\n{res.stdout}{res.stderr}')
        return res

    def run(self, argv, check=True, timeout=120, **kw):
        """Runs another client (helm, a helper) with the fixture's environment."""
        res = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout, **kw)
        if check and res.returncode != 0:
            raise AssertionError(f'{" ".join(argv)} exited {res.returncode}:\n{res.stdout}{res.stderr}')
        return res

    def call(self, method, path, body=None, content_type='application/json', headers=None):
        """One raw HTTP request; returns (status, decoded JSON body)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers=dict({'Content-Type': content_type}, **(headers or {})))
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b'null')
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b'null')

    def requests(self):
        """The request log so far, one dict per request."""
        with open(self.request_log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops serve; returns its exit code (0 on a clean exit)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


@contextlib.contextmanager
def cluster(*flags, startup_timeout=20, keep=False):
    """Starts `serve --port 0 ... flags`, waits for its kubeconfig, yields a Cluster and
    stops it (SIGTERM) on exit. The temporary folder is removed unless keep=True."""
    workdir = tempfile.mkdtemp(prefix='cluster-fixture-')
    kubeconfig = os.path.join(workdir, 'kubeconfig')
    argv = [SERVE, '--port', '0', '--kubeconfig', kubeconfig,
            '--request-log', os.path.join(workdir, 'requests.jsonl'),
            '--dump', os.path.join(workdir, 'dump.yaml'), *flags]
    stderr = open(os.path.join(workdir, 'serve.stderr'), 'w')
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
    c = Cluster(workdir, proc)
    try:
        deadline = time.monotonic() + startup_timeout
        while not os.path.exists(kubeconfig):
            if proc.poll() is not None or time.monotonic() > deadline:
                stderr.flush()
                with open(stderr.name) as f:
                    raise RuntimeError(f'serve did not start (exit {proc.poll()}): {f.read()}')
            time.sleep(0.05)
        with open(kubeconfig) as f:
            c.port = int(next(line for line in f if 'server:' in line).rsplit(':', 1)[1])
        yield c
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stderr.close()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
