#!/usr/bin/env python3
"""Isolated mode (issue 18) of tilt-helm-apply against the API server fixture with real helm and
kubectl: two developers' `-tilt` releases of apps-graph run side by side with Argo CD's, whose
objects and Application stay byte for byte as they were; `delete --isolated` removes only the
caller's own release and refuses any release helm's record does not label as Tilt's; a release
helm leaves stuck `pending-install` is reported with the recovery, as on the overlay path.

Environment: HELM_BIN (the helm under test, required), AMEIDE_BIN_DIR (built helpers).
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_apply import APPLY, CHART, HELM, NS, OBJECTS, RELEASE, VALUES, ApplyBase, path_of  # noqa: E402


class IsolatedBase(ApplyBase):
    def argo_state(self):
        """Argo CD's objects and Application, exactly as the server returns them."""
        out = self.snapshot()
        out['Application'] = self.application()
        return json.dumps(out, sort_keys=True)

    def iso_apply(self, user, release, ns=NS, chart=CHART, expect=0, image=None):
        argv = [APPLY, 'apply', '--release', release, '--namespace', ns, '--chart', chart,
                '--image-key', 'image.repository,image.tag', '--isolated', '--argocd-release', RELEASE,
                '--app-namespace', NS, '--tilt-user', user]
        for f in VALUES:
            argv += ['--values', f]
        res = self.run_helper(argv, self.env(image=image or f'registry.localhost:32000/graph:tilt-{user}'))
        self.assertEqual(res.returncode, expect, f'isolated apply of {release} exited {res.returncode}:\n{res.stderr}')
        return res

    def iso_delete(self, user, release, ns=NS, expect=0):
        argv = [APPLY, 'delete', '--release', release, '--namespace', ns, '--isolated', '--tilt-user', user]
        res = self.run_helper(argv, self.env(image=None))
        self.assertEqual(res.returncode, expect, f'delete of {release} exited {res.returncode}:\n{res.stderr}')
        return res

    def session_proxy_keepers(self):
        """Keeper pids in the session proxy records (native/core/session_proxy.hpp)."""
        folder = os.path.join(self.c.env['XDG_CACHE_HOME'], 'ath', 'helm-apply', 'session-proxies')
        pids = []
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.endswith('.json'):
                with open(os.path.join(folder, name)) as f:
                    pids.append(json.load(f)['keeper_pid'])
        return pids

    def deployment(self, name, ns=NS):
        return self.c.call('GET', path_of('apps/v1', 'deployments', name, ns))

    def releases(self, ns=NS):
        out = self.c.run([HELM, 'list', '--deployed', '--failed', '--pending', '-n', ns, '-o', 'json']).stdout
        return sorted(r['name'] for r in json.loads(out or '[]'))


class Isolated(IsolatedBase):
    def test_two_developers_side_by_side_argo_untouched_and_down_removes_only_ones_own(self):
        before = self.argo_state()
        self.iso_apply('alice', 'apps-graph-tilt')
        keeper = self.session_proxy_keepers()
        self.iso_apply('bob', 'apps-graph-bob')
        # Both applies ran in this test's session: one kubectl proxy, kept between them.
        self.assertEqual(len(keeper), 1)
        self.assertEqual(self.session_proxy_keepers(), keeper)
        self.assertEqual(self.releases(), ['apps-graph-bob', 'apps-graph-tilt'])
        for name, user in [('apps-graph-tilt', 'alice'), ('apps-graph-bob', 'bob')]:
            status, dep = self.deployment(name)
            self.assertEqual(status, 200, dep)
            self.assertEqual(dep['spec']['template']['spec']['containers'][0]['image'],
                             f'registry.localhost:32000/graph:tilt-{user}')
            self.assertEqual(dep['spec']['template']['spec']['serviceAccountName'], name)
            self.assertNotIn('argocd.argoproj.io/tracking-id', dep['metadata'].get('annotations', {}))
        # Helm's release record carries the marker tilt down checks.
        mine = self.c.run([HELM, 'list', '-n', NS, '-o', 'json', '--selector',
                           'app.kubernetes.io/managed-by=tilt,ameide.io/tilt-user=alice']).stdout
        self.assertEqual([r['name'] for r in json.loads(mine)], ['apps-graph-tilt'])
        self.assertEqual(self.argo_state(), before, 'Argo CD objects or Application changed')

        # Alice's tilt down refuses Bob's release, and a release not labelled as Tilt's.
        res = self.iso_delete('alice', 'apps-graph-bob', expect=1)
        self.assertIn("belongs to Tilt user 'another developer'", res.stderr)
        self.c.run([HELM, 'install', '-n', NS, 'plain', CHART, '--set-string', 'image.repository=r,image.tag=t'])
        res = self.iso_delete('alice', 'plain', expect=1)
        self.assertIn("not labelled as Tilt's", res.stderr)
        self.assertEqual(self.releases(), ['apps-graph-bob', 'apps-graph-tilt', 'plain'])

        self.iso_delete('alice', 'apps-graph-tilt')
        self.assertEqual(self.releases(), ['apps-graph-bob', 'plain'])
        for api_version, plural, kind in OBJECTS:
            status, _ = self.c.call('GET', path_of(api_version, plural, 'apps-graph-tilt'))
            self.assertEqual(status, 404, f'{kind} apps-graph-tilt left behind')
        self.assertEqual(self.deployment('apps-graph-bob')[0], 200)
        self.iso_delete('alice', 'apps-graph-tilt')  # idempotent: nothing left, exit 0
        self.assertEqual(self.argo_state(), before, 'Argo CD objects or Application changed')

    def test_own_namespace_is_created_and_labelled_as_tilts(self):
        before = self.argo_state()
        self.iso_apply('carol', 'apps-graph-tilt', ns='dev-carol')
        status, ns = self.c.call('GET', '/api/v1/namespaces/dev-carol')
        self.assertEqual(status, 200)
        self.assertEqual(ns['metadata']['labels'].get('app.kubernetes.io/managed-by'), 'tilt')
        self.assertEqual(ns['metadata']['labels'].get('ameide.io/tilt-user'), 'carol')
        self.assertEqual(self.deployment('apps-graph-tilt', 'dev-carol')[0], 200)
        self.iso_delete('carol', 'apps-graph-tilt', ns='dev-carol')
        self.assertEqual(self.releases('dev-carol'), [])
        self.assertEqual(self.argo_state(), before)

    def fixed_name_chart(self):
        """The example chart with every object named `apps-graph`: it cannot render distinct names."""
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        chart = os.path.join(tmp, 'app')
        shutil.copytree(CHART, chart)
        helpers = os.path.join(chart, 'templates', '_helpers.tpl')
        with open(helpers) as f:
            text = f.read()
        with open(helpers, 'w') as f:
            f.write(text.replace('default .Release.Name .Values.fullnameOverride', '"apps-graph"'))
        return chart

    def test_chart_without_distinct_names_is_refused_before_anything_is_deployed(self):
        before = self.argo_state()
        res = self.iso_apply('alice', 'apps-graph-tilt', chart=self.fixed_name_chart(), expect=1)
        self.assertIn('the chart renders the same object names as Argo CD there', res.stderr)
        self.assertIn("Deployment ameide/apps-graph (Argo CD's own release)", res.stderr)
        self.assertEqual(self.releases(), [])
        self.assertEqual(self.argo_state(), before)

    def test_namespace_argo_manages_for_another_app_is_refused_when_names_collide(self):
        self.c.kubectl('create', 'namespace', 'shared')
        app = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
               'metadata': {'name': 'apps-other', 'namespace': 'argocd'},
               'spec': {'project': 'default', 'destination': {'namespace': 'shared'}},
               'status': {'resources': [{'group': 'apps', 'version': 'v1', 'kind': 'Deployment',
                                         'namespace': 'shared', 'name': 'apps-graph-tilt'}]}}
        self.c.kubectl('apply', '-f', '-', input=json.dumps(app))
        res = self.iso_apply('alice', 'apps-graph-tilt', ns='shared', expect=1)
        self.assertIn('Deployment shared/apps-graph-tilt (Application apps-other)', res.stderr)
        self.assertEqual(self.releases('shared'), [])
        # With a distinct name (another suffix) the same namespace is fine.
        self.iso_apply('alice', 'apps-graph-alice', ns='shared')
        self.assertEqual(self.releases('shared'), ['apps-graph-alice'])

    def test_release_name_over_helms_limit_is_a_usage_error(self):
        res = self.iso_apply('alice', 'apps-graph-' + 'x' * 45, expect=2)
        self.assertIn('at most 53', res.stderr)

    def test_dry_run_writes_nothing(self):
        before = self.argo_state()
        argv = [APPLY, 'apply', '--dry-run', '--release', 'apps-graph-tilt', '--namespace', 'dev-dan', '--chart', CHART,
                '--isolated', '--argocd-release', RELEASE, '--app-namespace', NS, '--tilt-user', 'dan']
        for f in VALUES:
            argv += ['--values', f]
        res = self.run_helper(argv, self.env())
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn('name: apps-graph-tilt', res.stdout)
        self.assertEqual(self.c.call('GET', '/api/v1/namespaces/dev-dan')[0], 404)
        self.assertEqual(self.argo_state(), before)


class IsolatedStuckRelease(IsolatedBase):
    """Issue 12 defect 5 on the isolated path: every write of helm's release record after its
    creation fails, so helm 3 cannot record how the install ended and still exits 0."""
    fixture_flags = ('--argocd', '--fail', 'secrets:update:1', '--seed', '1')

    def test_stuck_pending_install_exits_non_zero_and_says_how_to_recover(self):
        before = self.argo_state()
        res = self.iso_apply('alice', 'apps-graph-tilt', expect=1)
        self.assertTrue(any(r['method'] == 'PUT' and '/secrets/sh.helm.release.v1.apps-graph-tilt.v1' in r['path']
                            and r['status'] >= 500 for r in self.c.requests()),
                        'the fixture did not fail the record update')
        self.assertIn('stuck in pending-install', res.stderr)
        self.assertIn(f'helm history apps-graph-tilt -n {NS}', res.stderr)
        self.assertIn(f'helm uninstall apps-graph-tilt -n {NS}', res.stderr)
        self.assertEqual(res.stdout, '', 'objects reported to Tilt for a release helm did not record')
        # The next apply meets helm's "another operation is in progress" and says the same.
        res = self.iso_apply('alice', 'apps-graph-tilt', expect=1, image='registry.localhost:32000/graph:tilt-2')
        self.assertIn('stuck in pending-install', res.stderr)
        self.assertIn(f'helm history apps-graph-tilt -n {NS}', res.stderr)
        self.assertNotIn('trigger the resource again', res.stderr)
        self.assertEqual(self.argo_state(), before, 'Argo CD objects or Application changed')


if __name__ == '__main__':
    unittest.main(verbosity=2)
