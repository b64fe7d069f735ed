"""A test world: the API server fixture, Argo CD's CRDs, a fake repo folder and the fake Argo CD
controllers (fake_argocd.py) as their own process.

    from world import World
    with World(version='3.2', progressive=True) as w:
        w.repo_write('apps/web', [w.deployment('web', 'nginx:1')])
        w.create(w.application('web', 'apps/web', policy))
        w.wait_until(lambda: w.app('web')['status']['sync']['status'] == 'Synced')

The CRD choice lives in crds_for() only: the fixture installs the Argo CD release's own CRDs.
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLUSTER_DIR = os.environ.get('CLUSTER_FIXTURE_DIR', os.path.join(HERE, '..', 'cluster'))
sys.path.insert(0, CLUSTER_DIR)
sys.path.insert(0, HERE)
from fixture import cluster  # noqa: E402
import argo_model as m  # noqa: E402

NS = 'argocd'
ARGO = '/apis/argoproj.io/v1alpha1'

def crds_for(version):
    """(fixture flags, CRD objects to create) for an Argo CD version: `serve --argocd VERSION`
    installs that release's own CRDs (test/argocd/crds/; 3.1+ has `automated.enabled`)."""
    gen = m.parse_version(version)
    fixture_version = '2.14' if gen < (3, 0) else '3.2' if gen < (3, 3) else '3.3'
    return ['--argocd', fixture_version], []


def deployment(name, image, ns=None):
    md = {'name': name}
    if ns:
        md['namespace'] = ns
    return {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': md,
            'spec': {'replicas': 1, 'selector': {'matchLabels': {'app': name}},
                     'template': {'metadata': {'labels': {'app': name}},
                                  'spec': {'containers': [{'name': 'main', 'image': image}]}}}}


def application(name, path, dest_ns, sync_policy=None, labels=None):
    spec = {'project': 'default',
            'source': {'repoURL': 'https://example.com/gitops.git', 'path': path, 'targetRevision': 'main'},
            'destination': {'server': 'https://kubernetes.default.svc', 'namespace': dest_ns}}
    if sync_policy is not None:
        spec['syncPolicy'] = sync_policy
    md = {'name': name, 'namespace': NS}
    if labels:
        md['labels'] = labels
    return {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application', 'metadata': md, 'spec': spec}


class World:
    def __init__(self, version='3.3', progressive=False, lag_ms=0, period_ms=100, fixture_flags=(), only=None):
        """only: 'app' or 'appset' runs one fake controller (fake_argocd.py --only)."""
        self.version, self.progressive, self.only = version, progressive, only
        self.lag_ms, self.period_ms = lag_ms, period_ms
        self.fixture_flags = list(fixture_flags)
        self.fake = None

    # -- lifecycle
    def __enter__(self):
        flags, crds = crds_for(self.version)
        self.ctx = cluster(*flags, *self.fixture_flags)
        self.c = self.ctx.__enter__()
        try:
            self.dir = tempfile.mkdtemp(prefix='argocd-world-')
            self.repo = os.path.join(self.dir, 'repo')
            os.makedirs(self.repo)
            self.events_file = os.path.join(self.dir, 'events.jsonl')
            for crd in crds:
                self.must('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)
            if crds:
                self.ensure_namespace(NS)
            self.set_progressive(self.progressive)
            self.start_fake()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.stop_fake()
        self.ctx.__exit__(None, None, None)
        shutil.rmtree(getattr(self, 'dir', ''), ignore_errors=True)

    def start_fake(self):
        argv = [sys.executable, os.path.join(HERE, 'fake_argocd.py'), '--kubeconfig', self.c.kubeconfig,
                '--repo', self.repo, '--version', self.version, '--namespace', NS,
                '--period-ms', str(self.period_ms), '--lag-ms', str(self.lag_ms), '--events', self.events_file]
        if self.only:
            argv += ['--only', self.only]
        self.fake_log = open(os.path.join(self.dir, 'fake.stderr'), 'a')
        self.fake = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.fake_log,
                                     env=dict(os.environ, CLUSTER_FIXTURE_DIR=CLUSTER_DIR))

    def stop_fake(self):
        if self.fake and self.fake.poll() is None:
            self.fake.send_signal(signal.SIGTERM)
            try:
                self.fake.wait(10)
            except subprocess.TimeoutExpired:
                self.fake.kill()
                self.fake.wait()
        if self.fake:
            self.fake_log.close()
        self.fake = None

    def fake_stderr(self):
        with open(os.path.join(self.dir, 'fake.stderr')) as f:
            return f.read()

    # -- API
    def must(self, method, path, body=None, ctype='application/json'):
        st, out = self.c.call(method, path, body, ctype)
        if st >= 300:
            raise AssertionError(f'{method} {path}: {st} {out}')
        return out

    def ensure_namespace(self, ns):
        self.c.call('POST', '/api/v1/namespaces', {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': ns}})

    def set_progressive(self, on):
        body = {'apiVersion': 'v1', 'kind': 'ConfigMap',
                'metadata': {'name': 'argocd-cmd-params-cm', 'namespace': NS},
                'data': {m.PS_KEY: 'true' if on else 'false'}}
        st, _ = self.c.call('POST', f'/api/v1/namespaces/{NS}/configmaps', body)
        if st == 409:
            self.must('PATCH', f'/api/v1/namespaces/{NS}/configmaps/argocd-cmd-params-cm',
                      {'data': body['data']}, 'application/merge-patch+json')

    def create(self, obj):
        plural = {'Application': 'applications', 'ApplicationSet': 'applicationsets'}[obj['kind']]
        return self.must('POST', f'{ARGO}/namespaces/{NS}/{plural}', obj)

    def app(self, name):
        st, body = self.c.call('GET', f'{ARGO}/namespaces/{NS}/applications/{name}')
        return body if st == 200 else None

    def appset(self, name):
        st, body = self.c.call('GET', f'{ARGO}/namespaces/{NS}/applicationsets/{name}')
        return body if st == 200 else None

    def patch_app(self, name, patch, kind='applications'):
        return self.must('PATCH', f'{ARGO}/namespaces/{NS}/{kind}/{name}', patch, 'application/merge-patch+json')

    def deployment_image(self, name, ns):
        st, body = self.c.call('GET', f'/apis/apps/v1/namespaces/{ns}/deployments/{name}')
        return body['spec']['template']['spec']['containers'][0]['image'] if st == 200 else None

    def set_image(self, name, ns, image):
        """What Tilt does to a Deployment Argo created: swap the image (strategic merge by name)."""
        self.must('PATCH', f'/apis/apps/v1/namespaces/{ns}/deployments/{name}',
                  {'spec': {'template': {'spec': {'containers': [{'name': 'main', 'image': image}]}}}},
                  'application/strategic-merge-patch+json')

    # -- repo
    def repo_write(self, path, objs, filename='manifests.json'):
        folder = os.path.join(self.repo, path)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, '.' + filename + '.tmp')
        with open(tmp, 'w') as f:
            json.dump(objs, f, indent=1)
        os.replace(tmp, os.path.join(folder, filename))

    # -- observing
    def events(self):
        if not os.path.exists(self.events_file):
            return []
        with open(self.events_file) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_until(self, cond, timeout=20, what='condition', interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            try:
                v = cond()
            except (KeyError, TypeError, IndexError):
                v = False
            if v:
                return v
            if time.monotonic() > deadline:
                raise AssertionError(f'timed out after {timeout}s waiting for {what}\n'
                                     f'fake stderr:\n{self.fake_stderr()[-3000:]}')
            time.sleep(interval)

    def synced(self, name):
        a = self.app(name)
        if not a:
            return False
        st = a.get('status') or {}
        return (not a.get('operation') and st.get('sync', {}).get('status') == 'Synced'
                and (st.get('operationState') or {}).get('phase') in (None, 'Succeeded'))


@contextlib.contextmanager
def world(**kw):
    with World(**kw) as w:
        yield w
