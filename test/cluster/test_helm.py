"""Real helm 3.17 and 4.1 (client-side and server-side apply) against the fixture.

HELM3_BIN and HELM4_BIN name the binaries (CMake passes its cache variables); a missing
binary fails the test, it is never skipped."""
import json
import os
import unittest

from fixture import cluster

CHART = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'testdata', 'chart')
OBJECTS = [('configmap', '{r}-config'), ('secret', '{r}-secret'), ('service', '{r}'),
           ('serviceaccount', '{r}'), ('deployment', '{r}')]


def helm_bin(var):
    path = os.environ.get(var, '')
    if not (path and os.access(path, os.X_OK)):
        raise AssertionError(f'{var}={path!r} is not an executable helm; run scripts/install-helm.sh '
                             'and configure with CMake (which passes HELM3_BIN/HELM4_BIN)')
    return path


class HelmCases:
    """The acceptance cases, run once per helm flavour (subclasses set HELM and FLAGS)."""
    HELM_VAR = None
    FLAGS = ()
    EXPECT_PATCH = None  # content type the upgrade must use

    @classmethod
    def setUpClass(cls):
        cls.helm_path = helm_bin(cls.HELM_VAR)
        cls._cm = cluster()
        cls.c = cls._cm.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._cm.__exit__(None, None, None)

    def helm(self, *args, check=True):
        return self.c.run([self.helm_path, '--kubeconfig', self.c.kubeconfig, *args], check=check)

    def get(self, kind, name):
        return json.loads(self.c.kubectl('get', kind, name, '-o', 'json').stdout)

    def test_upgrade_install_twice_list_uninstall(self):
        r = 'app'
        self.helm('upgrade', '--install', r, CHART, *self.FLAGS)
        first = self.get('deployment', r)
        self.helm('upgrade', '--install', r, CHART, *self.FLAGS, '--set', 'message=bye',
                  '--set', 'image=registry.example/app:2.0')
        self.assertEqual(self.get('configmap', f'{r}-config')['data'], {'message': 'bye'})
        second = self.get('deployment', r)
        self.assertEqual(second['spec']['template']['spec']['containers'][0]['image'],
                         'registry.example/app:2.0')
        self.assertNotEqual(first['metadata']['resourceVersion'], second['metadata']['resourceVersion'])
        self.assertEqual(second['metadata']['labels']['app.kubernetes.io/managed-by'], 'Helm')
        self.assertEqual(second['metadata']['annotations']['meta.helm.sh/release-name'], r)
        if self.EXPECT_PATCH:
            upgrades = {q['content_type'] for q in self.c.requests()
                        if q['method'] == 'PATCH' and q['path'].endswith(f'/deployments/{r}')}
            self.assertIn(self.EXPECT_PATCH, upgrades)

        listed = json.loads(self.helm('list', '-o', 'json').stdout)
        self.assertEqual([(x['name'], x['revision'], x['status']) for x in listed if x['name'] == r],
                         [(r, '2', 'deployed')])
        releases = json.loads(self.c.kubectl('get', 'secrets', '-l', f'owner=helm,name={r}', '-o', 'json').stdout)
        self.assertEqual({s['type'] for s in releases['items']}, {'helm.sh/release.v1'})
        self.assertEqual(len(releases['items']), 2)

        self.helm('uninstall', r)
        for kind, name in OBJECTS:
            res = self.c.kubectl('get', kind, name.format(r=r), check=False)
            self.assertNotEqual(res.returncode, 0, f'{kind} {name} survived helm uninstall')
            self.assertIn('NotFound', res.stderr)
        self.assertNotIn(r, [x['name'] for x in json.loads(self.helm('list', '-o', 'json').stdout)])

    def test_install_over_unowned_configmap_fails(self):
        r = 'taken'
        self.c.kubectl('create', 'configmap', f'{r}-config', '--from-literal=mine=yes')
        res = self.helm('upgrade', '--install', r, CHART, *self.FLAGS, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('invalid ownership metadata', res.stderr)
        self.assertEqual(self.get('configmap', f'{r}-config')['data'], {'mine': 'yes'})


class Helm3Test(HelmCases, unittest.TestCase):
    HELM_VAR = 'HELM3_BIN'
    EXPECT_PATCH = 'application/strategic-merge-patch+json'


class Helm4ServerSideTest(HelmCases, unittest.TestCase):
    HELM_VAR = 'HELM4_BIN'
    EXPECT_PATCH = 'application/apply-patch+yaml'  # helm 4's default

    def test_upgrade_drops_fields_removed_from_the_chart(self):
        """Server-side apply removes what the manager no longer applies."""
        r = 'prune'
        self.helm('upgrade', '--install', r, CHART, '--set', 'extraLabel=on')
        self.helm('upgrade', '--install', r, CHART, '--set', 'replicas=3')
        d = self.get('deployment', r)
        self.assertEqual(d['spec']['replicas'], 3)
        self.assertNotIn('extra', d['metadata']['labels'])
        status, raw = self.c.call('GET', f'/apis/apps/v1/namespaces/default/deployments/{r}')
        self.assertEqual([(m['manager'], m['operation']) for m in raw['metadata']['managedFields']],
                         [('helm', 'Apply')])


class Helm4ClientSideTest(HelmCases, unittest.TestCase):
    HELM_VAR = 'HELM4_BIN'
    FLAGS = ('--server-side=false',)
    EXPECT_PATCH = 'application/strategic-merge-patch+json'


if __name__ == '__main__':
    unittest.main()
