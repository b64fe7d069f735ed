#!/usr/bin/env python3
"""Fake Argo CD controllers for tests: an Application controller and an ApplicationSet
controller talking to the API server fixture (test/cluster/serve) over HTTP. Its own process.

    fake_argocd.py --kubeconfig KC --repo DIR [--version 2.14|3.2|3.3] [--namespace argocd]
                   [--period-ms 100] [--lag-ms 0] [--events FILE] [--only app|appset]

The decisions live in argo_model.py (pure, unit-tested, each citing the argo-cd source it
follows); this file only reads and writes. See README.md for what is modelled and what is not.
SIGTERM/SIGINT stop it (exit 0).
"""
import argparse
import copy
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import app_decisions as app_m
import appset_decisions as set_m
import argo_model as m

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cluster'))
import miniyaml  # noqa: E402

ARGO = '/apis/argoproj.io/v1alpha1'
# kind -> (group-version path, plural, namespaced): the kinds a fake repo may hold.
KINDS = {'Deployment': ('/apis/apps/v1', 'deployments', True),
         'StatefulSet': ('/apis/apps/v1', 'statefulsets', True),
         'ConfigMap': ('/api/v1', 'configmaps', True),
         'Service': ('/api/v1', 'services', True),
         'Namespace': ('/api/v1', 'namespaces', False),
         'ApplicationSet': (ARGO, 'applicationsets', True),
         'Application': (ARGO, 'applications', True)}
TRACKING_LABEL = 'app.kubernetes.io/instance'
TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id'


class Kube:
    def __init__(self, server):
        self.server = server.rstrip('/')

    def call(self, method, path, body=None, ctype='application/json'):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method,
                                     headers={'Content-Type': ctype, 'User-Agent': 'fake-argocd'})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b'null')
        except urllib.error.HTTPError as e:
            try:
                out = json.loads(e.read() or b'null')
            except ValueError:
                out = None
            if method != 'GET' and e.code not in (404, 409):
                # a write the API server refused: say so, a test reads this log on failure
                msg = (out or {}).get('message') if isinstance(out, dict) else out
                print(f'{method} {path}: {e.code} {msg}', file=sys.stderr, flush=True)
            return e.code, out

    def merge(self, path, patch):
        return self.call('PATCH', path, patch, 'application/merge-patch+json')


def object_path(kind, ns, name=None, api_version=None):
    gv, plural, namespaced = KINDS[kind]
    base = f'{gv}/namespaces/{ns}/{plural}' if namespaced else f'{gv}/{plural}'
    return base + (f'/{name}' if name else '')


class Events:
    """Append-only JSON lines: what the controllers did, for tests to assert on."""

    def __init__(self, path):
        self.path, self.lock = path, threading.Lock()

    def __call__(self, ctrl, event, kind, name, **detail):
        if not self.path:
            return
        line = json.dumps({'t': time.time(), 'ctrl': ctrl, 'event': event, 'kind': kind, 'name': name,
                           **detail}, sort_keys=True)
        with self.lock, open(self.path, 'a') as f:
            f.write(line + '\n')


class Repo:
    """The fake git repository: a local folder. An app's source.path is a sub-folder whose
    *.json / *.yaml files are its manifests; the revision is a hash of those files."""

    def __init__(self, root):
        self.root = root

    def files(self, sub):
        folder = os.path.join(self.root, sub or '')
        out = []
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                full = os.path.join(folder, name)
                if os.path.isfile(full) and name.endswith(('.json', '.yaml', '.yml')):
                    with open(full, 'rb') as f:
                        out.append((name, f.read()))
        return out

    @staticmethod
    def parse(name, data):
        text = data.decode()
        if name.endswith('.json'):
            doc = json.loads(text)
            return doc if isinstance(doc, list) else [doc]
        return [d for d in miniyaml.load_all(text) if d]

    def manifests(self, sub):
        files = self.files(sub)
        objs = [o for name, data in files for o in self.parse(name, data)]
        return objs, app_m.revision_of(files)

    def all_files(self):
        """relative path -> parsed content, for the git files generator."""
        out = {}
        for dirpath, _, names in os.walk(self.root):
            for name in names:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self.root)
                if name.endswith('.json'):
                    with open(full) as f:
                        out[rel] = json.load(f)
                elif name.endswith(('.yaml', '.yml')):
                    with open(full) as f:
                        docs = miniyaml.load_all(f.read())
                    out[rel] = docs[0] if docs else {}
        return out


def key_of(obj, dest_ns):
    kind = obj['kind']
    ns = obj.get('metadata', {}).get('namespace') or (dest_ns if KINDS[kind][2] else '')
    return (kind, ns, obj['metadata']['name'])


def group_of(kind):
    gv = KINDS[kind][0]
    return '' if gv == '/api/v1' else gv.split('/')[2]


class Controller:
    def __init__(self, kube, args, events, name):
        self.kube, self.args, self.events, self.name = kube, args, events, name
        self.gen = m.parse_version(args.version)
        self.ns = args.namespace
        self.stop = threading.Event()

    def loop(self):
        while not self.stop.is_set():
            try:
                snap = self.snapshot()
                if snap is not None:
                    # informer lag: act on what was read lag-ms ago
                    if self.stop.wait(self.args.lag_ms / 1000):
                        break
                    self.tick(snap)
            except Exception as e:  # keep going like a controller; tests read the log
                print(f'{self.name}: {e!r}', file=sys.stderr, flush=True)
            self.stop.wait(self.args.period_ms / 1000)

    def list(self, kind):
        st, body = self.kube.call('GET', object_path(kind, self.ns))
        return body['items'] if st == 200 else None


class ApplicationController(Controller):
    def __init__(self, kube, args, events, repo):
        super().__init__(kube, args, events, 'application-controller')
        self.repo = repo

    def snapshot(self):
        return self.list('Application')

    def track(self, app_name, obj, key):
        md = obj.setdefault('metadata', {})
        if self.gen >= m.GEN_3_2:  # v3.2.0:util/settings/settings.go:846 default annotation
            kind, ns, name = key
            md.setdefault('annotations', {})[TRACKING_ANNOTATION] = \
                f'{app_name}:{group_of(kind)}/{kind}:{ns}/{name}'
        else:  # v2.14.0:util/argo/resource_tracking.go:59 default label
            md.setdefault('labels', {})[TRACKING_LABEL] = app_name

    def read_live(self, key):
        kind, ns, name = key
        st, body = self.kube.call('GET', object_path(kind, ns, name))
        return body if st == 200 else None

    def compare(self, app):
        spec = app['spec']
        dest_ns = (spec.get('destination') or {}).get('namespace') or ''
        manifests, revision = self.repo.manifests(m.source_of(spec).get('path'))
        desired = {key_of(o, dest_ns): o for o in manifests}
        known = {(r['kind'], r.get('namespace', ''), r['name'])
                 for r in (app.get('status') or {}).get('resources') or []}
        live = {k: self.read_live(k) for k in set(desired) | known}
        resources = []
        for k in sorted(set(desired) | known):
            kind, ns, name = k
            if k in desired:
                status = 'OutOfSync' if live[k] is None or app_m.subset_differs(
                    app_m.comparable(desired[k]), live[k]) else 'Synced'
                resources.append({'group': group_of(kind), 'kind': kind, 'namespace': ns, 'name': name,
                                  'status': status})
            elif live[k] is not None:
                resources.append({'group': group_of(kind), 'kind': kind, 'namespace': ns, 'name': name,
                                  'status': 'OutOfSync', 'requiresPruning': True})
        sync = 'Synced' if all(r['status'] == 'Synced' for r in resources) else 'OutOfSync'
        return desired, live, resources, sync, revision, dest_ns

    def app_path(self, name):
        return object_path('Application', self.ns, name)

    def tick(self, apps):
        for app in apps:
            if self.stop.is_set():
                return
            if not self.args.lag_ms:
                # no configured lag: an informer cache is milliseconds behind, so decide on the
                # app as it is now, not as it was when this loop listed the apps
                st, app = self.kube.call('GET', self.app_path(app['metadata']['name']))
                if st != 200:
                    continue
            self.reconcile(app)

    def reconcile(self, app):
        name = app['metadata']['name']
        desired, live, resources, sync, revision, dest_ns = self.compare(app)
        status = app.get('status') or {}
        if app.get('operation'):
            self.run_operation(app, desired, live, revision, dest_ns)
            return
        new = {'sync': {'status': sync, 'revision': revision,
                        'comparedTo': {'source': m.source_of(app['spec']),
                                       'destination': app['spec'].get('destination') or {}}},
               'resources': resources, 'health': {'status': 'Healthy'}}
        if any(status.get(k) != v for k, v in new.items()):
            new['reconciledAt'] = m.now_iso()
            self.kube.merge(self.app_path(name), {'status': new})
            self.events('application', 'compared', 'Application', name, sync=sync)
        app = copy.deepcopy(app)
        app.setdefault('status', {}).update(new)
        op, reason = app_m.auto_sync_decision(self.gen, app, sync, resources, revision)
        if op:
            self.set_operation(name, op)

    def set_operation(self, name, op):
        """argo.SetAppOperation: a fresh GET, refuse when an operation is set, then an update with
        that resourceVersion (v3.2.0:util/argo/argo.go SetAppOperation). It does not re-check
        `automated` on the fresh copy: a stale informer can still auto-sync a just-paused app."""
        for _ in range(5):
            st, fresh = self.kube.call('GET', self.app_path(name))
            if st != 200 or fresh.get('operation'):
                return
            fresh['operation'] = op
            st, _ = self.kube.call('PUT', self.app_path(name), fresh)
            if st == 200:
                self.events('application', 'operation-set', 'Application', name, by='auto-sync', operation=op)
                return
            if st != 409:
                return

    def run_operation(self, app, desired, live, revision, dest_ns):
        """Two steps, as processRequestedAppOperation writes them (v3.2.0:controller/
        appcontroller.go:1374-1515): first operationState Running with a copy of the operation,
        then the result, and on completion `operation: null` (...:1520-1540)."""
        name = app['metadata']['name']
        state = (app.get('status') or {}).get('operationState') or {}
        if state.get('phase') != 'Running':
            state = {'operation': copy.deepcopy(app['operation']), 'phase': 'Running',
                     'message': 'one or more tasks are running', 'startedAt': m.now_iso()}
            self.kube.merge(self.app_path(name), {'status': {'operationState': state}})
            self.events('application', 'operation-started', 'Application', name, operation=state['operation'])
            return
        op = state['operation']
        ns_exists = not dest_ns or self.read_live(('Namespace', '', dest_ns)) is not None
        phase, message, actions, results = app_m.plan_sync(op, desired, live, ns_exists, dest_ns)
        for act in actions:
            self.perform(name, act, desired, live)
        retries = int(state.get('retryCount') or 0)
        patch = {'status': {}}
        if phase == 'Failed' and app_m.retry_after_failure(op, retries):
            state = dict(state, phase='Running', retryCount=retries + 1, finishedAt=m.now_iso(),
                         message=f'{message}. Retrying attempt #{retries + 1}')
        else:
            state = dict(state, phase=phase, message=message, finishedAt=m.now_iso(),
                         syncResult={'revision': revision, 'source': m.source_of(app['spec']),
                                     'resources': results})
            patch['operation'] = None
        patch['status']['operationState'] = state
        _, _, resources, sync, _, _ = self.compare(app)
        patch['status'].update(sync={'status': sync, 'revision': revision,
                                     'comparedTo': {'source': m.source_of(app['spec']),
                                                    'destination': app['spec'].get('destination') or {}}},
                               resources=resources, health={'status': 'Healthy'}, reconciledAt=m.now_iso())
        self.kube.merge(self.app_path(name), patch)
        self.events('application', 'operation-finished', 'Application', name, phase=phase, message=message,
                    operation=op, actions=[[a[0], list(a[1]) if isinstance(a[1], tuple) else a[1]]
                                           for a in actions])

    def perform(self, app_name, act, desired, live):
        if act[0] == 'create-namespace':
            self.kube.call('POST', '/api/v1/namespaces',
                           {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': act[1]}})
            return
        key = act[1]
        kind, ns, name = key
        if act[0] == 'prune':
            self.kube.call('DELETE', object_path(kind, ns, name))
            return
        obj = copy.deepcopy(desired[key])
        obj.setdefault('metadata', {})['name'] = name
        if ns:
            obj['metadata']['namespace'] = ns
        self.track(app_name, obj, key)
        if live.get(key) is None:
            st, body = self.kube.call('POST', object_path(kind, ns), obj)
        else:  # apply: the manifest's fields win, other fields stay (lists replaced)
            st, body = self.kube.merge(object_path(kind, ns, name), obj)
        self.events('application', 'applied', kind, name, app=app_name, status=st)


class ApplicationSetController(Controller):
    def __init__(self, kube, args, events, repo):
        super().__init__(kube, args, events, 'applicationset-controller')
        self.repo = repo

    def snapshot(self):
        # Apps first: a reconcile triggered by an app's event reads the ApplicationSet from a cache
        # that has seen every write made before that app's (a guard writes the ApplicationSet,
        # then the apps). Reading the other way round would invent a stale-ApplicationSet race
        # wider than the real one; --lag-ms still delays acting on both.
        apps = self.list('Application')
        sets = self.list('ApplicationSet')
        if sets is None or apps is None:
            return None
        st, cm = self.kube.call('GET', f'/api/v1/namespaces/{self.ns}/configmaps/argocd-cmd-params-cm')
        return sets, apps, (cm.get('data') or {}) if st == 200 else {}

    def tick(self, snap):
        sets, apps, params = snap
        ps = set_m.progressive_syncs_enabled(params)
        for s in sets:
            if self.stop.is_set():
                return
            self.reconcile(s, apps, ps)

    def write_status(self, appset, statuses):
        name = appset['metadata']['name']
        if ((appset.get('status') or {}).get('applicationStatus') or []) == statuses:
            return
        body = {'status': {'applicationStatus': statuses}}
        path = object_path('ApplicationSet', self.ns, name)
        st, _ = self.kube.merge(path + '/status', body)  # the real CRD has a status subresource
        if st == 404:
            self.kube.merge(path, body)
        appset.setdefault('status', {})['applicationStatus'] = statuses
        self.events('applicationset', 'status', 'ApplicationSet', name,
                    statuses={s['application']: s['status'] for s in statuses})

    def reconcile(self, appset, all_apps, ps):
        name = appset['metadata']['name']
        files = self.repo.all_files()
        parse = lambda text: (miniyaml.load_all(text) or [{}])[0]  # noqa: E731
        generated = []
        for g in appset['spec'].get('generators') or []:
            for params in set_m.generate_params(g, files):
                generated.append(set_m.generate_app(appset, params, parse))
        owned = {a['metadata']['name']: a for a in all_apps
                 if any(o.get('kind') == 'ApplicationSet' and o.get('name') == name and o.get('controller')
                        for o in a['metadata'].get('ownerReferences') or [])}
        steps = set_m.rolling_steps(appset)
        if ps and steps:
            # v3.2.0:applicationset/controllers/applicationset_controller.go:235-258, 301-305
            now = m.now_iso()
            lists, step_of = set_m.step_lists(steps, generated)
            current = [owned[a['metadata']['name']] for a in generated if a['metadata']['name'] in owned]
            statuses = set_m.update_app_statuses(self.gen, appset, current, step_of, now)
            self.write_status(appset, statuses)
            to_sync = set_m.apps_to_sync(self.gen, lists, statuses, current)
            statuses = set_m.progress(statuses, steps, step_of, to_sync, now)
            self.write_status(appset, statuses)
            by = {s['application']: s for s in statuses}
            generated = [set_m.rolling_sync_app(
                self.gen, g, by.get(g['metadata']['name']) if to_sync.get(g['metadata']['name']) else None,
                ((owned.get(g['metadata']['name']) or {}).get('status') or {}).get('sync', {}).get('status'))
                for g in generated]
        elif (appset.get('status') or {}).get('applicationStatus'):
            # progressive syncs off (or no RollingSync): stale statuses are cleared
            # (v3.2.0:applicationset/controllers/applicationset_controller.go:236-258)
            self.write_status(appset, [])
        update = set_m.allow_update(appset)
        for g in generated:
            gname = g['metadata']['name']
            live = owned.get(gname)
            if live is None:
                if any(a['metadata']['name'] == gname for a in all_apps):
                    continue  # someone else's app: the real controller reports an error
                st, _ = self.kube.call('POST', object_path('Application', self.ns), g)
                self.events('applicationset', 'app-created', 'Application', gname, appset=name, status=st)
                continue
            if not update:
                continue
            patch = set_m.update_patch(appset, live, g)
            if patch:
                st, _ = self.kube.merge(object_path('Application', self.ns, gname), patch)
                self.events('applicationset', 'app-updated', 'Application', gname, appset=name, patch=patch,
                            status=st)


def server_of(kubeconfig):
    with open(kubeconfig) as f:
        for line in f:
            if 'server:' in line:
                return line.split('server:', 1)[1].strip()
    raise SystemExit(f'no server in {kubeconfig}')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--kubeconfig')
    p.add_argument('--server', help='API server URL (instead of --kubeconfig)')
    p.add_argument('--repo', required=True, help='folder standing in for the git repository')
    p.add_argument('--version', default='3.3', choices=sorted(m.VERSIONS))
    p.add_argument('--namespace', default='argocd')
    p.add_argument('--period-ms', type=int, default=100)
    p.add_argument('--lag-ms', type=int, default=0, help='informer lag: act on state this old')
    p.add_argument('--events', help='JSON lines of every action (for tests)')
    p.add_argument('--only', choices=['app', 'appset'], help='run one controller only')
    args = p.parse_args(argv)
    if not (args.server or args.kubeconfig):
        p.error('--kubeconfig or --server is required')
    kube = Kube(args.server or server_of(args.kubeconfig))
    events, repo = Events(args.events), Repo(args.repo)
    ctrls = []
    if args.only in (None, 'app'):
        ctrls.append(ApplicationController(kube, args, events, repo))
    if args.only in (None, 'appset'):
        ctrls.append(ApplicationSetController(kube, args, events, repo))
    done = threading.Event()

    def stop(*_):
        for c in ctrls:
            c.stop.set()
        done.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threads = [threading.Thread(target=c.loop, daemon=True) for c in ctrls]
    for t in threads:
        t.start()
    print('fake argocd running', flush=True)
    while not done.wait(0.2):
        pass
    for t in threads:
        t.join(5)
    return 0


if __name__ == '__main__':
    sys.exit(main())
