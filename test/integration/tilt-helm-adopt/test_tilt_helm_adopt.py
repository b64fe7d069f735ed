"""Acceptance tests of tilt-helm-adopt (issue 6) against the API server fixture
(test/cluster/serve) with real kubectl and real helm 3.17.

Objects are created the way Argo CD creates them: `helm template` output applied with
`kubectl apply`, carrying the instance label and an `argocd.argoproj.io/tracking-id`
annotation, no Helm metadata. Writes are counted from the fixture's request log.

Environment: TILT_HELM_ADOPT (the binary), HELM3_BIN, CLUSTER_FIXTURE_DIR (test/cluster).
A missing binary fails the tests; nothing is skipped."""
import base64
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.join(HERE, 'chart')
sys.path.insert(0, os.environ.get('CLUSTER_FIXTURE_DIR', os.path.join(HERE, '..', '..', 'cluster')))
from fixture import cluster  # noqa: E402

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
SECRET_VALUE = 's3cr3t-adopt-token-value'  # chart/values.yaml; must never be printed
SECRET_FORMS = (SECRET_VALUE, base64.b64encode(SECRET_VALUE.encode()).decode())


def executable(var):
    path = os.environ.get(var, '')
    if not (path and os.access(path, os.X_OK)):
        raise AssertionError(f'{var}={path!r} is not an executable; run the tests through ctest')
    return path


ADOPT = executable('TILT_HELM_ADOPT')
HELM = executable('HELM3_BIN')


class Scenario:
    """One release in its own namespace of a shared fixture cluster."""

    def __init__(self, c, release, ns, app_namespace='argocd'):
        self.c, self.release, self.ns, self.app_ns = c, release, ns, app_namespace
        self.c.kubectl('create', 'namespace', ns)
        self.manifest = os.path.join(c.dir, f'{release}-{ns}.yaml')
        out = self.helm('template', release, CHART, '-n', ns).stdout
        with open(self.manifest, 'w') as f:
            f.write(out)

    def helm(self, *args, check=True):
        return self.c.run([HELM, '--kubeconfig', self.c.kubeconfig, *args], check=check)

    def rendered(self):
        """The chart's objects as JSON (kubectl converts the YAML), hooks left out as Argo CD
        runs those itself."""
        res = self.c.kubectl('create', '--dry-run=client', '-o', 'json', '-n', self.ns, '-f', self.manifest)
        items, text, at = [], res.stdout, 0
        decoder = json.JSONDecoder()
        while text[at:].strip():  # one JSON object per document, back to back
            obj, end = decoder.raw_decode(text, len(text) - len(text[at:].lstrip()))
            items.append(obj)
            at = end
        return [o for o in items if 'helm.sh/hook' not in o['metadata'].get('annotations', {})]

    def argo_apply(self):
        """kubectl apply of the rendered chart, each object with Argo CD's tracking id."""
        objs = self.rendered()
        for o in objs:
            group = o['apiVersion'].rpartition('/')[0]
            ns = o['metadata'].get('namespace', self.ns) if o['kind'] != 'ClusterRole' else ''
            o['metadata'].setdefault('annotations', {})['argocd.argoproj.io/tracking-id'] = \
                f'{self.release}:{group}/{o["kind"]}:{ns}/{o["metadata"]["name"]}'
        self.apply(objs)
        return objs

    def apply(self, objs):
        # A stream of JSON documents: the fixture serves no OpenAPI schema for v1 List, which
        # kubectl's validation would look up.
        self.c.kubectl('apply', '-n', self.ns, '-f', '-', input='\n'.join(json.dumps(o) for o in objs))

    def create(self, obj):
        return json.loads(self.c.kubectl('create', '-n', self.ns, '-o', 'json', '-f', '-',
                                         input=json.dumps(obj)).stdout)

    def get(self, kind, name, ns=None):
        args = ['get', kind, name, '-o', 'json']
        if ns != '':
            args += ['-n', ns or self.ns]
        return json.loads(self.c.kubectl(*args).stdout)

    def adopt(self, *args, env=None, expect=0, output='json'):
        """Runs tilt-helm-adopt; returns (report if -o json, completed process, requests it sent)."""
        before = len(self.c.requests())
        argv = [ADOPT, self.release, '--namespace', self.ns, '--kubeconfig', self.c.kubeconfig,
                '-o', output, *args]
        res = subprocess.run(argv, env=env or self.c.env, capture_output=True, text=True, timeout=120)
        sent = self.c.requests()[before:]
        if res.returncode != expect:
            raise AssertionError(f'{" ".join(argv)} exited {res.returncode}, expected {expect}:\n'
                                 f'{res.stdout}\n{res.stderr}')
        for form in SECRET_FORMS:
            assert form not in res.stdout + res.stderr, 'Secret data was printed'
        report = json.loads(res.stdout) if output == 'json' and res.stdout.strip() else None
        return report, res, sent

    def by_name(self, report):
        return {(o['kind'], o['name']): o for o in report['objects']}

    def owned(self, obj):
        md = obj['metadata']
        return (md.get('labels', {}).get('app.kubernetes.io/managed-by') == 'Helm'
                and md.get('annotations', {}).get('meta.helm.sh/release-name') == self.release
                and md.get('annotations', {}).get('meta.helm.sh/release-namespace') == self.ns)


def writes(sent):
    return [f'{q["method"]} {q["path"]}' for q in sent if q['method'] in WRITES]


def controller_children(s, deployment):
    """A ReplicaSet and a Pod as the controllers would make them: the template's labels
    (instance label included) and a controller ownerReference."""
    rs = s.create({'apiVersion': 'apps/v1', 'kind': 'ReplicaSet', 'metadata': {
        'name': f'{deployment["metadata"]["name"]}-5d9c7', 'labels': deployment['spec']['template']['metadata']['labels'],
        'ownerReferences': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': deployment['metadata']['name'],
                             'uid': deployment['metadata']['uid'], 'controller': True,
                             'blockOwnerDeletion': True}]},
        'spec': {'replicas': 1, 'selector': deployment['spec']['selector'], 'template': deployment['spec']['template']}})
    pod = s.create({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {
        'name': f'{rs["metadata"]["name"]}-x2x4p', 'labels': rs['metadata']['labels'],
        'ownerReferences': [{'apiVersion': 'apps/v1', 'kind': 'ReplicaSet', 'name': rs['metadata']['name'],
                             'uid': rs['metadata']['uid'], 'controller': True}]},
        'spec': deployment['spec']['template']['spec']})
    return rs, pod


class ArgoCreatedRelease(unittest.TestCase):
    """The whole story on one release: helm refuses, tilt-helm-adopt adopts exactly the
    release's objects, helm then upgrades them in place; reruns and dry runs write nothing."""

    @classmethod
    def setUpClass(cls):
        cls._cm = cluster('--argocd')
        cls.c = cls._cm.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._cm.__exit__(None, None, None)

    def test_adopt_then_helm_upgrade_install_keeps_uids(self):
        s = Scenario(self.c, 'apps-graph', 'apps')
        objs = s.argo_apply()
        deployment = s.get('deployment', 'apps-graph-api')
        rs, pod = controller_children(s, deployment)
        # Only Argo CD's status.resources names this one: no label, not in the chart.
        extra = s.create({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'apps-graph-argo-only'},
                          'data': {'k': 'v'}})
        resources = [{'group': o['apiVersion'].rpartition('/')[0], 'version': o['apiVersion'].rpartition('/')[2],
                      'kind': o['kind'], 'namespace': '' if o['kind'] == 'ClusterRole' else 'apps',
                      'name': o['metadata']['name']} for o in objs
                     if o['metadata']['name'] != 'apps-graph-unlabelled']  # left to the manifest
        resources.append({'group': '', 'version': 'v1', 'kind': 'ConfigMap', 'namespace': 'apps',
                          'name': 'apps-graph-argo-only'})
        self.c.kubectl('create', '-n', 'argocd', '-f', '-', input=json.dumps({
            'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application', 'metadata': {'name': 'apps-graph'},
            'spec': {'project': 'default', 'destination': {'namespace': 'apps'}},
            'status': {'resources': resources}}))
        kinds = {(o['kind'], o['metadata']['name']): ('' if o['kind'] == 'ClusterRole' else None) for o in objs}
        uids = {k: s.get(k[0], k[1], ns)['metadata']['uid'] for k, ns in kinds.items()}

        refused = s.helm('upgrade', '--install', 'apps-graph', CHART, '-n', 'apps', check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('invalid ownership metadata', refused.stderr)

        # Helm 3 on PATH: `auto` leaves managedFields alone.
        env = dict(self.c.env, PATH=os.path.dirname(HELM) + os.pathsep + self.c.env['PATH'])
        report, res, sent = s.adopt('--manifest', s.manifest, '--argocd-app', 'apps-graph', env=env)
        self.assertFalse(report['scrubManagedFields'], res.stderr)
        got = s.by_name(report)
        self.assertEqual(got[('ConfigMap', 'apps-graph-unlabelled')]['source'], 'manifest')
        self.assertEqual(got[('ConfigMap', 'apps-graph-unlabelled')]['action'], 'adopted')
        self.assertEqual(got[('ConfigMap', 'apps-graph-argo-only')]['source'], 'argocd')
        self.assertEqual(got[('ConfigMap', 'apps-graph-argo-only')]['action'], 'adopted')
        self.assertEqual(got[('ConfigMap', 'apps-graph-config')]['source'], 'manifest+argocd+label-scan')
        self.assertEqual(got[('ClusterRole', 'apps-graph-apps-reader')]['namespace'], '')
        self.assertNotIn(('ConfigMap', 'apps-graph-hook'), got)
        self.assertEqual(got[('ReplicaSet', rs['metadata']['name'])]['action'], 'skipped-controlled')
        self.assertEqual(got[('Pod', pod['metadata']['name'])]['action'], 'skipped-controlled')
        self.assertEqual(report['adopted'], len(objs) + 1)
        self.assertEqual(report['conflicts'], 0)
        self.assertGreater(report['typesScanned'], 15)  # discovered, not a fixed list
        # One merge patch per adopted object, nothing else written; children untouched.
        patches = [q for q in sent if q['method'] in WRITES]
        self.assertEqual(len(patches), len(objs) + 1, writes(sent))
        self.assertEqual({q['content_type'] for q in patches}, {'application/merge-patch+json'})
        self.assertFalse([w for w in writes(sent) if '/replicasets/' in w or '/pods/' in w])
        self.assertEqual(s.get('replicaset', rs['metadata']['name'])['metadata']['resourceVersion'],
                         rs['metadata']['resourceVersion'])
        self.assertEqual(s.get('pod', pod['metadata']['name'])['metadata']['resourceVersion'],
                         pod['metadata']['resourceVersion'])
        for (kind, name), ns in kinds.items():
            self.assertTrue(s.owned(s.get(kind, name, ns)), f'{kind} {name} not adopted')
        self.assertTrue(s.owned(s.get('configmap', 'apps-graph-argo-only')))
        # The cluster-scoped object carries the release namespace too.
        role = s.get('clusterrole', 'apps-graph-apps-reader', '')
        self.assertEqual(role['metadata']['annotations']['meta.helm.sh/release-namespace'], 'apps')
        # Argo CD's own metadata is kept.
        self.assertIn('argocd.argoproj.io/tracking-id', s.get('deployment', 'apps-graph-api')['metadata']['annotations'])

        s.helm('upgrade', '--install', 'apps-graph', CHART, '-n', 'apps', '--set', 'image=registry.example/graph:2.0')
        for (kind, name), ns in kinds.items():
            self.assertEqual(s.get(kind, name, ns)['metadata']['uid'], uids[(kind, name)],
                             f'{kind} {name} was recreated, not adopted')
        self.assertEqual(s.get('deployment', 'apps-graph-api')['spec']['template']['spec']['containers'][0]['image'],
                         'registry.example/graph:2.0')
        self.assertEqual(extra['metadata']['uid'], s.get('configmap', 'apps-graph-argo-only')['metadata']['uid'])

        # Second run, and a dry run: reads only.
        for flags in ([], ['--dry-run']):
            report, res, sent = s.adopt('--manifest', s.manifest, '--argocd-app', 'apps-graph', *flags, env=env)
            self.assertEqual(writes(sent), [], flags)
            self.assertEqual(report['adopted'] + report['wouldAdopt'], 0, flags)
            self.assertEqual(report['alreadyOwned'], len(objs) + 1, flags)
            self.assertGreater(len(sent), 15)  # it did look

    def test_dry_run_on_unadopted_objects_writes_nothing_and_says_what_it_would_do(self):
        s = Scenario(self.c, 'apps-dry', 'dry')
        objs = s.argo_apply()
        report, res, sent = s.adopt('--manifest', s.manifest, '--dry-run', '--log-level', 'debug')
        self.assertIn('GET /api/v1/namespaces/dry/secrets', res.stderr)  # debug logs requests, not bodies
        self.assertEqual(writes(sent), [])
        self.assertEqual(report['wouldAdopt'], len(objs))
        self.assertEqual(report['adopted'], 0)
        entry = s.by_name(report)[('Deployment', 'apps-dry-api')]
        self.assertEqual(entry['action'], 'would-adopt')
        self.assertIn('meta.helm.sh/release-name=apps-dry', entry['message'])
        self.assertFalse(s.owned(s.get('deployment', 'apps-dry-api')))
        text = subprocess.run([ADOPT, 'apps-dry', '-n', 'dry', '--kubeconfig', self.c.kubeconfig, '--dry-run'],
                              env=self.c.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn('dry run: nothing written', text.stdout)
        self.assertIn('would adopt: 5', text.stdout)  # label scan alone: no unlabelled or cluster-scoped one

    def test_another_release_object_is_not_taken_unless_forced(self):
        s = Scenario(self.c, 'apps-mine', 'mine')
        s.argo_apply()
        theirs = s.create({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {
            'name': 'shared-config', 'labels': {'app.kubernetes.io/instance': 'apps-mine',
                                                'app.kubernetes.io/managed-by': 'Helm'},
            'annotations': {'meta.helm.sh/release-name': 'apps-theirs', 'meta.helm.sh/release-namespace': 'mine'}}})
        report, res, sent = s.adopt('--manifest', s.manifest, expect=1)
        entry = s.by_name(report)[('ConfigMap', 'shared-config')]
        self.assertEqual(entry['action'], 'conflict')
        self.assertIn('apps-theirs', entry['message'])
        self.assertEqual(report['conflicts'], 1)
        self.assertEqual(report['adopted'], 7)  # the rest is done
        self.assertFalse([w for w in writes(sent) if w.endswith('/shared-config')])
        self.assertEqual(s.get('configmap', 'shared-config')['metadata']['resourceVersion'],
                         theirs['metadata']['resourceVersion'])
        text = subprocess.run([ADOPT, 'apps-mine', '-n', 'mine', '--kubeconfig', self.c.kubeconfig],
                              env=self.c.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(text.returncode, 1)
        self.assertIn('conflict      ConfigMap mine/shared-config', text.stdout)

        report, res, sent = s.adopt('--force')
        self.assertEqual(s.by_name(report)[('ConfigMap', 'shared-config')]['action'], 'adopted')
        self.assertTrue(s.owned(s.get('configmap', 'shared-config')))
        self.assertEqual(len(writes(sent)), 1)

    def test_scrub_managed_fields(self):
        s = Scenario(self.c, 'apps-scrub', 'scrub')
        s.argo_apply()
        path = '/api/v1/namespaces/scrub/configmaps/apps-scrub-config'  # kubectl hides managedFields
        self.assertTrue(self.c.call('GET', path)[1]['metadata'].get('managedFields'))
        never, _, _ = s.adopt('--scrub-managed-fields', 'never', '--dry-run')
        self.assertFalse(never['scrubManagedFields'])
        # Helm 4 on PATH: auto resets managedFields with the ownership patch.
        helm4 = os.environ.get('HELM4_BIN', '')
        if helm4:
            env = dict(self.c.env, PATH=os.path.dirname(helm4) + os.pathsep + self.c.env['PATH'])
            report, res, sent = s.adopt('--dry-run', env=env)
            self.assertTrue(report['scrubManagedFields'], res.stderr)
            self.assertIn('v4.1.4', res.stderr)
        report, res, sent = s.adopt('--scrub-managed-fields', 'always')
        self.assertTrue(report['scrubManagedFields'])
        cm = self.c.call('GET', path)[1]
        self.assertTrue(s.owned(cm))
        self.assertNotIn('managedFields', cm['metadata'])

    def test_prune_duplicates(self):
        s = Scenario(self.c, 'apps-dup', 'dup')
        s.argo_apply()
        old = json.loads(json.dumps(s.get('deployment', 'apps-dup-api')))
        leftover = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {
            'name': 'apps-dup-api-v1', 'labels': old['metadata']['labels']}, 'spec': old['spec']}
        s.create(leftover)
        report, res, sent = s.adopt('--manifest', s.manifest, '--prune-duplicates', '--dry-run')
        self.assertEqual(s.by_name(report)[('Deployment', 'apps-dup-api-v1')]['action'], 'would-prune')
        self.assertEqual(writes(sent), [])
        report, res, sent = s.adopt('--manifest', s.manifest)  # without the flag: listed, kept
        self.assertTrue(s.by_name(report)[('Deployment', 'apps-dup-api-v1')]['duplicate'])
        self.assertEqual(s.get('deployment', 'apps-dup-api-v1')['metadata']['name'], 'apps-dup-api-v1')
        report, res, sent = s.adopt('--manifest', s.manifest, '--prune-duplicates', output='text')
        self.assertIn('pruned', res.stdout + res.stderr)
        self.assertIn('Deployment dup/apps-dup-api-v1', res.stdout)
        self.assertEqual(writes(sent), ['DELETE /apis/apps/v1/namespaces/dup/deployments/apps-dup-api-v1'])
        gone = s.c.kubectl('get', 'deployment', 'apps-dup-api-v1', '-n', 'dup', check=False)
        self.assertIn('NotFound', gone.stderr)


class ForbiddenType(unittest.TestCase):
    def test_forbidden_type_is_skipped_with_a_warning(self):
        with cluster('--extra-types', '3', '--forbid', 'extra1s.scale.example.com') as c:
            s = Scenario(c, 'apps-f', 'f')
            objs = s.argo_apply()
            s.create({'apiVersion': 'scale.example.com/v1', 'kind': 'Extra0', 'metadata': {
                'name': 'seen', 'labels': {'app.kubernetes.io/instance': 'apps-f'}}})
            report, res, sent = s.adopt()
            self.assertIn('extra1s.scale.example.com', res.stderr)
            self.assertIn('[warning]', res.stderr)
            self.assertEqual([(t['type'], t['forbidden']) for t in report['skippedTypes']],
                             [('extra1s.scale.example.com', True)])
            # The label scan finds the five labelled namespaced objects of the chart, and Extra0.
            self.assertEqual(report['adopted'], 5 + 1)
            self.assertEqual(s.by_name(report)[('Extra0', 'seen')]['action'], 'adopted')


class InjectedFailure(unittest.TestCase):
    def test_failed_patch_exits_1_naming_the_object_and_a_rerun_completes(self):
        with cluster('--fail', 'services:patch:1.0') as c:
            s = Scenario(c, 'apps-x', 'x')
            objs = s.argo_apply()
            report, res, sent = s.adopt('--manifest', s.manifest, output='text', expect=1)
            self.assertRegex(res.stdout, r'failed +Service x/apps-x .*(InternalError|ServiceUnavailable)')
            self.assertIn('Service x/apps-x', res.stderr)
            self.assertIn('rerun', res.stdout)
            self.assertFalse(s.owned(s.get('service', 'apps-x')))
            others = [o for o in objs if o['kind'] != 'Service']
            for o in others:
                ns = '' if o['kind'] == 'ClusterRole' else None
                self.assertTrue(s.owned(s.get(o['kind'], o['metadata']['name'], ns)), o['metadata']['name'])
            state = self.state_of(c, s)
            with open(s.manifest) as f:
                manifest = f.read()
        # The same objects on a server that no longer fails: the rerun finishes the work.
        with tempfile.TemporaryDirectory() as d:
            for name, text in (('state.yaml', state), ('manifest.yaml', manifest)):
                with open(os.path.join(d, name), 'w') as f:
                    f.write(text)
            with cluster('--state', os.path.join(d, 'state.yaml')) as c2:
                s2 = Scenario.__new__(Scenario)
                s2.c, s2.release, s2.ns = c2, 'apps-x', 'x'
                report, res, sent = s2.adopt('--manifest', os.path.join(d, 'manifest.yaml'))
                self.assertEqual(writes(sent), ['PATCH /api/v1/namespaces/x/services/apps-x'])
                self.assertEqual(report['alreadyOwned'], len(others))
                self.assertTrue(s2.owned(s2.get('service', 'apps-x')))

    @staticmethod
    def state_of(c, s):
        """The scenario's objects as a --state stream (one JSON document each)."""
        docs = [{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': s.ns}}]
        for kind, ns_args in (('configmaps,secrets,serviceaccounts,services,deployments', ['-n', s.ns]),
                              ('clusterroles', [])):
            for o in json.loads(c.kubectl('get', kind, *ns_args, '-o', 'json').stdout)['items']:
                for k in ('resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation'):
                    o['metadata'].pop(k, None)
                docs.append(o)
        return '\n---\n'.join(json.dumps(d) for d in docs) + '\n'


class Environment(unittest.TestCase):
    def test_unreachable_cluster_exits_2_with_the_reason(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, 'kubeconfig')
            with open(cfg, 'w') as f:
                f.write('apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n'
                        '    server: http://127.0.0.1:9\nusers:\n- name: u\n  user: {}\n'
                        'contexts:\n- name: gone\n  context: {cluster: gone, user: u}\ncurrent-context: gone\n')
            env = dict(os.environ, HOME=d)
            res = subprocess.run([ADOPT, 'apps-graph', '-n', 'apps', '--kubeconfig', cfg], env=env,
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn('cannot reach the cluster', res.stderr)
            res = subprocess.run([ADOPT, 'apps-graph', '-n', 'apps', '--kubeconfig', cfg, '--context', 'nope'],
                                 env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn('nope', res.stderr)

    def test_missing_application_exits_2_before_any_write(self):
        with cluster('--argocd') as c:
            s = Scenario(c, 'apps-m', 'm')
            s.argo_apply()
            report, res, sent = s.adopt('--argocd-app', 'apps-missing', expect=2)
            self.assertIn('Application argocd/apps-missing not found', res.stderr)
            self.assertEqual(writes(sent), [])


if __name__ == '__main__':
    unittest.main()
