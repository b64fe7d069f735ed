"""API semantics of the fixture: conflicts, RBAC-like 403s, fault injection, latency,
concurrency, state/dump, managedFields, Argo CD and extra types, unimplemented calls."""
import concurrent.futures
import json
import os
import signal
import tempfile
import textwrap
import time
import unittest

from fixture import cluster

CM = '/api/v1/namespaces/default/configmaps'


def configmap(name, **data):
    return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name}, 'data': data}


class ConflictsAndStatusTest(unittest.TestCase):
    def test_stale_resource_version_is_409_conflict(self):
        with cluster() as c:
            status, created = c.call('POST', CM, configmap('rv', a='1'))
            self.assertEqual(status, 201)
            md = created['metadata']
            self.assertTrue(md['uid'] and md['creationTimestamp'] and md['generation'] == 1)
            stale = created
            status, updated = c.call('PUT', f'{CM}/rv', dict(created, data={'a': '2'}))
            self.assertEqual(status, 200)
            self.assertNotEqual(updated['metadata']['resourceVersion'], md['resourceVersion'])
            for method, body, ctype in [
                    ('PUT', dict(stale, data={'a': '3'}), 'application/json'),
                    ('PATCH', {'metadata': {'resourceVersion': md['resourceVersion']}, 'data': {'a': '4'}},
                     'application/merge-patch+json')]:
                status, err = c.call(method, f'{CM}/rv', body, ctype)
                self.assertEqual(status, 409, err)
                self.assertEqual((err['kind'], err['reason'], err['code']), ('Status', 'Conflict', 409))
                self.assertIn('the object has been modified', err['message'])
            # kubectl replace with the stale object fails the same way
            with tempfile.NamedTemporaryFile('w', suffix='.json') as f:
                json.dump(stale, f)
                f.flush()
                res = c.kubectl('replace', '-f', f.name, check=False)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('the object has been modified', res.stderr)
            status, err = c.call('POST', CM, configmap('rv'))
            self.assertEqual((status, err['reason']), (409, 'AlreadyExists'))
            status, err = c.call('GET', f'{CM}/missing')
            self.assertEqual((status, err['reason'], err['details']['name']), (404, 'NotFound', 'missing'))

    def test_unimplemented_answers_405_or_501(self):
        with cluster() as c:
            c.call('POST', '/apis/apps/v1/namespaces/default/deployments',
                   {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'd'}, 'spec': {}})
            status, err = c.call('GET', '/apis/apps/v1/namespaces/default/deployments/d/scale')
            self.assertEqual((status, err['reason']), (501, 'NotImplemented'))
            status, err = c.call('PATCH', f'{CM}/x', {'a': 1}, 'application/x-unknown-patch')
            self.assertEqual(status, 415)
            status, err = c.call('OPTIONS', CM)
            self.assertEqual((status, err['reason']), (405, 'MethodNotAllowed'))
            status, err = c.call('GET', f'{CM}?fieldSelector=data.a%3D1')
            self.assertEqual((status, err['reason']), (400, 'BadRequest'))


class PolicyTest(unittest.TestCase):
    def test_forbid_answers_403_as_rbac_would(self):
        with cluster('--forbid', 'secrets,deployments.apps') as c:
            res = c.kubectl('get', 'secrets', check=False)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('Forbidden', res.stderr)
            self.assertIn('cannot list resource "secrets"', res.stderr)
            status, err = c.call('GET', '/apis/apps/v1/namespaces/default/deployments/x')
            self.assertEqual((status, err['reason'], err['code']), (403, 'Forbidden', 403))
            status, _ = c.call('PATCH', '/api/v1/namespaces/default/secrets/x', {}, 'application/merge-patch+json')
            self.assertEqual(status, 403)
            self.assertEqual(c.call('GET', CM)[0], 200)  # other types are untouched

    def test_fail_injects_500s_deterministically(self):
        def run(seed):
            with cluster('--fail', 'configmaps:list:0.5', '--seed', str(seed)) as c:
                codes = [c.call('GET', CM)[0] for _ in range(40)]
                self.assertEqual(c.call('GET', f'{CM}/none')[0], 404)  # only list fails
                return codes, c
        codes, c = run(7)
        self.assertTrue(set(codes) <= {200, 500, 503}, codes)
        self.assertIn(500, codes)
        self.assertIn(200, codes)
        self.assertTrue(5 < codes.count(200) < 35, codes)
        self.assertEqual(run(7)[0], codes)
        self.assertNotEqual(run(8)[0], codes)
        with cluster('--fail', 'configmaps:get:1') as c:
            res = c.kubectl('get', 'configmap', 'x', check=False)
            self.assertRegex(res.stderr, r'InternalError|ServiceUnavailable|injected failure')


    def test_stall_carries_out_the_nth_request_and_holds_its_answer(self):
        import socket
        import urllib.request
        with cluster('--stall', 'configmaps:create:2') as c:
            self.assertEqual(c.call('POST', CM, configmap('one'))[0], 201)
            req = urllib.request.Request(c.url + CM, data=json.dumps(configmap('two')).encode(), method='POST',
                                         headers={'Content-Type': 'application/json'})
            with self.assertRaises((socket.timeout, TimeoutError)):
                urllib.request.urlopen(req, timeout=1.5)
            self.assertEqual(c.call('GET', f'{CM}/two')[0], 200)  # carried out all the same
            self.assertIn(('POST', 201), [(r['method'], r['status']) for r in c.requests()][1:2])
            self.assertEqual(c.call('POST', CM, configmap('three'))[0], 201)  # only the second is held
            self.assertEqual(c.stop(), 0)


class LatencyAndConcurrencyTest(unittest.TestCase):
    def test_latency_visible_in_request_log(self):
        with cluster('--latency-ms', '150') as c:
            c.kubectl('get', 'configmaps')
            c.call('POST', CM + '?fieldManager=latency-test', configmap('lat'))
            log = c.requests()
            self.assertTrue(all(r['ms'] >= 150 for r in log), log)
            post = [r for r in log if r['method'] == 'POST'][0]
            self.assertEqual((post['path'], post['query'], post['content_type'], post['field_manager'],
                              post['status']), (CM, 'fieldManager=latency-test', 'application/json',
                                                'latency-test', 201))

    def test_20_concurrent_clients_are_not_serialised(self):
        with cluster('--latency-ms', '200') as c:
            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(20) as pool:
                codes = list(pool.map(lambda i: c.call('POST', CM, configmap(f'c{i}'))[0], range(20)))
            elapsed = time.monotonic() - start
            self.assertEqual(codes, [201] * 20)
            # serialised, 20 requests would take 4 s; parallel ones take ~0.2 s plus overhead
            self.assertLess(elapsed, 1.5, f'20 requests took {elapsed:.2f}s')
            self.assertEqual(len(c.call('GET', CM)[1]['items']), 20)


class StateDumpSignalTest(unittest.TestCase):
    def test_state_loaded_and_dumped_on_sigterm_and_sigint(self):
        state = textwrap.dedent("""\
            # objects the fixture starts with
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: seeded
              namespace: team
              labels:
                app.kubernetes.io/managed-by: Helm
              annotations:
                meta.helm.sh/release-name: "seed"
            data:
              script: |
                echo one
                echo two
              port: "8080"
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: guestbook
              namespace: argocd
            spec:
              project: default
              destination: {server: https://kubernetes.default.svc, namespace: guestbook}
              syncPolicy:
                automated: {prune: true, selfHeal: true}
            status:
              sync: {status: Synced}
            """)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'state.yaml')
            with open(path, 'w') as f:
                f.write(state)
            for sig in (signal.SIGTERM, signal.SIGINT):
                with cluster('--argocd', '--state', path) as c:
                    cm = json.loads(c.kubectl('get', 'cm', 'seeded', '-n', 'team', '-o', 'json').stdout)
                    self.assertEqual(cm['data'], {'script': 'echo one\necho two\n', 'port': '8080'})
                    app = json.loads(c.kubectl('get', 'applications', 'guestbook', '-n', 'argocd',
                                               '-o', 'json').stdout)
                    self.assertEqual(app['status']['sync']['status'], 'Synced')
                    c.kubectl('create', 'configmap', f'added-{int(sig)}', '-n', 'team')
                    uid = cm['metadata']['uid']
                    self.assertEqual(c.stop(sig), 0)
                    with open(c.dump_file) as f:
                        dumped = f.read()
                # the dump is a YAML stream serve loads back
                with open(path, 'w') as f:
                    f.write(dumped)
                with cluster('--argocd', '--state', path) as c2:
                    self.assertEqual(c2.call('GET', f'/api/v1/namespaces/team/configmaps/added-{int(sig)}')[0], 200)
                    seeded = c2.call('GET', '/api/v1/namespaces/team/configmaps/seeded')[1]
                    self.assertEqual(seeded['data'], {'script': 'echo one\necho two\n', 'port': '8080'})
                    self.assertEqual(seeded['metadata']['uid'], uid)


class ManagedFieldsTest(unittest.TestCase):
    def test_managed_fields_per_manager_and_reset(self):
        with cluster() as c:
            c.call('POST', CM + '?fieldManager=alpha', configmap('mf', a='1'))
            c.call('PATCH', f'{CM}/mf?fieldManager=beta', {'data': {'b': '2'}}, 'application/merge-patch+json')
            _, obj = c.call('GET', f'{CM}/mf')
            by = {m['manager']: m for m in obj['metadata']['managedFields']}
            self.assertEqual(set(by), {'alpha', 'beta'})
            self.assertEqual(by['alpha']['fieldsV1']['f:data'], {'f:a': {}})
            self.assertEqual(by['beta']['fieldsV1']['f:data'], {'f:b': {}})
            self.assertEqual(by['beta']['operation'], 'Update')
            # an empty list changes nothing, [{}] resets
            c.call('PATCH', f'{CM}/mf', {'metadata': {'managedFields': []}}, 'application/merge-patch+json')
            _, obj = c.call('GET', f'{CM}/mf')
            self.assertEqual(len(obj['metadata']['managedFields']), 2)
            c.call('PATCH', f'{CM}/mf', {'metadata': {'managedFields': [{}]}}, 'application/merge-patch+json')
            _, obj = c.call('GET', f'{CM}/mf')
            self.assertNotIn('managedFields', obj['metadata'])
            self.assertEqual(obj['data'], {'a': '1', 'b': '2'})

    def test_owner_references_stored_and_strategic_directives(self):
        with cluster() as c:
            owner = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'name': 'o', 'uid': 'u-1', 'controller': True}
            body = configmap('owned')
            body['metadata']['ownerReferences'] = [owner]
            body['metadata']['finalizers'] = ['x/one']
            c.call('POST', CM, body)
            smp = 'application/strategic-merge-patch+json'
            c.call('PATCH', f'{CM}/owned', {'metadata': {
                'ownerReferences': [{'apiVersion': 'v1', 'kind': 'ConfigMap', 'name': 'p', 'uid': 'u-2'}],
                'finalizers': ['x/two'],
                '$setElementOrder/ownerReferences': [{'uid': 'u-2'}, {'uid': 'u-1'}]}}, smp)
            _, obj = c.call('GET', f'{CM}/owned')
            self.assertEqual([r['uid'] for r in obj['metadata']['ownerReferences']], ['u-2', 'u-1'])
            self.assertEqual(obj['metadata']['finalizers'], ['x/one', 'x/two'])
            c.call('PATCH', f'{CM}/owned', {'metadata': {'ownerReferences': [{'uid': 'u-1', '$patch': 'delete'}],
                                                         '$deleteFromPrimitiveList/finalizers': ['x/one']}}, smp)
            _, obj = c.call('GET', f'{CM}/owned')
            self.assertEqual([r['uid'] for r in obj['metadata']['ownerReferences']], ['u-2'])
            self.assertEqual(obj['metadata']['finalizers'], ['x/two'])
            c.call('PATCH', f'{CM}/owned', {'data': {'$patch': 'replace', 'only': 'this'}}, smp)
            c.call('PATCH', f'{CM}/owned', {'metadata': {'labels': {'a': 'b', 'c': 'd'}}}, smp)
            c.call('PATCH', f'{CM}/owned', {'metadata': {'$retainKeys': ['name', 'labels'], 'labels': {'c': None}}}, smp)
            _, obj = c.call('GET', f'{CM}/owned')
            self.assertEqual(obj['data'], {'only': 'this'})
            self.assertEqual(obj['metadata']['labels'], {'a': 'b'})


class FinalizerTest(unittest.TestCase):
    def test_finalizers_hold_deletion_until_removed(self):
        with cluster() as c:
            body = configmap('held')
            body['metadata']['finalizers'] = ['example.com/hold']
            c.call('POST', CM, body)
            status, obj = c.call('DELETE', f'{CM}/held')
            self.assertEqual(status, 200)
            self.assertIn('deletionTimestamp', obj['metadata'])
            self.assertEqual(c.call('GET', f'{CM}/held')[0], 200)
            c.call('PATCH', f'{CM}/held', {'metadata': {'finalizers': None}}, 'application/merge-patch+json')
            self.assertEqual(c.call('GET', f'{CM}/held')[0], 404)


class CustomTypesTest(unittest.TestCase):
    def test_argocd_and_extra_types(self):
        with cluster('--argocd', '--extra-types', '3') as c:
            self.assertEqual(c.call('GET', '/api/v1/namespaces/argocd')[0], 200)
            names = c.kubectl('api-resources', '-o', 'name').stdout.split()
            for n in ('applications.argoproj.io', 'applicationsets.argoproj.io',
                      'extra0s.scale.example.com', 'extra2s.scale.example.com'):
                self.assertIn(n, names)
            app = textwrap.dedent("""\
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {name: web, namespace: argocd}
                spec:
                  project: default
                  destination: {server: https://kubernetes.default.svc, namespace: web}
                  syncPolicy: {automated: {prune: true}}
                """)
            c.kubectl('apply', '-f', '-', input=app)
            c.kubectl('patch', 'applications', 'web', '-n', 'argocd', '--type', 'merge',
                      '-p', '{"status":{"sync":{"status":"OutOfSync"}},"spec":{"syncPolicy":{"automated":null}}}')
            got = json.loads(c.kubectl('get', 'app', 'web', '-n', 'argocd', '-o', 'json').stdout)
            self.assertEqual(got['status']['sync']['status'], 'OutOfSync')
            self.assertNotIn('automated', got['spec']['syncPolicy'])
            res = c.kubectl('patch', 'applications', 'web', '-n', 'argocd', '-p', '{"spec":{}}', check=False)
            # as for real custom resources, strategic merge is refused with 415
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('application/strategic-merge-patch+json is not supported', res.stderr)
            c.kubectl('apply', '-f', '-', input='apiVersion: scale.example.com/v1\nkind: Extra1\n'
                                                'metadata: {name: e}\nspec: {n: 1}\n')
            self.assertEqual(c.kubectl('get', 'extra1s', '-o', 'name').stdout.strip(), 'extra1.scale.example.com/e')

    def test_crd_created_through_the_api_is_served(self):
        with cluster() as c:
            crd = textwrap.dedent("""\
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.demo.example.com}
                spec:
                  group: demo.example.com
                  scope: Namespaced
                  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
                """)
            c.kubectl('apply', '-f', '-', input=crd)
            c.kubectl('apply', '-f', '-', input='apiVersion: demo.example.com/v1\nkind: Widget\n'
                                                'metadata: {name: w1}\nspec: {size: 2}\n')
            self.assertEqual(c.kubectl('get', 'widgets', '-o', 'name').stdout.strip(), 'widget.demo.example.com/w1')


if __name__ == '__main__':
    unittest.main()
