"""Real kubectl (1.32, picked by the dispatcher from the reported server version) against the
fixture."""
import json
import os
import re
import subprocess
import tempfile
import textwrap
import time
import unittest
import urllib.request

from fixture import cluster

MANIFEST = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web, tier: front}
    spec:
      replicas: 1
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:IMAGE
            env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web-config
      labels: {app: web}
    data:
      DATAKEY: "1"
    """)


class KubectlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._cm = cluster()
        cls.c = cls._cm.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._cm.__exit__(None, None, None)

    def get(self, *args):
        return json.loads(self.c.kubectl('get', *args, '-o', 'json').stdout)

    def test_version_selects_kubectl_132(self):
        out = self.c.kubectl('version', '-o', 'json').stdout
        self.assertEqual(json.loads(out)['serverVersion']['gitVersion'], 'v1.32.4')
        agents = {r['user_agent'] for r in self.c.requests()}
        self.assertTrue(any(a.startswith('kubectl/v1.32') for a in agents), agents)

    def test_create_get_label_selectors_and_all_namespaces(self):
        self.c.kubectl('create', 'namespace', 'sel')
        self.c.kubectl('create', 'configmap', 'one', '-n', 'sel', '--from-literal=k=v')
        self.c.kubectl('create', 'configmap', 'two', '-n', 'sel')
        self.c.kubectl('create', 'configmap', 'three', '--namespace', 'default')
        self.c.kubectl('label', 'configmap', 'one', '-n', 'sel', 'tier=a')
        self.c.kubectl('label', 'configmap', 'two', '-n', 'sel', 'tier=b')
        self.c.kubectl('label', 'configmap', 'three', 'tier=a')
        res = self.c.kubectl('create', 'configmap', 'one', '-n', 'sel', check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('configmaps "one" already exists', res.stderr)

        def names(*args):
            return sorted(i['metadata']['name'] for i in self.get('configmaps', *args)['items'])
        self.assertEqual(names('-n', 'sel', '-l', 'tier=a'), ['one'])
        self.assertEqual(names('-A', '-l', 'tier=a'), ['one', 'three'])
        self.assertEqual(names('-A', '-l', 'tier in (a,b)'), ['one', 'three', 'two'])
        self.assertEqual(names('-n', 'sel', '-l', 'tier notin (a)'), ['two'])
        self.assertEqual(names('-n', 'sel', '-l', '!tier'), [])
        self.assertEqual(names('-A', '-l', 'tier!=a'), ['two'])
        self.assertEqual(names('-A', '--field-selector', 'metadata.name=two'), ['two'])
        self.assertEqual(names('-A', '-l', 'tier', '--field-selector', 'metadata.namespace=default'),
                         ['three'])
        table = self.c.kubectl('get', 'configmaps', '-A', '-l', 'tier=a').stdout
        self.assertRegex(table, r'(?m)^NAMESPACE\s+NAME')
        self.assertRegex(table, r'(?m)^sel\s+one\b')
        # pagination: kubectl asks with limit and follows continue tokens
        self.c.kubectl('get', 'configmaps', '-A', '--chunk-size', '1', '-o', 'name')
        pages = [r for r in self.c.requests() if 'limit=1' in r['query']]
        self.assertGreaterEqual(len(pages), 3, pages)
        self.assertTrue(any('continue=' in r['query'] for r in pages))

    def test_apply_twice_then_patch_label_annotate_delete(self):
        with tempfile.NamedTemporaryFile('w', suffix='.yaml') as f:
            f.write(MANIFEST.replace('IMAGE', '1'))
            f.flush()
            out = self.c.kubectl('apply', '-f', f.name).stdout
            self.assertIn('deployment.apps/web created', out)
            f.seek(0)
            f.truncate()
            f.write(MANIFEST.replace('IMAGE', '2').replace('        - {name: B, value: "2"}\n', '')
                    .replace('DATAKEY', 'OTHER'))
            f.flush()
            out = self.c.kubectl('apply', '-f', f.name).stdout
            self.assertIn('deployment.apps/web configured', out)
        d = self.get('deployment', 'web')
        container = d['spec']['template']['spec']['containers'][0]
        self.assertEqual(container['image'], 'nginx:2')
        self.assertEqual(container['env'], [{'name': 'A', 'value': '1'}])  # B pruned by the 3-way patch
        self.assertEqual(d['metadata']['generation'], 2)
        self.assertEqual(self.get('configmap', 'web-config')['data'], {'OTHER': '1'})
        patch_types = {r['content_type'] for r in self.c.requests() if r['method'] == 'PATCH'}
        self.assertIn('application/strategic-merge-patch+json', patch_types)

        rv = d['metadata']['resourceVersion']
        self.c.kubectl('patch', 'deployment', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":3}}')
        d = self.get('deployment', 'web')
        self.assertEqual(d['spec']['replicas'], 3)
        self.assertNotEqual(d['metadata']['resourceVersion'], rv)
        self.c.kubectl('patch', 'deployment', 'web', '--type', 'json',
                       '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:3"},'
                       '{"op":"add","path":"/metadata/labels/patched","value":"yes"}]')
        d = self.get('deployment', 'web')
        self.assertEqual(d['spec']['template']['spec']['containers'][0]['image'], 'nginx:3')
        self.assertEqual(d['metadata']['labels']['patched'], 'yes')
        self.c.kubectl('patch', 'deployment', 'web', '-p',
                       '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:4"}]}}}}')
        d = self.get('deployment', 'web')
        self.assertEqual(d['spec']['template']['spec']['containers'][0]['image'], 'nginx:4')
        self.assertEqual(d['spec']['template']['spec']['containers'][0]['env'], [{'name': 'A', 'value': '1'}])

        self.c.kubectl('label', 'deployment', 'web', 'team=x')
        self.c.kubectl('annotate', 'deployment', 'web', 'note=hello')
        md = self.get('deployment', 'web')['metadata']
        self.assertEqual(md['labels']['team'], 'x')
        self.assertEqual(md['annotations']['note'], 'hello')
        self.c.kubectl('label', 'deployment', 'web', 'team-')
        self.assertNotIn('team', self.get('deployment', 'web')['metadata']['labels'])
        managers = {r['field_manager'] for r in self.c.requests() if r['method'] == 'PATCH'}
        self.assertTrue({'kubectl-client-side-apply', 'kubectl-patch', 'kubectl-label',
                         'kubectl-annotate'} <= managers, managers)

        self.c.kubectl('delete', 'deployment', 'web')
        self.c.kubectl('delete', '-f', '-', input=MANIFEST.split('---\n')[1])
        res = self.c.kubectl('get', 'deployment', 'web', check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('NotFound', res.stderr)

    def test_server_side_apply(self):
        cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n  b: "2"\n'
        self.c.kubectl('apply', '--server-side', '-f', '-', input=cm)
        self.c.kubectl('apply', '--server-side', '-f', '-', input=cm.replace('  b: "2"\n', ''))
        self.assertEqual(self.get('configmap', 'ssa')['data'], {'a': '1'})
        # another manager changing an owned field conflicts unless forced
        res = self.c.kubectl('apply', '--server-side', '--field-manager', 'other', '-f', '-',
                             input=cm.replace('a: "1"', 'a: "9"'), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('conflict', res.stderr.lower())
        self.c.kubectl('apply', '--server-side', '--force-conflicts', '--field-manager', 'other',
                       '-f', '-', input=cm.replace('a: "1"', 'a: "9"'))
        self.assertEqual(self.get('configmap', 'ssa')['data'], {'a': '9', 'b': '2'})

    def test_api_resources(self):
        out = self.c.kubectl('api-resources').stdout
        for line in ('configmaps', 'deployments', 'customresourcedefinitions', 'leases',
                     'horizontalpodautoscalers', 'poddisruptionbudgets', 'clusterrolebindings'):
            self.assertRegex(out, rf'(?m)^{line}\s')
        # kubectl took the aggregated discovery answer: no per-group-version GETs
        self.assertFalse([r for r in self.c.requests() if r['path'] == '/apis/apps/v1'])
        self.assertEqual(self.c.call('GET', '/apis')[1]['kind'], 'APIGroupList')  # legacy for plain JSON
        agg = self.c.call('GET', '/apis', headers={
            'Accept': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'})[1]
        self.assertEqual(agg['kind'], 'APIGroupDiscoveryList')
        self.assertIn('deployments', [r['resource'] for g in agg['items'] if g['metadata']['name'] == 'apps'
                                      for r in g['versions'][0]['resources']])
        namespaced = self.c.kubectl('api-resources', '--namespaced=true', '--verbs=list', '-o', 'name').stdout
        self.assertIn('secrets', namespaced.split())
        self.assertNotIn('namespaces', namespaced.split())

    def test_kubectl_proxy_in_front(self):
        proxy = subprocess.Popen(['kubectl', '--kubeconfig', self.c.kubeconfig, 'proxy', '--port=0'],
                                 env=self.c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proxy.stdout.readline()
            port = int(re.search(r':(\d+)', line).group(1))
            self.c.kubectl('create', 'configmap', 'via-proxy', '--from-literal=k=v')
            with urllib.request.urlopen(f'http://127.0.0.1:{port}/api/v1/namespaces/default/configmaps/via-proxy',
                                        timeout=10) as r:
                self.assertEqual(json.load(r)['data'], {'k': 'v'})
            req = urllib.request.Request(
                f'http://127.0.0.1:{port}/api/v1/namespaces/default/configmaps/via-proxy?fieldManager=proxy-test',
                data=b'{"data":{"k":"w"}}', method='PATCH',
                headers={'Content-Type': 'application/merge-patch+json'})
            with urllib.request.urlopen(req, timeout=10) as r:
                self.assertEqual(json.load(r)['data'], {'k': 'w'})
            self.assertTrue(any(r['field_manager'] == 'proxy-test' for r in self.c.requests()))
        finally:
            proxy.terminate()
            proxy.communicate(timeout=10)

    def test_namespace_delete_cascades(self):
        self.c.kubectl('create', 'namespace', 'doomed')
        self.c.kubectl('create', 'configmap', 'inside', '-n', 'doomed')
        self.c.kubectl('create', 'serviceaccount', 'inside', '-n', 'doomed')
        self.c.kubectl('delete', 'namespace', 'doomed', '--timeout=20s')
        status, _ = self.c.call('GET', '/api/v1/namespaces/doomed/configmaps/inside')
        self.assertEqual(status, 404)
        res = self.c.kubectl('create', 'configmap', 'late', '-n', 'doomed', check=False)
        self.assertIn('namespaces "doomed" not found', res.stderr)

    def test_wait_and_watch(self):
        self.c.kubectl('create', 'configmap', 'watched')
        watcher = subprocess.Popen(['kubectl', '--kubeconfig', self.c.kubeconfig, 'get', 'configmap',
                                    'watched', '--watch', '-o', 'name', '--request-timeout=20s'],
                                   env=self.c.env, stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(watcher.stdout.readline().strip(), 'configmap/watched')
            time.sleep(0.3)
            self.c.kubectl('label', 'configmap', 'watched', 'seen=yes')
            self.assertEqual(watcher.stdout.readline().strip(), 'configmap/watched')
        finally:
            watcher.terminate()
            watcher.communicate(timeout=10)
        self.c.kubectl('wait', '--for=jsonpath={.metadata.labels.seen}=yes', 'configmap/watched',
                       '--timeout=10s')


if __name__ == '__main__':
    unittest.main()
