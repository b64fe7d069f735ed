"""End-to-end tests of the fake Argo CD controllers (fake_argocd.py, its own process) against the
API server fixture: what a test of the sync guard can rely on them to do."""
import copy
import time
import unittest

from world import NS, World, application, deployment

POLICY = {'automated': {'prune': True, 'selfHeal': True}}


def list_appset(elements, policy=POLICY, **spec):
    s = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'ApplicationSet',
         'metadata': {'name': 'apps', 'namespace': NS},
         'spec': {'generators': [{'list': {'elements': elements}}],
                  'template': {'metadata': {'name': '{{name}}', 'labels': {'tier': '{{tier}}'}},
                               'spec': {'project': 'default',
                                        'source': {'repoURL': 'https://example.com/gitops.git',
                                                   'path': 'apps/{{name}}', 'targetRevision': 'main'},
                                        'destination': {'server': 'https://kubernetes.default.svc',
                                                        'namespace': 'apps'},
                                        'syncPolicy': copy.deepcopy(policy)}}}}
    s['spec'].update(spec)
    return s


def rolling(*max_updates):
    tiers = ['be', 'fe']
    return {'type': 'RollingSync', 'rollingSync': {'steps': [
        {'matchExpressions': [{'key': 'tier', 'operator': 'In', 'values': [tiers[i]]}], 'maxUpdate': mu}
        for i, mu in enumerate(max_updates)]}}


class Base(unittest.TestCase):
    version, progressive = '3.3', False

    def setUp(self):
        self.w = World(version=self.version, progressive=self.progressive)
        self.w.__enter__()
        self.addCleanup(self.w.__exit__, None, None, None)
        self.w.ensure_namespace('apps')

    def auto(self, name):
        return ((self.w.app(name) or {}).get('spec', {}).get('syncPolicy') or {}).get('automated', 'ABSENT')

    def ops(self, name, event='operation-started'):
        return [e['operation'] for e in self.w.events() if e['event'] == event and e['name'] == name]


class ApplicationController(Base):
    def test_sync_uses_the_operations_own_options_and_clears_operation(self):
        w = self.w
        w.repo_write('apps/web', [deployment('web', 'nginx:1')])
        w.create(application('web', 'apps/web', 'fresh-ns'))  # manual: no automated
        time.sleep(0.5)
        self.assertIsNone(w.deployment_image('web', 'fresh-ns'))  # nothing syncs by itself
        op = {'sync': {'prune': False}, 'initiatedBy': {'username': 'test'}}
        w.patch_app('web', {'operation': op})
        w.wait_until(lambda: not w.app('web').get('operation'), what='operation cleared')
        st = w.app('web')['status']['operationState']
        self.assertEqual(st['phase'], 'Failed')  # no CreateNamespace in the operation
        self.assertIn('namespaces "fresh-ns" not found', st['message'])
        w.patch_app('web', {'operation': dict(op, sync={'syncOptions': ['CreateNamespace=true']})})
        w.wait_until(lambda: w.deployment_image('web', 'fresh-ns') == 'nginx:1', what='synced')
        w.wait_until(lambda: w.synced('web'), what='Synced')
        st = w.app('web')['status']['operationState']
        self.assertEqual(st['operation']['sync']['syncOptions'], ['CreateNamespace=true'])
        dep = w.c.call('GET', '/apis/apps/v1/namespaces/fresh-ns/deployments/web')[1]
        self.assertEqual(dep['metadata']['annotations']['argocd.argoproj.io/tracking-id'],
                         'web:apps/Deployment:fresh-ns/web')

    def test_self_heal_reverts_an_image_swap_and_auto_sync_without_heal_does_not(self):
        w = self.w
        for n in ('heal', 'noheal'):
            w.repo_write(f'apps/{n}', [deployment(n, 'nginx:1')])
        w.create(application('heal', 'apps/heal', 'apps', POLICY))
        w.create(application('noheal', 'apps/noheal', 'apps', {'automated': {'prune': True}}))
        for n in ('heal', 'noheal'):
            w.wait_until(lambda: w.synced(n) and w.deployment_image(n, 'apps') == 'nginx:1', what=f'{n} synced')
        w.set_image('heal', 'apps', 'tilt:1')
        w.set_image('noheal', 'apps', 'tilt:1')
        w.wait_until(lambda: w.deployment_image('heal', 'apps') == 'nginx:1', what='self-heal')
        time.sleep(0.6)
        self.assertEqual(w.deployment_image('noheal', 'apps'), 'tilt:1')  # already attempted this revision
        self.assertEqual(w.app('noheal')['status']['sync']['status'], 'OutOfSync')
        # A new commit is a new revision: auto-sync without self-heal syncs it.
        w.repo_write('apps/noheal', [deployment('noheal', 'nginx:2')])
        w.wait_until(lambda: w.deployment_image('noheal', 'apps') == 'nginx:2', what='new revision synced')

    def test_prune_false_keeps_a_removed_resource(self):
        w = self.w
        cm = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'extra'}, 'data': {'a': '1'}}
        w.repo_write('apps/web', [deployment('web', 'nginx:1'), cm])
        w.create(application('web', 'apps/web', 'apps', {'automated': {'prune': False, 'selfHeal': True}}))
        w.wait_until(lambda: w.synced('web') and w.c.call('GET', '/api/v1/namespaces/apps/configmaps/extra')[0] == 200)
        w.repo_write('apps/web', [deployment('web', 'nginx:2')])
        w.wait_until(lambda: w.deployment_image('web', 'apps') == 'nginx:2')
        time.sleep(0.5)
        self.assertEqual(w.c.call('GET', '/api/v1/namespaces/apps/configmaps/extra')[0], 200)
        self.assertFalse(self.ops('web')[-1]['sync']['prune'])

    def test_enabled_false_is_off_on_3x(self):
        w = self.w
        w.repo_write('apps/web', [deployment('web', 'nginx:1')])
        w.create(application('web', 'apps/web', 'apps', {'automated': {'enabled': False, 'selfHeal': True}}))
        time.sleep(0.6)
        self.assertIsNone(w.deployment_image('web', 'apps'))


class ApplicationController214(Base):
    version = '2.14'

    def test_enabled_false_means_nothing_on_2_14_and_tracking_is_a_label(self):
        w = self.w
        w.repo_write('apps/web', [deployment('web', 'nginx:1')])
        w.create(application('web', 'apps/web', 'apps', {'automated': {'enabled': False}}))
        w.wait_until(lambda: w.deployment_image('web', 'apps') == 'nginx:1', what='auto-synced anyway')
        dep = w.c.call('GET', '/apis/apps/v1/namespaces/apps/deployments/web')[1]
        self.assertEqual(dep['metadata']['labels']['app.kubernetes.io/instance'], 'web')


class ApplicationSetController(Base):
    def setUp(self):
        super().setUp()
        for n in ('a', 'b'):
            self.w.repo_write(f'apps/{n}', [deployment(n, 'nginx:1')])

    def test_generates_and_reverts_manual_edits(self):
        w = self.w
        w.create(list_appset([{'name': 'a', 'tier': 'be'}, {'name': 'b', 'tier': 'fe'}]))
        w.wait_until(lambda: w.app('a') and w.app('b'), what='apps generated')
        self.assertEqual(w.app('a')['metadata']['ownerReferences'][0]['name'], 'apps')
        w.patch_app('a', {'spec': {'syncPolicy': {'automated': None}}})
        w.wait_until(lambda: self.auto('a') == POLICY['automated'], what='template re-applied')
        # the fake logs an action once the API server has answered it, so the log may trail a little
        w.wait_until(lambda: any(e['event'] == 'app-updated' and e['name'] == 'a' for e in w.events()),
                     timeout=5, what='the app-updated event')

    def test_ignore_differences_scoped_by_name_and_create_only(self):
        w = self.w
        w.create(list_appset([{'name': 'a', 'tier': 'be'}, {'name': 'b', 'tier': 'fe'}],
                             ignoreApplicationDifferences=[{'name': 'a', 'jsonPointers': ['/spec/syncPolicy/automated']}]))
        w.wait_until(lambda: w.app('a') and w.app('b'))
        w.patch_app('a', {'spec': {'syncPolicy': {'automated': None}}})
        w.patch_app('b', {'spec': {'syncPolicy': {'automated': None}}})
        w.wait_until(lambda: self.auto('b') != 'ABSENT', what='b reverted')
        self.assertEqual(self.auto('a'), 'ABSENT')
        w.patch_app('apps', {'spec': {'syncPolicy': {'applicationsSync': 'create-only'}}}, kind='applicationsets')
        time.sleep(0.3)
        w.patch_app('b', {'spec': {'syncPolicy': {'automated': None}}})
        time.sleep(0.6)
        self.assertEqual(self.auto('b'), 'ABSENT')

    def test_git_files_generator_reads_the_repo_folder(self):
        w = self.w
        w.repo_write('envs/a', {'name': 'a', 'tier': 'be'}, filename='config.json')
        s = list_appset([])
        s['spec']['generators'] = [{'git': {'repoURL': 'https://example.com/gitops.git', 'revision': 'main',
                                            'files': [{'path': 'envs/*/config.json'}]}}]
        w.create(s)
        w.wait_until(lambda: w.app('a'), what='app from git files')
        self.assertEqual(w.app('a')['metadata']['labels'], {'tier': 'be'})

    def test_progressive_syncs_off_ignores_strategy(self):
        w = self.w
        w.create(list_appset([{'name': 'a', 'tier': 'be'}], strategy=rolling(0)))
        w.wait_until(lambda: w.synced('a'), what='a auto-synced')
        self.assertEqual(self.auto('a'), POLICY['automated'])
        self.assertFalse((w.appset('apps').get('status') or {}).get('applicationStatus'))


class ProgressiveSyncs(Base):
    progressive = True

    def start(self, *max_updates):
        w = self.w
        for n in ('a', 'b'):
            w.repo_write(f'apps/{n}', [deployment(n, 'nginx:1')])
        w.create(list_appset([{'name': 'a', 'tier': 'be'}, {'name': 'b', 'tier': 'fe'}], strategy=rolling(*max_updates)))
        w.wait_until(lambda: all(w.deployment_image(n, 'apps') == 'nginx:1' for n in 'ab'), what='rolled out')
        w.wait_until(lambda: [s['status'] for s in w.appset('apps')['status']['applicationStatus']] == ['Healthy'] * 2,
                     what='steps Healthy')

    def test_rolling_sync_forces_auto_sync_off_and_syncs_by_step(self):
        self.start(1, 1)
        auto = self.auto('a')
        if self.version == '3.3':
            self.assertEqual(auto, dict(POLICY['automated'], enabled=False))
        else:
            self.assertEqual(auto, 'ABSENT')
        op = self.ops('a')[0]
        self.assertEqual(op['initiatedBy']['username'], 'applicationset-controller')
        self.assertTrue(op['sync']['prune'])

    def test_image_swap_is_reverted_by_rolling_sync_only_up_to_3_2(self):
        self.start(1, 1)
        self.w.set_image('a', 'apps', 'tilt:1')
        if self.version == '3.3':
            time.sleep(1.0)  # same revision: the app stays Healthy in the step, no sync
            self.assertEqual(self.w.deployment_image('a', 'apps'), 'tilt:1')
        else:
            self.w.wait_until(lambda: self.w.deployment_image('a', 'apps') == 'nginx:1', what='Waiting->Pending->sync')

    def test_max_update_zero_freezes_and_string_zero_does_not(self):
        self.start(1, 1)
        w = self.w
        w.patch_app('apps', {'spec': {'strategy': rolling(0, 0)}}, kind='applicationsets')
        time.sleep(0.3)
        w.repo_write('apps/a', [deployment('a', 'nginx:2')])  # a new revision: Waiting
        time.sleep(1.0)
        self.assertEqual(w.deployment_image('a', 'apps'), 'nginx:1')
        self.assertEqual(w.appset('apps')['status']['applicationStatus'][0]['status'], 'Waiting')
        w.patch_app('apps', {'spec': {'strategy': rolling('0', 0)}}, kind='applicationsets')
        w.wait_until(lambda: w.deployment_image('a', 'apps') == 'nginx:2', what='"0" counts as 1')


class ProgressiveSyncs32(ProgressiveSyncs):
    version = '3.2'


class ProgressiveSyncs214(ProgressiveSyncs):
    version = '2.14'


class ParentApplication(Base):
    def test_parent_self_heals_the_applicationset(self):
        w = self.w
        w.repo_write('apps/a', [deployment('a', 'nginx:1')])
        git_ignore = [{'jsonPointers': ['/spec/source/targetRevision']}]
        s = list_appset([{'name': 'a', 'tier': 'be'}], strategy=rolling(1), ignoreApplicationDifferences=git_ignore)
        del s['metadata']['namespace']
        w.repo_write('root', [s])
        w.create(application('root', 'root', NS, {'automated': {'prune': False, 'selfHeal': True}}))
        w.wait_until(lambda: w.appset('apps') and w.app('a'), what='parent created the appset')
        w.wait_until(lambda: w.synced('root'), what='root Synced')
        w.patch_app('apps', {'spec': {'strategy': rolling(0), 'ignoreApplicationDifferences': git_ignore + [
            {'jsonPointers': ['/spec/syncPolicy/automated']}]}}, kind='applicationsets')
        w.wait_until(lambda: w.appset('apps')['spec']['strategy'] == rolling(1), what='parent reverted maxUpdate')
        self.assertEqual(w.appset('apps')['spec']['ignoreApplicationDifferences'], git_ignore)
        # A field git does not set at all is not a difference (three-way diff): it stays.
        w.patch_app('apps', {'spec': {'preservedFields': {'labels': ['x']}}}, kind='applicationsets')
        time.sleep(0.8)
        self.assertEqual(w.appset('apps')['spec']['preservedFields'], {'labels': ['x']})
        w.patch_app('root', {'spec': {'syncPolicy': {'automated': {'selfHeal': False}}}})
        time.sleep(0.3)
        w.patch_app('apps', {'spec': {'strategy': rolling(0)}}, kind='applicationsets')
        time.sleep(1.0)
        self.assertEqual(w.appset('apps')['spec']['strategy'], rolling(0))


class InformerLag(unittest.TestCase):
    def test_a_stale_informer_still_auto_syncs_a_just_paused_app(self):
        # Real Argo decides on its informer cache and SetAppOperation does not re-check
        # `automated` on the fresh object: a pause racing a drift can still be synced once.
        with World(version='3.3', lag_ms=600) as w:
            w.ensure_namespace('apps')
            w.repo_write('apps/web', [deployment('web', 'nginx:1')])
            w.create(application('web', 'apps/web', 'apps', POLICY))
            w.wait_until(lambda: w.synced('web') and w.deployment_image('web', 'apps') == 'nginx:1', timeout=30)
            time.sleep(1.5)
            n = len([e for e in w.events() if e['event'] == 'operation-set'])
            w.set_image('web', 'apps', 'tilt:1')
            time.sleep(0.15)
            w.patch_app('web', {'spec': {'syncPolicy': {'automated': {'enabled': False}}}})
            w.wait_until(lambda: len([e for e in w.events() if e['event'] == 'operation-set']) > n, timeout=10,
                         what='the stale auto-sync')


if __name__ == '__main__':
    unittest.main()
