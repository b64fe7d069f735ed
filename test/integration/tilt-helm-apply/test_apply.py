#!/usr/bin/env python3
"""tilt-helm-apply against the API server fixture (test/cluster/serve) with real helm and kubectl.

The cluster starts in the state Argo CD leaves: the release's objects rendered by `helm template`
and applied by `kubectl apply --field-manager=argocd-controller` with Argo CD's tracking
annotation, an Application apps-graph whose status.resources names them, and no Helm release.

Environment: HELM_BIN (the helm under test, required), HELM_FLAVOUR (a label for messages),
AMEIDE_BIN_DIR (built helpers), TILT_EVAL (harness wrapper, for the helm_app commands case).
"""
import copy
import json
import os
import stat
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
TILT_EVAL = os.environ.get('TILT_EVAL', os.path.join(REPO, 'test', 'tiltfile', 'tilt-eval'))
CHART = os.path.join(REPO, 'values', 'charts', 'app')
VALUES = [os.path.join(REPO, 'values', '_shared', 'apps', 'apps-graph.yaml'),
          os.path.join(REPO, 'values', 'dev', 'apps', 'apps-graph.yaml')]
NS = 'ameide'
RELEASE = 'apps-graph'
OBJECTS = [('v1', 'serviceaccounts', 'ServiceAccount'), ('v1', 'configmaps', 'ConfigMap'),
           ('v1', 'services', 'Service'), ('apps/v1', 'deployments', 'Deployment')]
ARGO_IMAGE = 'k3d-ameide.localhost:5001/ameide/graph:dev'


def path_of(api_version, plural, name, ns=NS):
    base = '/api/v1' if api_version == 'v1' else f'/apis/{api_version}'
    return f'{base}/namespaces/{ns}/{plural}/{name}'


def leaves(value, prefix=''):
    """{'/a/b/0/c': scalar} for every leaf (empty containers count as leaves)."""
    out = {}
    if isinstance(value, dict) and value:
        for k, v in value.items():
            out.update(leaves(v, f'{prefix}/{k}'))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            out.update(leaves(v, f'{prefix}/{i}'))
    else:
        out[prefix] = value
    return out


def changed_paths(before, after):
    a, b = leaves(before), leaves(after)
    return {p for p in set(a) | set(b) if a.get(p, '<absent>') != b.get(p, '<absent>')}


# Bookkeeping every write changes, and Helm's ownership metadata: the only changes besides the
# image that an adoption plus upgrade may make.
BOOKKEEPING = ('/metadata/resourceVersion', '/metadata/generation', '/metadata/managedFields')
OWNERSHIP = ('/metadata/annotations/meta.helm.sh~1release-name', '/metadata/annotations/meta.helm.sh~1release-namespace',
             '/metadata/labels/app.kubernetes.io~1managed-by')


def escape_keys(obj):
    """JSON-pointer escaping of '/' in keys, so paths split cleanly."""
    if isinstance(obj, dict):
        return {k.replace('~', '~0').replace('/', '~1'): escape_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [escape_keys(v) for v in obj]
    return obj


class ApplyBase(unittest.TestCase):
    fixture_flags = ('--argocd',)  # test/cluster/serve flags

    def setUp(self):
        if not HELM or not os.access(HELM, os.X_OK):
            self.fail(f'HELM_BIN={HELM!r} is not an executable helm; configure HELM3_BIN/HELM4_BIN')
        self.c = self.enterContext(cluster(*self.fixture_flags))
        self.argo_deploy()

    # --- the state Argo CD leaves -------------------------------------------------------------
    def argo_deploy(self):
        c = self.c
        c.kubectl('create', 'namespace', NS)
        argv = [HELM, 'template', RELEASE, CHART, '--namespace', NS]
        for f in VALUES:
            argv += ['--values', f]
        docs = [d for d in miniyaml.load_all(c.run(argv).stdout) if d]
        for d in docs:
            d['metadata'].setdefault('annotations', {})['argocd.argoproj.io/tracking-id'] = \
                f"{RELEASE}:{d['apiVersion'].split('/')[0] if '/' in d['apiVersion'] else ''}/{d['kind']}:{NS}/{d['metadata']['name']}"
            d['metadata']['namespace'] = NS
        c.kubectl('apply', '--field-manager=argocd-controller', '-f', '-', input=miniyaml.dump_all(docs))
        app = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
               'metadata': {'name': RELEASE, 'namespace': 'argocd'},
               'spec': {'project': 'default', 'destination': {'namespace': NS}},
               'status': {'resources': [{'group': d['apiVersion'].split('/')[0] if '/' in d['apiVersion'] else '',
                                         'version': d['apiVersion'].split('/')[-1], 'kind': d['kind'],
                                         'namespace': NS, 'name': d['metadata']['name']} for d in docs]}}
        c.kubectl('apply', '-f', '-', input=json.dumps(app))

    def snapshot(self):
        out = {}
        for api_version, plural, kind in OBJECTS:
            status, body = self.c.call('GET', path_of(api_version, plural, RELEASE))
            self.assertEqual(status, 200, f'{kind} {RELEASE}: {body}')
            out[kind] = body
        return out

    def application(self):
        status, body = self.c.call('GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/' + RELEASE)
        self.assertEqual(status, 200)
        return body

    # --- running the helper -------------------------------------------------------------------
    def env(self, image='registry.localhost:32000/graph:tilt-aaa111', **extra):
        env = dict(self.c.env, AMEIDE_HELM_BIN=HELM)
        env.pop('AMEIDE_HELM_VERSION', None)
        env.pop('AMEIDE_HELM_SERVER_SIDE', None)
        env.pop('AMEIDE_TILT_SKIP_HELM_ADOPT', None)
        if image is not None:
            env['TILT_IMAGE_0'] = image
        env.update(extra)
        return env

    def apply_argv(self, chart=CHART, values=VALUES):
        argv = [APPLY, 'apply', '--release', RELEASE, '--namespace', NS, '--chart', chart,
                '--image-key', 'image.repository,image.tag', '--argocd-app', RELEASE]
        for f in values:
            argv += ['--values', f]
        return argv

    def run_helper(self, argv, env):
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)

    def apply(self, expect=0, **kw):
        res = self.run_helper(self.apply_argv(), self.env(**kw))
        self.assertEqual(res.returncode, expect, f'apply exited {res.returncode}:\n{res.stderr}')
        return res

    def image_of(self, snap):
        return snap['Deployment']['spec']['template']['spec']['containers'][0]['image']


class FirstApply(ApplyBase):
    def test_adopts_argo_objects_and_keeps_uids(self):
        before = self.snapshot()
        self.assertEqual(self.image_of(before), ARGO_IMAGE)
        self.apply()
        after = self.snapshot()
        for kind in before:
            self.assertEqual(after[kind]['metadata']['uid'], before[kind]['metadata']['uid'], kind)
            ann = after[kind]['metadata']['annotations']
            self.assertEqual(ann['meta.helm.sh/release-name'], RELEASE, kind)
            self.assertEqual(ann['meta.helm.sh/release-namespace'], NS, kind)
        self.assertEqual(self.image_of(after), 'registry.localhost:32000/graph:tilt-aaa111')
        # The release now exists, installed over Argo CD's objects.
        self.assertIn(RELEASE, self.c.run([HELM, 'list', '-n', NS, '-q']).stdout.split())

    def test_only_image_fields_and_ownership_metadata_change(self):
        before = self.snapshot()
        app_before = self.application()
        self.apply()
        after = self.snapshot()
        for kind in before:
            changes = changed_paths(escape_keys(before[kind]), escape_keys(after[kind]))
            unexplained = {p for p in changes
                           if not p.startswith(BOOKKEEPING) and p not in OWNERSHIP
                           and 'tilt-aaa111' not in str(leaves(escape_keys(after[kind])).get(p, ''))}
            self.assertEqual(unexplained, set(), f'{kind}: changes beyond image and ownership')
        # The image changes are the container image and the chart's version label (the tag).
        deploy = changed_paths(escape_keys(before['Deployment']), escape_keys(after['Deployment']))
        self.assertIn('/spec/template/spec/containers/0/image', deploy)
        self.assertIn('/metadata/annotations/meta.helm.sh~1release-name', deploy)
        # Argo CD's own bookkeeping is left alone.
        for kind in before:
            self.assertEqual(after[kind]['metadata']['annotations']['argocd.argoproj.io/tracking-id'],
                             before[kind]['metadata']['annotations']['argocd.argoproj.io/tracking-id'])
        self.assertEqual(self.application(), app_before)

    def test_stdout_yaml_parses_and_names_every_object_of_the_release(self):
        res = self.apply()
        docs = [d for d in miniyaml.load_all(res.stdout) if d]
        named = {(d['kind'], d['metadata']['namespace'], d['metadata']['name']) for d in docs}
        manifest = [d for d in miniyaml.load_all(self.c.run([HELM, 'get', 'manifest', RELEASE, '-n', NS]).stdout) if d]
        self.assertEqual(named, {(d['kind'], NS, d['metadata']['name']) for d in manifest})
        self.assertEqual(len(docs), 4)
        live = self.snapshot()
        for d in docs:
            self.assertEqual(d['metadata']['uid'], live[d['kind']]['metadata']['uid'], d['kind'])
            self.assertNotIn('managedFields', d['metadata'])
        # Logs stay on stderr.
        self.assertIn('adopt', res.stderr)

    def test_second_apply_with_a_new_tag_changes_only_the_tag(self):
        self.apply()
        first = self.snapshot()
        self.apply(image='registry.localhost:32000/graph:tilt-bbb222')
        second = self.snapshot()
        for kind in first:
            changes = changed_paths(escape_keys(first[kind]), escape_keys(second[kind]))
            changes = {p for p in changes if not p.startswith(BOOKKEEPING)}
            for p in changes:
                self.assertIn('tilt-bbb222', str(leaves(escape_keys(second[kind])).get(p)), f'{kind} {p}')
                self.assertIn('tilt-aaa111', str(leaves(escape_keys(first[kind])).get(p)), f'{kind} {p}')
            self.assertEqual(second[kind]['metadata']['uid'], first[kind]['metadata']['uid'])
        self.assertEqual(self.image_of(second), 'registry.localhost:32000/graph:tilt-bbb222')

    def test_adoption_can_be_skipped_and_helm_then_refuses(self):
        before = self.snapshot()
        res = self.apply(expect=1, AMEIDE_TILT_SKIP_HELM_ADOPT='true')
        self.assertIn('adoption skipped', res.stderr)
        self.assertIn('invalid ownership metadata', res.stderr)
        self.assertEqual(self.image_of(self.snapshot()), self.image_of(before))

    def test_dry_run_writes_nothing(self):
        before = self.snapshot()
        res = self.run_helper(self.apply_argv() + ['--dry-run'], self.env())
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.snapshot(), before)
        docs = [d for d in miniyaml.load_all(res.stdout) if d]
        self.assertEqual({d['kind'] for d in docs}, {k for _, _, k in OBJECTS})


class Delete(ApplyBase):
    def delete(self, on_down, expect):
        argv = [APPLY, 'delete', '--release', RELEASE, '--namespace', NS, '--on-down', on_down]
        res = self.run_helper(argv, self.env(image=None))
        self.assertEqual(res.returncode, expect, res.stderr)
        return res

    def test_handback_leaves_every_object(self):
        self.apply()
        before = self.snapshot()
        res = self.delete('handback', 0)
        self.assertIn('handed back to Argo CD', res.stderr)
        after = self.snapshot()
        for kind in before:
            self.assertEqual(after[kind]['metadata']['uid'], before[kind]['metadata']['uid'])
            self.assertEqual(after[kind]['metadata']['resourceVersion'], before[kind]['metadata']['resourceVersion'])
        # A force update is delete then apply: the objects survive it too.
        self.apply(image='registry.localhost:32000/graph:tilt-ccc333')
        self.assertEqual(self.snapshot()['Deployment']['metadata']['uid'], before['Deployment']['metadata']['uid'])

    def test_uninstall_refused_while_argo_cd_tracks_the_objects(self):
        self.apply()
        before = self.snapshot()
        res = self.delete('uninstall', 1)
        self.assertIn('not uninstalled: Argo CD tracks', res.stderr)
        self.assertIn("use on_down='handback'", res.stderr)
        self.assertEqual(self.snapshot()['Deployment']['metadata']['uid'], before['Deployment']['metadata']['uid'])

    def test_uninstall_of_a_tilt_only_release(self):
        c = self.c
        c.kubectl('create', 'namespace', 'sandbox')
        argv = [APPLY, 'apply', '--release', 'sandbox', '--namespace', 'sandbox', '--chart', CHART,
                '--values', VALUES[0]]
        res = self.run_helper(argv, self.env())
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(c.call('GET', path_of('apps/v1', 'deployments', 'sandbox', 'sandbox'))[0], 200)
        res = self.run_helper([APPLY, 'delete', '--release', 'sandbox', '--namespace', 'sandbox', '--on-down',
                               'uninstall'], self.env(image=None))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(c.call('GET', path_of('apps/v1', 'deployments', 'sandbox', 'sandbox'))[0], 404)
        # Idempotent: a second uninstall finds no release and succeeds.
        res = self.run_helper([APPLY, 'delete', '--release', 'sandbox', '--namespace', 'sandbox', '--on-down',
                               'uninstall'], self.env(image=None))
        self.assertEqual(res.returncode, 0, res.stderr)


class HelmVersions(ApplyBase):
    def helm_version(self):
        return subprocess.run([HELM, 'version', '--template', '{{.Version}}'], capture_output=True, text=True).stdout

    def test_pin_match_runs_without_a_warning_and_other_versions_warn(self):
        version = self.helm_version()
        res = self.apply(AMEIDE_HELM_VERSION=version)
        self.assertNotIn('is not the pinned', res.stderr)
        res = self.apply(image='registry.localhost:32000/graph:tilt-ddd444')
        self.assertIn(f'helm {version} is not the pinned v3.19.2', res.stderr)

    def test_apply_method_matches_the_helm_major(self):
        self.apply()
        helm_writes = [r for r in self.c.requests()
                       if r['method'] in ('PATCH', 'POST', 'PUT') and (r.get('user_agent') or '').lower().startswith('helm')
                       and '/secrets' not in r['path']]
        self.assertTrue(helm_writes, 'helm wrote nothing')
        types = {r['content_type'] for r in helm_writes}
        # Helm 3 and Helm 4 (with --server-side=false) both patch client-side: no apply patches.
        self.assertNotIn('application/apply-patch+yaml', types)
        if self.helm_version().startswith('v4'):
            res = self.apply(image='registry.localhost:32000/graph:tilt-eee555')
            self.assertIn('client-side apply (--server-side=false)', res.stderr)

    def test_server_side_on_request(self):
        if self.helm_version().startswith('v3'):
            res = self.apply(expect=2, AMEIDE_HELM_SERVER_SIDE='true')
            self.assertIn('needs Helm 4', res.stderr)
            return
        self.apply(AMEIDE_HELM_SERVER_SIDE='true')
        ssa = [r for r in self.c.requests() if r['content_type'] == 'application/apply-patch+yaml']
        self.assertTrue(ssa, 'AMEIDE_HELM_SERVER_SIDE=true on helm 4 sends no apply patches')
        self.assertEqual(self.image_of(self.snapshot()), 'registry.localhost:32000/graph:tilt-aaa111')


def fake_helm(folder, version):
    """A stand-in that only answers `helm version`, to exercise the refusal rules."""
    path = os.path.join(folder, f'helm-{version}')
    with open(path, 'w') as f:
        f.write(f'#!/bin/sh\necho "{version}"\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


class BeforeTheCluster(ApplyBase):
    """Errors that must come before any request reaches the cluster."""

    def assert_untouched(self, res, *sentences):
        self.assertEqual(res.returncode, 2, res.stderr)
        for s in sentences:
            self.assertIn(s, res.stderr)
        self.assertEqual(len(self.c.requests()), self.requests_before, 'the helper talked to the cluster')

    def setUp(self):
        super().setUp()
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())
        self.requests_before = len(self.c.requests())

    def test_refused_helm_versions_name_the_fix(self):
        for version, sentence in [('v4.0.0', 'install helm v4.1.0 or later'),
                                  ('v4.0.3', 'ignores --server-side=false'),
                                  ('v2.17.0', 'install the pinned helm v3.19.2')]:
            res = self.run_helper(self.apply_argv(), self.env(AMEIDE_HELM_BIN=fake_helm(self.tmp, version)))
            self.assert_untouched(res, f'helm {version}', sentence)

    def test_missing_helm(self):
        res = self.run_helper(self.apply_argv(), self.env(AMEIDE_HELM_BIN='/nonexistent/helm'))
        self.assert_untouched(res, 'helm not found', 'AMEIDE_HELM_BIN')
        env = self.env()
        env.pop('AMEIDE_HELM_BIN')
        env['PATH'] = os.path.dirname(subprocess.run(['which', 'kubectl'], capture_output=True, text=True).stdout)
        res = self.run_helper(self.apply_argv(), env)
        self.assert_untouched(res, 'helm not found on PATH', 'install helm v3.19.2')

    def test_missing_kubectl(self):
        res = self.run_helper(self.apply_argv(), self.env(AMEIDE_KUBECTL='/nonexistent/kubectl'))
        self.assert_untouched(res, 'kubectl not found', 'AMEIDE_KUBECTL')

    def test_missing_chart(self):
        res = self.run_helper(self.apply_argv(chart=os.path.join(self.tmp, 'nochart')), self.env())
        self.assert_untouched(res, 'chart not found: ' + os.path.join(self.tmp, 'nochart'))

    def test_missing_value_file(self):
        missing = os.path.join(REPO, 'values', 'dev', 'apps', 'apps-nope.yaml')
        res = self.run_helper(self.apply_argv(values=[VALUES[0], missing]), self.env())
        self.assert_untouched(res, 'value file not found: ' + missing)

    def test_missing_image_variable(self):
        res = self.run_helper(self.apply_argv(), self.env(image=None))
        self.assert_untouched(res, 'TILT_IMAGE_0 is not set')
        res = self.run_helper(self.apply_argv(), self.env(image='registry.localhost:32000/graph'))
        self.assert_untouched(res, "TILT_IMAGE_0: 'registry.localhost:32000/graph' is not a tagged image reference")


class HelmAppCommands(ApplyBase):
    """The apply and delete commands helm_app declares (tilt_extensions/helm_app/test/Tiltfile),
    run as Tilt would: TILT_IMAGE_0 set, the fixture's kubeconfig context `fixture`."""

    def test_declared_commands_deploy_and_hand_back(self):
        tiltfile = os.path.join(REPO, 'tilt_extensions', 'helm_app', 'test', 'Tiltfile')
        ev = subprocess.run([TILT_EVAL, '--context', 'fixture', '--env', f'AMEIDE_BIN_DIR={BIN}', tiltfile],
                            capture_output=True, text=True, timeout=300)
        self.assertEqual(ev.returncode, 0, ev.stderr)
        graph = next(r for r in json.loads(ev.stdout)['resources'] if r['name'] == RELEASE)
        before = self.snapshot()
        res = self.run_helper(graph['apply_cmd'], self.env(**graph['apply_env']))
        self.assertEqual(res.returncode, 0, res.stderr)
        after = self.snapshot()
        self.assertEqual(self.image_of(after), 'registry.localhost:32000/graph:tilt-aaa111')
        self.assertEqual(after['Deployment']['metadata']['uid'], before['Deployment']['metadata']['uid'])
        self.assertIn('adopted', res.stderr)
        res = self.run_helper(graph['delete_cmd'], self.env(image=None))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.snapshot()['Deployment']['metadata']['uid'], before['Deployment']['metadata']['uid'])


if __name__ == '__main__':
    unittest.main(verbosity=2)
