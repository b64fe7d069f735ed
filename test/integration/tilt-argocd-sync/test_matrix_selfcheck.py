"""The scenario matrix's checks are satisfiable and can fail: a reference guard written here in a
few lines (the writes issue 13 asks for, no I/O tricks) passes matrix cells, and the same guard
without pausing the parent Application, or syncing every app at once instead of in the
RollingSync step order, is caught by them. So a failing matrix cell is the real
guard's behaviour, not the harness."""
import copy
import unittest

import test_guard_matrix as matrix
from guard_harness import GUARD_USER, Holder

APPS_PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd'


class ReferenceGuard(Holder):
    """Pause: parent self-heal off, ApplicationSet ignores `automated` and every step at maxUpdate 0,
    auto-sync off on each app. Resume: everything back exactly, each app synced with its own
    syncOptions/retry and prune only as its policy says."""
    pause_parent = True

    def serve(self, apps, timeout=30):
        w, self.apps, self.saved = self.w, list(apps), {}
        if self.pause_parent:
            self.saved[matrix.PARENT] = copy.deepcopy(w.app(matrix.PARENT)['spec']['syncPolicy'])
            w.patch_app(matrix.PARENT, {'spec': {'syncPolicy': {'automated': None}}})
        spec = w.appset('apps-dev')['spec']
        self.saved_set = copy.deepcopy(spec)
        steps = copy.deepcopy(spec['strategy']['rollingSync']['steps'])
        for st in steps:
            st['maxUpdate'] = 0
        w.patch_app('apps-dev', {'spec': {
            'ignoreApplicationDifferences': spec['ignoreApplicationDifferences'] + [
                {'jsonPointers': ['/spec/syncPolicy/automated']}],
            'strategy': dict(spec['strategy'], rollingSync={'steps': steps})}}, kind='applicationsets')
        for n in self.apps:
            policy = w.app(n)['spec'].get('syncPolicy') or {}
            self.saved[n] = copy.deepcopy(policy)
            if policy.get('automated'):
                w.patch_app(n, {'spec': {'syncPolicy': {'automated': None}}})
        return ['guarding\n']

    def stop_serve(self, sig):
        """The ApplicationSet first, then the apps, then the parent; then each app synced, one at
        a time in the RollingSync step order (step 1 then step 2, maxUpdate 1 each)."""
        w = self.w
        w.must('PATCH', f'{APPS_PATH}/applicationsets/apps-dev',
               [{'op': 'replace', 'path': '/spec', 'value': self.saved_set}], 'application/json-patch+json')
        for n in self.apps:
            w.must('PATCH', f'{APPS_PATH}/applications/{n}',
                   [{'op': 'replace', 'path': '/spec/syncPolicy', 'value': self.saved[n]}],
                   'application/json-patch+json')
        if self.pause_parent:
            w.patch_app(matrix.PARENT, {'spec': {'syncPolicy': self.saved[matrix.PARENT]}})
        for batch in self.batches():
            for n in batch:
                self.sync(n)
            w.wait_until(lambda: all(w.synced(n) for n in batch), timeout=20, what=f'{batch} synced')
        return 0

    def batches(self):
        return [[n] for tier in matrix.STEP_OF_TIER for n in self.apps if matrix.APPS[n][0] == tier]

    def sync(self, n):
        policy = self.saved[n]
        op = {'sync': {'prune': bool((policy.get('automated') or {}).get('prune'))},
              'initiatedBy': {'username': GUARD_USER}}
        if policy.get('syncOptions'):
            op['sync']['syncOptions'] = policy['syncOptions']
        if policy.get('retry'):
            op['retry'] = policy['retry']
        self.w.must('PATCH', f'{APPS_PATH}/applications/{n}', [{'op': 'add', 'path': '/operation', 'value': op}],
                    'application/json-patch+json')

    def journal_apps(self):
        return {}

    def ready(self, apps):
        return True, 'the reference guard has no readiness probe'

    def cleanup(self):
        pass


class ReferenceGuardWithoutParent(ReferenceGuard):
    pause_parent = False


class ReferenceGuardAllAtOnce(ReferenceGuard):
    def batches(self):
        return [list(self.apps)]


class SelfCheck(unittest.TestCase):
    def run_cell(self, guard, *cell):
        saved = matrix.Holder
        matrix.Holder = guard
        try:
            return matrix.Run(self, *cell).go()
        finally:
            matrix.Holder = saved

    def test_reference_guard_passes_argo_3_3_progressive_parent_heal(self):
        self.assertEqual(self.run_cell(ReferenceGuard, '3.3', True, True, 'resume'), [])

    def test_reference_guard_passes_argo_2_14_parent_heal(self):
        self.assertEqual(self.run_cell(ReferenceGuard, '2.14', False, True, 'resume'), [])

    def test_syncing_every_app_at_once_is_caught(self):
        problems = self.run_cell(ReferenceGuardAllAtOnce, '3.3', True, False, 'resume')
        self.assertTrue(any('before' in p and '(step 1) finished' in p for p in problems), problems)

    def test_not_pausing_the_parent_is_caught(self):
        problems = self.run_cell(ReferenceGuardWithoutParent, '3.2', False, True, 'resume')
        self.assertIn('parent root re-applied ApplicationSet apps-dev while paused', problems)


if __name__ == '__main__':
    unittest.main()
