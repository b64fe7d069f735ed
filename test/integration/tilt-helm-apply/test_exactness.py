#!/usr/bin/env python3
"""tilt-helm-apply's fast re-apply stays exact, helm's stuck releases and NOTES are handled.

Real helm (HELM_BIN) and kubectl against test/cluster/serve, with chart/ (a ConfigMap whose name
is a value, a Deployment, an optional Widget of a CRD Argo CD installs, and NOTES.txt printing a
value). "Argo CD" here renders the chart with `helm template` and applies it with
`kubectl apply --field-manager=argocd-controller` and its tracking annotation, then records the
objects in the Application's status.resources, as an Argo CD sync does.

Environment: HELM_BIN (required), AMEIDE_BIN_DIR (built helpers).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'test', 'cluster'))
from fixture import cluster  # noqa: E402
import miniyaml  # noqa: E402

HELM = os.environ.get('HELM_BIN', '')
BIN = os.environ.get('AMEIDE_BIN_DIR', os.path.join(REPO, 'build', 'bin'))
APPLY = os.path.join(BIN, 'tilt-helm-apply')
CHART = os.path.join(HERE, 'chart')
NS, RELEASE, APP = 'exact', 'exact', 'exact'
WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
CRD = {'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
       'metadata': {'name': 'widgets.example.com'},
       'spec': {'group': 'example.com', 'scope': 'Namespaced',
                'names': {'plural': 'widgets', 'singular': 'widget', 'kind': 'Widget', 'listKind': 'WidgetList'},
                'versions': [{'name': 'v1', 'served': True, 'storage': True,
                              'schema': {'openAPIV3Schema': {'type': 'object',
                                                             'x-kubernetes-preserve-unknown-fields': True}}}]}}
# A new parent process per call: tilt-helm-apply counts its parent as the session (Tilt).
NEW_SESSION = [sys.executable, '-c', 'import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))']


class Base(unittest.TestCase):
    fixture_flags = ('--argocd',)

    def setUp(self):
        if not HELM or not os.access(HELM, os.X_OK):
            self.fail(f'HELM_BIN={HELM!r} is not an executable helm')
        self.c = self.enterContext(cluster(*self.fixture_flags))
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())
        self.c.kubectl('create', 'namespace', NS)

    def values_file(self, **values):
        path = os.path.join(self.tmp, f'values-{len(os.listdir(self.tmp))}.yaml')
        with open(path, 'w') as f:
            f.write(json.dumps(values))
        return path

    def argo_sync(self, values):
        """Argo CD renders and applies the chart, and records what it applied."""
        docs = [d for d in miniyaml.load_all(self.c.run([HELM, 'template', RELEASE, CHART, '--namespace', NS,
                                                          '--values', values]).stdout) if d]
        resources = []
        for d in docs:
            group = d['apiVersion'].rpartition('/')[0]
            md = d['metadata']
            md['namespace'] = NS
            md.setdefault('annotations', {})['argocd.argoproj.io/tracking-id'] = f"{APP}:{group}/{d['kind']}:{NS}/{md['name']}"
            resources.append({'group': group, 'version': d['apiVersion'].rpartition('/')[2], 'kind': d['kind'],
                              'namespace': NS, 'name': md['name']})
        self.c.kubectl('apply', '--field-manager=argocd-controller', '-f', '-', input=miniyaml.dump_all(docs))
        app = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
               'metadata': {'name': APP, 'namespace': 'argocd'},
               'spec': {'project': 'default', 'destination': {'namespace': NS}},
               'status': {'resources': resources}}
        self.c.kubectl('apply', '-f', '-', input=json.dumps(app))

    def apply(self, values, tag, expect=0, extra=(), wrapper=(), app=APP, env=None):
        argv = [*wrapper, APPLY, 'apply', '--release', RELEASE, '--namespace', NS, '--chart', CHART,
                '--values', values, *extra]
        if app:
            argv += ['--argocd-app', app]
        env = dict(self.c.env, AMEIDE_HELM_BIN=HELM, TILT_IMAGE_0=f'registry.localhost:32000/exact:{tag}', **(env or {}))
        res = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(res.returncode, expect, f'apply exited {res.returncode}:\n{res.stderr}')
        return res

    def get(self, path):
        status, body = self.c.call('GET', path)
        self.assertEqual(status, 200, f'{path}: {body}')
        return body

    def assert_helm_owned(self, path):
        ann = self.get(path)['metadata'].get('annotations', {})
        self.assertEqual(ann.get('meta.helm.sh/release-name'), RELEASE, path)
        self.assertEqual(ann.get('meta.helm.sh/release-namespace'), NS, path)

    def assert_adopted(self, res, kind, name):
        self.assertRegex(res.stderr, rf'adopt:\s+adopted\s+{kind} {NS}/{name}\b')


class Exactness(Base):
    def test_re_apply_catches_what_argo_cd_changed_since_the_last_apply(self):
        v1 = self.values_file(configName='settings')
        self.argo_sync(v1)
        res = self.apply(v1, 'tilt-1')
        self.assertIn('label scan: first apply of this session', res.stderr)
        self.assert_adopted(res, 'ConfigMap', 'settings')

        # A plain re-apply: no scan, and not a single write besides helm's own.
        mark = len(self.c.requests())
        res = self.apply(v1, 'tilt-2')
        self.assertIn("no label scan: the manifest's object set is the last apply's", res.stderr)
        ours = [f"{r['method']} {r['path']}" for r in self.c.requests()[mark:]
                if r['method'] in WRITES and not (r.get('user_agent') or '').lower().startswith('helm')]
        self.assertEqual(ours, [])

        # A re-sync that re-creates an object drops Helm's metadata: the next re-apply adopts it.
        self.assertEqual(self.c.call('DELETE', f'/api/v1/namespaces/{NS}/configmaps/settings')[0], 200)
        self.argo_sync(v1)
        self.assertNotIn('meta.helm.sh/release-name',
                         self.get(f'/api/v1/namespaces/{NS}/configmaps/settings')['metadata'].get('annotations', {}))
        res = self.apply(v1, 'tilt-3')
        self.assertIn('no label scan', res.stderr)
        self.assert_adopted(res, 'ConfigMap', 'settings')
        self.assert_helm_owned(f'/api/v1/namespaces/{NS}/configmaps/settings')

        # A renamed object Argo CD created: new to the release, so helm checks its ownership.
        v2 = self.values_file(configName='renamed')
        self.argo_sync(v2)
        res = self.apply(v2, 'tilt-4')
        self.assertIn("label scan: the manifest's object set changed since the last apply", res.stderr)
        self.assert_adopted(res, 'ConfigMap', 'renamed')
        self.assert_helm_owned(f'/api/v1/namespaces/{NS}/configmaps/renamed')

        # A new type: the CRD arrives after the discovery cache was written, then Argo CD syncs a Widget.
        self.c.kubectl('apply', '-f', '-', input=json.dumps(CRD))
        v3 = self.values_file(configName='renamed', widget=True)
        self.argo_sync(v3)
        res = self.apply(v3, 'tilt-5')
        self.assert_adopted(res, 'Widget', f'{RELEASE}-widget')
        self.assert_helm_owned(f'/apis/example.com/v1/namespaces/{NS}/widgets/{RELEASE}-widget')
        deploy = self.get(f'/apis/apps/v1/namespaces/{NS}/deployments/{RELEASE}')
        self.assertEqual(deploy['spec']['template']['spec']['containers'][0]['image'],
                         'registry.localhost:32000/exact:tilt-5')

    def test_label_scan_on_a_new_session_and_on_request(self):
        v1 = self.values_file()
        self.argo_sync(v1)
        self.apply(v1, 'tilt-1')
        # Labelled for the release, named by neither the manifest nor the Application.
        stray = {'apiVersion': 'v1', 'kind': 'ConfigMap',
                 'metadata': {'name': 'stray', 'namespace': NS, 'labels': {'app.kubernetes.io/instance': RELEASE}}}
        self.c.kubectl('apply', '--field-manager=argocd-controller', '-f', '-', input=json.dumps(stray))
        res = self.apply(v1, 'tilt-2')
        self.assertNotRegex(res.stderr, r'adopted\s+ConfigMap exact/stray')
        res = self.apply(v1, 'tilt-3', extra=['--full-scan'])
        self.assertIn('label scan: --full-scan', res.stderr)
        self.assert_adopted(res, 'ConfigMap', 'stray')
        # Another session (another Tilt) scans on its first apply.
        self.c.call('PATCH', f'/api/v1/namespaces/{NS}/configmaps/stray',
                    {'metadata': {'annotations': {'meta.helm.sh/release-name': None}}},
                    content_type='application/merge-patch+json')
        res = self.apply(v1, 'tilt-4', wrapper=NEW_SESSION)
        self.assertIn('label scan: first apply of this session', res.stderr)
        self.assert_adopted(res, 'ConfigMap', 'stray')

    def test_a_conflict_stops_helm_before_any_write(self):
        v1 = self.values_file()
        self.argo_sync(v1)
        self.c.call('PATCH', f'/api/v1/namespaces/{NS}/configmaps/settings',
                    {'metadata': {'annotations': {'meta.helm.sh/release-name': 'someone-else',
                                                  'meta.helm.sh/release-namespace': NS}}},
                    content_type='application/merge-patch+json')
        mark = len(self.c.requests())
        res = self.apply(v1, 'tilt-1', expect=1)
        self.assertIn('could not be adopted', res.stderr)
        helm_writes = [r for r in self.c.requests()[mark:]
                       if r['method'] in WRITES and (r.get('user_agent') or '').lower().startswith('helm')]
        self.assertEqual(helm_writes, [], 'helm wrote despite the conflict')
        ann = self.get(f'/api/v1/namespaces/{NS}/configmaps/settings')['metadata']['annotations']
        self.assertEqual(ann['meta.helm.sh/release-name'], 'someone-else')


class StuckRelease(Base):
    """Issue 12 defect 5: every write of helm's release record after its creation fails."""
    fixture_flags = ('--argocd', '--fail', 'secrets:update:1', '--seed', '1')

    def test_stuck_pending_install_exits_non_zero_and_says_how_to_recover(self):
        v1 = self.values_file()
        res = self.apply(v1, 'tilt-1', expect=1, app='')
        records = self.c.requests()
        self.assertTrue(any(r['method'] == 'PUT' and '/secrets/sh.helm.release.v1.exact.v1' in r['path']
                            and r['status'] >= 500 for r in records), 'the fixture did not fail the record update')
        self.assertIn('stuck in pending-install', res.stderr)
        self.assertIn('helm history exact -n exact', res.stderr)
        self.assertIn('helm uninstall exact -n exact', res.stderr)
        # The next apply meets helm's "another operation is in progress" and says the same.
        res = self.apply(v1, 'tilt-2', expect=1, app='')
        self.assertIn('stuck in pending-install', res.stderr)
        self.assertIn('helm history exact -n exact', res.stderr)
        self.assertNotIn('trigger the resource again', res.stderr)


class Notes(Base):
    """Issue 12 defect 8: NOTES.txt may print a secret value; it must not reach the log."""

    def test_notes_are_not_logged(self):
        v1 = self.values_file(adminPassword='s3cr3t-printed-by-notes')
        self.argo_sync(v1)
        for tag in ('tilt-1', 'tilt-2'):
            res = self.apply(v1, tag)
            self.assertNotIn('s3cr3t-printed-by-notes', res.stderr)
            self.assertNotIn('s3cr3t-printed-by-notes', res.stdout)
        notes = self.c.run([HELM, 'get', 'notes', RELEASE, '-n', NS]).stdout
        self.assertIn('s3cr3t-printed-by-notes', notes)  # the chart did print it


if __name__ == '__main__':
    unittest.main(verbosity=2)
