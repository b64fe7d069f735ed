"""Unit tests of the fake controllers' decisions (argo_model.py, app_decisions.py,
appset_decisions.py). Each test names the argo-cd source lines (tag:path:line) it pins."""
import copy
import unittest

import app_decisions as app_m
import appset_decisions as set_m
import argo_model as m

REV = 'a' * 40
SRC = {'repoURL': 'https://example.com/gitops.git', 'path': 'apps/web', 'targetRevision': 'main'}


def app(policy=None, op_state=None, operation=None, name='web', labels=None, sync='Synced', health='Healthy'):
    a = {'metadata': {'name': name, 'labels': labels or {}},
         'spec': {'source': dict(SRC), 'destination': {'namespace': 'apps'}},
         'status': {'sync': {'status': sync, 'revision': REV}, 'health': {'status': health}}}
    if policy is not None:
        a['spec']['syncPolicy'] = policy
    if op_state is not None:
        a['status']['operationState'] = op_state
    if operation is not None:
        a['operation'] = operation
    return a


def done(phase='Succeeded', rev=REV, source=None):
    return {'phase': phase, 'syncResult': {'revision': rev, 'source': source or dict(SRC)},
            'operation': {'sync': {}}}


OUT = [{'kind': 'Deployment', 'name': 'web', 'status': 'OutOfSync'}]


class AutoSyncEnabled(unittest.TestCase):
    def test_v2_14_appcontroller_go_2050_automated_present_is_on_even_with_enabled_false(self):
        self.assertTrue(m.auto_sync_enabled(m.GEN_2_14, {'syncPolicy': {'automated': {'enabled': False}}}))
        self.assertFalse(m.auto_sync_enabled(m.GEN_2_14, {'syncPolicy': {'syncOptions': ['x']}}))

    def test_v3_2_types_go_1458_enabled_null_counts_as_on(self):
        for gen in (m.GEN_3_2, m.GEN_3_3):
            self.assertTrue(m.auto_sync_enabled(gen, {'syncPolicy': {'automated': {}}}))
            self.assertTrue(m.auto_sync_enabled(gen, {'syncPolicy': {'automated': {'enabled': True}}}))
            self.assertFalse(m.auto_sync_enabled(gen, {'syncPolicy': {'automated': {'enabled': False}}}))
            self.assertFalse(m.auto_sync_enabled(gen, {}))


class AutoSync(unittest.TestCase):
    def test_v3_2_appcontroller_go_2145_2160_operation_carries_own_options(self):
        policy = {'automated': {'prune': False}, 'syncOptions': ['CreateNamespace=true'],
                  'retry': {'limit': 2, 'backoff': {'duration': '5s'}}}
        op, _ = app_m.auto_sync_decision(m.GEN_3_2, app(policy, sync='OutOfSync'), 'OutOfSync', OUT, REV)
        self.assertEqual(op['sync']['prune'], False)
        self.assertEqual(op['sync']['syncOptions'], ['CreateNamespace=true'])
        self.assertEqual(op['retry'], policy['retry'])
        self.assertEqual(op['initiatedBy'], {'automated': True})

    def test_v3_2_appcontroller_go_2157_default_retry_limit_5(self):
        op, _ = app_m.auto_sync_decision(m.GEN_3_2, app({'automated': {'prune': True}}), 'OutOfSync', OUT, REV)
        self.assertEqual(op['retry'], {'limit': 5})
        self.assertTrue(op['sync']['prune'])
        self.assertNotIn('syncOptions', op['sync'])

    def test_v3_2_appcontroller_go_2110_skips_while_an_operation_is_set(self):
        a = app({'automated': {}}, operation={'sync': {}})
        self.assertIsNone(app_m.auto_sync_decision(m.GEN_3_2, a, 'OutOfSync', OUT, REV)[0])

    def test_v3_2_appcontroller_go_2121_only_when_out_of_sync(self):
        self.assertIsNone(app_m.auto_sync_decision(m.GEN_3_2, app({'automated': {}}), 'Synced', [], REV)[0])

    def test_v3_3_types_go_1488_enabled_false_never_auto_syncs(self):
        a = app({'automated': {'enabled': False, 'selfHeal': True}})
        self.assertIsNone(app_m.auto_sync_decision(m.GEN_3_3, a, 'OutOfSync', OUT, REV)[0])

    def test_v2_14_appcontroller_go_2050_enabled_false_still_auto_syncs(self):
        a = app({'automated': {'enabled': False}})
        self.assertIsNotNone(app_m.auto_sync_decision(m.GEN_2_14, a, 'OutOfSync', OUT, REV)[0])

    def test_v3_2_appcontroller_go_2167_2176_already_attempted_without_self_heal_skips(self):
        a = app({'automated': {'prune': True}}, op_state=done())
        op, reason = app_m.auto_sync_decision(m.GEN_3_2, a, 'OutOfSync', OUT, REV)
        self.assertIsNone(op)
        self.assertIn('most recent sync already', reason)

    def test_v3_2_appcontroller_go_2169_failed_attempt_is_not_retried(self):
        a = app({'automated': {'selfHeal': True}}, op_state=done('Failed'))
        self.assertIsNone(app_m.auto_sync_decision(m.GEN_3_2, a, 'OutOfSync', OUT, REV)[0])

    def test_v3_2_appcontroller_go_2194_2205_self_heal_resyncs_out_of_sync_resources(self):
        a = app({'automated': {'selfHeal': True}}, op_state=done())
        op, _ = app_m.auto_sync_decision(m.GEN_3_2, a, 'OutOfSync', OUT, REV)
        self.assertEqual(op['sync']['selfHealAttemptsCount'], 1)
        self.assertEqual(op['sync']['resources'], [{'group': '', 'kind': 'Deployment', 'name': 'web'}])

    def test_v3_2_appcontroller_go_2254_new_revision_is_not_attempted(self):
        a = app({'automated': {}}, op_state=done(rev='b' * 40))
        self.assertIsNotNone(app_m.auto_sync_decision(m.GEN_3_2, a, 'OutOfSync', OUT, REV)[0])
        a = app({'automated': {}}, op_state=done(source=dict(SRC, path='other')))
        self.assertIsNotNone(app_m.auto_sync_decision(m.GEN_3_2, a, 'OutOfSync', OUT, REV)[0])

    def test_v3_2_appcontroller_go_2128_2138_prune_only_without_prune_skips(self):
        res = [{'kind': 'ConfigMap', 'name': 'old', 'status': 'OutOfSync', 'requiresPruning': True}]
        self.assertIsNone(app_m.auto_sync_decision(m.GEN_3_2, app({'automated': {}}), 'OutOfSync', res, REV)[0])
        self.assertIsNotNone(app_m.auto_sync_decision(m.GEN_3_2, app({'automated': {'prune': True}}), 'OutOfSync',
                                                  res + OUT, REV)[0])


class SyncPlan(unittest.TestCase):
    KEY = ('Deployment', 'apps', 'web')
    OLD = ('ConfigMap', 'apps', 'old')

    def test_v3_2_controller_sync_go_353_missing_namespace_fails_without_create_namespace(self):
        phase, msg, actions, _ = app_m.plan_sync({'sync': {}}, {self.KEY: {}}, {self.KEY: None}, False, 'apps')
        self.assertEqual((phase, actions), ('Failed', []))
        self.assertIn('namespaces "apps" not found', msg)
        phase, _, actions, _ = app_m.plan_sync({'sync': {'syncOptions': ['CreateNamespace=true']}},
                                           {self.KEY: {}}, {self.KEY: None}, False, 'apps')
        self.assertEqual(phase, 'Succeeded')
        self.assertEqual(actions[0], ('create-namespace', 'apps'))

    def test_v3_2_controller_sync_go_340_apply_out_of_sync_only(self):
        same = {'spec': {'x': 1}}
        desired = {self.KEY: same, ('Service', 'apps', 'web'): {'spec': {'y': 1}}}
        live = {self.KEY: {'spec': {'x': 1}}, ('Service', 'apps', 'web'): {'spec': {'y': 2}}}
        _, _, actions, _ = app_m.plan_sync({'sync': {'syncOptions': ['ApplyOutOfSyncOnly=true']}}, desired, live, True, 'apps')
        self.assertEqual(actions, [('apply', ('Service', 'apps', 'web'))])
        _, _, actions, _ = app_m.plan_sync({'sync': {}}, desired, live, True, 'apps')
        self.assertEqual(len(actions), 2)

    def test_prune_only_when_the_operation_says_so(self):
        live = {self.KEY: {}, self.OLD: {'data': {}}}
        _, _, actions, results = app_m.plan_sync({'sync': {'prune': False}}, {self.KEY: {}}, live, True, 'apps')
        self.assertNotIn(('prune', self.OLD), actions)
        self.assertEqual(results[-1], {'group': '', 'version': 'v1', 'kind': 'ConfigMap', 'namespace': 'apps', 'name': 'old',
                                       'status': 'PruneSkipped', 'message': 'ignored (requires pruning)'})
        _, _, actions, _ = app_m.plan_sync({'sync': {'prune': True}}, {self.KEY: {}}, live, True, 'apps')
        self.assertIn(('prune', self.OLD), actions)

    def test_v3_2_appcontroller_go_1410_retry_limit(self):
        self.assertFalse(app_m.retry_after_failure({'sync': {}}, 0))
        self.assertTrue(app_m.retry_after_failure({'retry': {'limit': 2}}, 1))
        self.assertFalse(app_m.retry_after_failure({'retry': {'limit': 2}}, 2))
        self.assertTrue(app_m.retry_after_failure({'retry': {'limit': -1}}, 99))

    def test_drift_is_a_field_the_manifest_sets(self):
        self.assertFalse(app_m.subset_differs({'a': {'b': 1}}, {'a': {'b': 1, 'c': 2}, 'd': 3}))
        self.assertTrue(app_m.subset_differs({'a': [{'image': 'x'}]}, {'a': [{'image': 'y'}]}))


class ProgressiveSyncFlag(unittest.TestCase):
    def test_v3_2_applicationset_controller_deployment_yaml_109_flag_off_by_default(self):
        self.assertFalse(set_m.progressive_syncs_enabled({}))
        self.assertFalse(set_m.progressive_syncs_enabled({m.PS_KEY: 'false'}))
        self.assertTrue(set_m.progressive_syncs_enabled({m.PS_KEY: 'true'}))
        self.assertTrue(set_m.progressive_syncs_enabled({m.PS_KEY: '1'}))
        self.assertFalse(set_m.progressive_syncs_enabled({m.PS_KEY: 'yes'}))  # not a Go bool

    def test_v3_2_applicationset_types_go_122_create_only_does_not_update(self):
        mk = lambda p: {'spec': {'syncPolicy': {'applicationsSync': p}}}  # noqa: E731
        self.assertTrue(set_m.allow_update(mk('create-update')))
        self.assertTrue(set_m.allow_update(mk('sync')))
        self.assertTrue(set_m.allow_update({'spec': {}}))
        self.assertFalse(set_m.allow_update(mk('create-only')))
        self.assertFalse(set_m.allow_update(mk('create-delete')))


class MaxUpdate(unittest.TestCase):
    def test_v3_2_applicationset_controller_go_1256_1266_parsing(self):
        self.assertEqual(set_m.parse_max_update(0, 4), 0)
        self.assertEqual(set_m.parse_max_update('0%', 4), 0)
        self.assertEqual(set_m.parse_max_update('0', 4), 1)  # not a percentage: error, then at least 1
        self.assertEqual(set_m.parse_max_update('2', 4), 1)
        self.assertEqual(set_m.parse_max_update('25%', 4), 1)
        self.assertEqual(set_m.parse_max_update('10%', 4), 1)  # rounds down to 0, raised to 1
        self.assertEqual(set_m.parse_max_update('50%', 4), 2)
        self.assertEqual(set_m.parse_max_update(3, 4), 3)
        self.assertIsNone(set_m.parse_max_update(None, 4))

    def test_v3_2_applicationset_controller_go_1268_1280_zero_keeps_waiting_but_pending_stays(self):
        steps = [{'maxUpdate': 0}]
        st = [{'application': 'a', 'status': 'Waiting'}, {'application': 'b', 'status': 'Pending'}]
        out = set_m.progress(st, steps, {'a': 0, 'b': 0}, {'a': True, 'b': True}, 'now')
        self.assertEqual([s['status'] for s in out], ['Waiting', 'Pending'])
        out = set_m.progress(st, [{'maxUpdate': '0'}], {'a': 0, 'b': 0}, {'a': True, 'b': True}, 'now')
        self.assertEqual([s['status'] for s in out], ['Waiting', 'Pending'])  # 1 updating already
        out = set_m.progress(st[:1], [{'maxUpdate': '0'}], {'a': 0}, {'a': True}, 'now')
        self.assertEqual(out[0]['status'], 'Pending')  # "0" is 1, not a pause


class Steps(unittest.TestCase):
    def test_v3_2_applicationset_controller_go_972_1040_step_selection(self):
        steps = [{'matchExpressions': [{'key': 'tier', 'operator': 'In', 'values': ['be']}]},
                 {'matchExpressions': [{'key': 'tier', 'operator': 'NotIn', 'values': ['be']}]}]
        apps = [app(name='a', labels={'tier': 'be'}), app(name='b', labels={'tier': 'fe'}), app(name='c')]
        lists, step_of = set_m.step_lists(steps, apps)
        self.assertEqual(lists, [['a'], ['b', 'c']])  # no label: fails In, passes NotIn
        self.assertEqual(step_of, {'a': 0, 'b': 1, 'c': 1})

    def test_v3_2_applicationset_controller_go_1043_1080_later_steps_wait_for_healthy(self):
        apps = [app(name='a'), app(name='b')]
        st = [{'application': 'a', 'status': 'Waiting'}, {'application': 'b', 'status': 'Waiting'}]
        self.assertEqual(set_m.apps_to_sync(m.GEN_3_2, [['a'], ['b']], st, apps), {'a': True, 'b': False})
        st[0]['status'] = 'Healthy'
        self.assertEqual(set_m.apps_to_sync(m.GEN_3_2, [['a'], ['b']], st, apps), {'a': True, 'b': True})


class AppStatuses(unittest.TestCase):
    def appset(self, statuses):
        return {'spec': {}, 'status': {'applicationStatus': statuses}}

    def test_v3_2_applicationset_controller_go_1172_1180_out_of_sync_goes_back_to_waiting(self):
        old = [{'application': 'web', 'status': 'Healthy', 'targetRevisions': [REV], 'step': '1'}]
        a = app(sync='OutOfSync')
        for gen in (m.GEN_2_14, m.GEN_3_2):
            out = set_m.update_app_statuses(gen, self.appset(old), [a], {'web': 0}, 'now')
            self.assertEqual(out[0]['status'], 'Waiting', gen)

    def test_v3_3_applicationset_controller_go_1178_1200_out_of_sync_same_revision_stays(self):
        old = [{'application': 'web', 'status': 'Healthy', 'targetRevisions': [REV], 'step': '1'}]
        out = set_m.update_app_statuses(m.GEN_3_3, self.appset(old), [app(sync='OutOfSync')], {'web': 0}, 'now')
        self.assertEqual(out[0]['status'], 'Healthy')
        out = set_m.update_app_statuses(m.GEN_3_3, self.appset([dict(old[0], targetRevisions=['b' * 40])]),
                                    [app(sync='OutOfSync')], {'web': 0}, 'now')
        self.assertEqual(out[0]['status'], 'Waiting')

    def test_v3_2_applicationset_controller_go_1200_waiting_and_healthy_is_healthy(self):
        out = set_m.update_app_statuses(m.GEN_3_2, self.appset([]), [app()], {'web': 0}, 'now')
        self.assertEqual(out[0]['status'], 'Healthy')


class RollingSyncApp(unittest.TestCase):
    POLICY = {'automated': {'prune': True, 'selfHeal': True}, 'syncOptions': ['CreateNamespace=true'],
              'retry': {'limit': 3}}

    def gen_app(self):
        return {'metadata': {'name': 'web'}, 'spec': {'syncPolicy': copy.deepcopy(self.POLICY)}}

    def test_v3_2_applicationset_controller_go_1533_1537_deletes_automated(self):
        for gen in (m.GEN_2_14, m.GEN_3_2):
            out = set_m.rolling_sync_app(gen, self.gen_app(), None, 'Synced')
            self.assertNotIn('automated', out['spec']['syncPolicy'])
            self.assertNotIn('operation', out)

    def test_v3_3_applicationset_controller_go_1581_1586_writes_enabled_false(self):
        out = set_m.rolling_sync_app(m.GEN_3_3, self.gen_app(), None, 'Synced')
        self.assertEqual(out['spec']['syncPolicy']['automated'], {'prune': True, 'selfHeal': True, 'enabled': False})

    def test_v3_2_applicationset_controller_go_1539_1546_pending_and_out_of_sync_gets_operation(self):
        pending = {'status': 'Pending'}
        self.assertNotIn('operation', set_m.rolling_sync_app(m.GEN_3_2, self.gen_app(), pending, 'Synced'))
        op = set_m.rolling_sync_app(m.GEN_3_2, self.gen_app(), pending, 'OutOfSync')['operation']
        self.assertEqual(op['sync'], {'prune': True, 'syncOptions': ['CreateNamespace=true']})
        self.assertEqual(op['retry'], {'limit': 3})
        self.assertEqual(op['initiatedBy']['username'], 'applicationset-controller')

    def test_v3_3_applicationset_controller_go_1588_1597_pending_gets_operation_even_if_synced(self):
        self.assertIn('operation', set_m.rolling_sync_app(m.GEN_3_3, self.gen_app(), {'status': 'Pending'}, 'Synced'))

    def test_v2_14_applicationset_controller_go_1439_1465_no_default_retry(self):
        a = self.gen_app()
        del a['spec']['syncPolicy']['retry']
        op = set_m.rolling_sync_app(m.GEN_2_14, a, {'status': 'Pending'}, 'OutOfSync')['operation']
        self.assertNotIn('retry', op)
        op = set_m.rolling_sync_app(m.GEN_3_2, self.gen_app() | {}, {'status': 'Pending'}, 'OutOfSync')['operation']
        self.assertIn('retry', op)


class TemplateAndUpdate(unittest.TestCase):
    APPSET = {'metadata': {'name': 'apps', 'namespace': 'argocd', 'uid': 'u1'},
              'spec': {'template': {'metadata': {'name': '{{name}}', 'labels': {'tier': '{{ tier }}'}},
                                    'spec': {'project': 'default', 'source': {'path': 'apps/{{name}}'},
                                             'syncPolicy': {'automated': {'prune': True}}}}}}

    def generated(self, appset=None, params=None):
        import json
        return set_m.generate_app(appset or self.APPSET, params or {'name': 'web', 'tier': 'be'}, json.loads)

    def test_v3_2_utils_go_fasttemplate_replaces_known_keys_only(self):
        self.assertEqual(set_m.render_string('{{a}}-{{ b }}-{{c}}', {'a': '1', 'b': '2'}), '1-2-{{c}}')

    def test_v3_2_template_go_50_89_template_patch_is_rendered_and_merged(self):
        s = copy.deepcopy(self.APPSET)
        s['spec']['templatePatch'] = '{"spec": {"syncPolicy": {{policy}}}}'
        g = self.generated(s, {'name': 'web', 'tier': 'be', 'policy': '{"syncOptions": ["A=true"]}'})
        self.assertEqual(g['spec']['syncPolicy'], {'automated': {'prune': True}, 'syncOptions': ['A=true']})
        self.assertEqual(g['metadata']['ownerReferences'][0]['uid'], 'u1')

    def test_list_and_git_files_generators(self):
        self.assertEqual(set_m.generate_params({'list': {'elements': [{'name': 'a', 'x': {'y': 1}}]}}, {}),
                         [{'name': 'a', 'x.y': '1'}])
        files = {'envs/dev/config.json': {'name': 'dev'}, 'other/x.json': {}}
        out = set_m.generate_params({'git': {'files': [{'path': 'envs/*/config.json'}]}}, files)
        self.assertEqual(out, [{'name': 'dev', 'path': 'envs/dev', 'path.basename': 'dev',
                                'path.filename': 'config.json'}])

    def live(self):
        g = self.generated()
        g['metadata']['resourceVersion'] = '7'
        return g

    def test_v3_2_createOrUpdate_go_55_107_manual_edit_is_reverted(self):
        live = self.live()
        del live['spec']['syncPolicy']['automated']
        patch = set_m.update_patch(self.APPSET, live, self.generated())
        self.assertEqual(patch, {'spec': {'syncPolicy': {'automated': {'prune': True}}}})

    def test_v3_2_createOrUpdate_go_138_ignore_differences_keep_the_edit(self):
        live = self.live()
        del live['spec']['syncPolicy']['automated']
        s = copy.deepcopy(self.APPSET)
        s['spec']['ignoreApplicationDifferences'] = [{'jsonPointers': ['/spec/syncPolicy/automated']}]
        self.assertIsNone(set_m.update_patch(s, live, self.generated()))
        s['spec']['ignoreApplicationDifferences'] = [{'jqPathExpressions': ['.spec.syncPolicy.automated']}]
        self.assertIsNone(set_m.update_patch(s, live, self.generated()))

    def test_v3_2_applicationset_types_go_145_name_scoped_entry_applies_to_that_app_only(self):
        live = self.live()
        del live['spec']['syncPolicy']['automated']
        s = copy.deepcopy(self.APPSET)
        s['spec']['ignoreApplicationDifferences'] = [{'name': 'other', 'jsonPointers': ['/spec/syncPolicy/automated']}]
        self.assertIsNotNone(set_m.update_patch(s, live, self.generated()))
        s['spec']['ignoreApplicationDifferences'][0]['name'] = 'web'
        self.assertIsNone(set_m.update_patch(s, live, self.generated()))

    def test_v3_2_applicationset_controller_go_693_730_preserved_fields(self):
        live = self.live()
        live['metadata']['annotations'] = {'keep': '1', 'drop': '2', 'argocd.argoproj.io/refresh': 'hard'}
        patch = set_m.update_patch(self.APPSET, live, self.generated())
        self.assertEqual(patch, {'metadata': {'annotations': {'keep': None, 'drop': None}}})
        s = copy.deepcopy(self.APPSET)
        s['spec']['preservedFields'] = {'annotations': ['keep']}
        self.assertEqual(set_m.update_patch(s, live, self.generated()), {'metadata': {'annotations': {'drop': None}}})

    def test_v3_2_applicationset_controller_go_688_generated_operation_overwrites(self):
        live = self.live()
        live['operation'] = {'sync': {'prune': True}, 'initiatedBy': {'username': 'someone'}}
        g = self.generated()
        g['operation'] = {'sync': {'prune': False}, 'initiatedBy': {'username': 'applicationset-controller'}}
        self.assertEqual(set_m.update_patch(self.APPSET, live, g)['operation'], g['operation'])

    def test_merge_patch_roundtrip(self):
        a = {'x': {'y': 1, 'z': [1, 2]}, 'k': 1}
        b = {'x': {'y': 2, 'z': [1]}, 'n': None or 3}
        self.assertEqual(m.merge_patch(a, m.merge_diff(a, b)), b)


if __name__ == '__main__':
    unittest.main()
