#!/usr/bin/env python3
"""helm_app through the Starlark harness (test/tiltfile/tilt-eval): the resources, images and
commands it declares for apps from the embedded workspace (values/), defaults and overrides,
and the load-time failures. `--local allow` really runs `tilt-values-parity plan`.

Environment: AMEIDE_BIN_DIR (the built helpers, default <repo>/build/bin), TILT_EVAL (the harness
wrapper, default <repo>/test/tiltfile/tilt-eval).
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..'))
from ext_test import BIN, REPO, TILT_EVAL, by_name, tilt_eval as _tilt_eval  # noqa: E402

APPLY = os.path.join(BIN, 'tilt-helm-apply')
V = os.path.join(REPO, 'values')


def tilt_eval(tiltfile, *env, subcommand='up'):
    return _tilt_eval(os.path.join(HERE, tiltfile), *env, subcommand=subcommand, context='fixture')


class Defaults(unittest.TestCase):
    """apps-graph and apps-platform with nothing but their names."""

    @classmethod
    def setUpClass(cls):
        code, cls.doc, err = tilt_eval('Tiltfile')
        assert code == 0, err

    def test_one_custom_deploy_per_release_named_after_it(self):
        names = [r['name'] for r in self.doc['resources']]
        self.assertEqual(names, ['apps-platform', 'apps-graph'])
        for r in self.doc['resources']:
            self.assertEqual(r['kind'], 'k8s_custom_deploy')

    def test_apply_command_uses_argo_cds_chart_value_files_and_only_image_keys(self):
        graph = by_name(self.doc['resources'], 'apps-graph')
        self.assertEqual(graph['apply_cmd'], [
            APPLY, 'apply', '--release', 'apps-graph', '--namespace', 'ameide', '--context', 'fixture',
            '--chart', f'{V}/charts/app',
            '--values', f'{V}/_shared/apps/apps-graph.yaml', '--values', f'{V}/dev/apps/apps-graph.yaml',
            '--image-key', 'image.repository,image.tag', '--argocd-app', 'apps-graph'])
        self.assertEqual(graph['apply_env'], {})
        # Chart or value file edits re-run the apply.
        self.assertEqual(graph['deps'], [f'{V}/charts/app', f'{V}/_shared/apps/apps-graph.yaml',
                                         f'{V}/dev/apps/apps-graph.yaml'])

    def test_delete_hands_back_by_default(self):
        graph = by_name(self.doc['resources'], 'apps-graph')
        self.assertEqual(graph['delete_cmd'], [APPLY, 'delete', '--release', 'apps-graph', '--namespace', 'ameide',
                                               '--context', 'fixture', '--on-down', 'handback'])

    def test_image_built_from_the_component_and_deployed_through_image_deps(self):
        graph = by_name(self.doc['resources'], 'apps-graph')
        self.assertEqual(graph['image_deps'], ['graph'])
        img = by_name(self.doc['images'], 'graph', key='ref')
        self.assertEqual(img['kind'], 'docker_build')
        self.assertEqual(img['context'], f'{REPO}/services/graph')
        self.assertEqual(img['dockerfile'], f'{REPO}/services/graph/Dockerfile')
        self.assertEqual(self.doc['settings']['default_registry']['host'], 'registry.localhost:32000')

    def test_live_update_from_the_components_hints(self):
        steps = by_name(self.doc['images'], 'graph', key='ref')['live_update']
        self.assertEqual([s['type'] for s in steps], ['fall_back_on', 'sync', 'run', 'run'])
        self.assertEqual(steps[0]['files'], [f'{REPO}/services/graph/Dockerfile'])
        self.assertEqual((steps[1]['local_path'], steps[1]['remote_path']), (f'{REPO}/services/graph', '/app/src'))
        self.assertEqual(steps[2]['cmd'], ['sh', '-c', 'cd /app/src && go build -o /app/bin/graph ./cmd/graph'])
        # No trigger: Tilt runs the build after every sync (internal/build/boil_runs.go:11, v0.37.6),
        # so a changed .go file rebuilds the binary.
        self.assertEqual(steps[2]['trigger'], [])
        self.assertEqual(steps[3]['cmd'], ['sh', '-c', 'date +%s%N > /tmp/.restart-proc'])

    def test_ui_labels_and_dependencies_from_the_component(self):
        graph = by_name(self.doc['resources'], 'apps-graph')
        self.assertEqual(graph['labels'], ['apps', 'core'])
        self.assertEqual(graph['resource_deps'], ['apps-platform'])

    def test_plan_read_at_load_time_and_workspace_files_watched(self):
        calls = [c['argv'] for c in self.doc['local_calls']]
        # Without catalog= each helm_app reads the plan itself: two apps, two runs.
        self.assertEqual(calls, [[f'{BIN}/tilt-values-parity', '--env', 'dev', 'plan', '-o', 'json']] * 2)
        self.assertIn(f'{V}/components/graph/component.yaml', self.doc['watched_files'])
        self.assertIn(f'{V}/dev/apps/apps-graph.yaml', self.doc['watched_files'])

    def test_only_flag_style_selection_brings_the_dependency(self):
        argv = [TILT_EVAL, '--context', 'fixture', '--env', f'AMEIDE_BIN_DIR={BIN}', os.path.join(HERE, 'Tiltfile'), '--', 'apps-graph']
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)['enabled'], ['apps-platform', 'apps-graph'])


class Overrides(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, cls.doc, err = tilt_eval('overrides/Tiltfile')
        assert code == 0, err

    def test_restating_argo_cds_settings_keeps_the_defaults(self):
        threads = by_name(self.doc['resources'], 'apps-threads')
        self.assertEqual(threads['apply_cmd'][threads['apply_cmd'].index('--chart') + 1], f'{V}/charts/app')
        vals = [a for i, a in enumerate(threads['apply_cmd']) if threads['apply_cmd'][i - 1] == '--values']
        self.assertEqual(vals, [f'{V}/_shared/apps/apps-threads.yaml', f'{V}/dev/apps/apps-threads.yaml'])
        self.assertEqual(threads['resource_deps'], [])

    def test_tilt_side_overrides_win(self):
        www = by_name(self.doc['resources'], 'apps-www-ameide')
        self.assertEqual(www['image_deps'], ['www-ameide-dev'])
        self.assertEqual(www['labels'], ['frontend-dev'])
        self.assertEqual(www['links'], [{'url': 'http://localhost:3000', 'name': ''}])
        self.assertEqual([(p['local_port'], p['container_port']) for p in www['port_forwards']], [(3000, 3000)])
        self.assertEqual(www['apply_env'], {'AMEIDE_TILT_SKIP_HELM_ADOPT': 'true'})
        img = by_name(self.doc['images'], 'www-ameide-dev', key='ref')
        self.assertEqual(img['dockerfile'], f'{HERE}/overrides/Dockerfile.dev')
        self.assertEqual(img['build_args'], {'NODE_ENV': 'development'})
        self.assertEqual(img['live_update'], [])

    def test_tilt_only_release_may_uninstall(self):
        sandbox = by_name(self.doc['resources'], 'sandbox')
        self.assertEqual(sandbox['delete_cmd'][-2:], ['--on-down', 'uninstall'])
        self.assertNotIn('--argocd-app', sandbox['apply_cmd'])
        self.assertEqual(sandbox['apply_cmd'][sandbox['apply_cmd'].index('--namespace') + 1], 'sandbox')


class OneCatalog(unittest.TestCase):
    """helm_app(catalog=...) uses the plan it is given: one planner run however many apps."""

    def test_catalog_passed_in_is_read_once(self):
        code, doc, err = tilt_eval('catalog/Tiltfile')
        self.assertEqual(code, 0, err)
        self.assertEqual(len(doc['local_calls']), 1, doc['local_calls'])
        self.assertEqual(len([r for r in doc['resources'] if r['name'].startswith('apps-')]), 12)
        # Explicit live_update wins; the hint steps are not created for it (an unused step fails
        # Tilt's load: internal/tiltfile/live_update.go:356, v0.37.6).
        self.assertEqual(by_name(doc['images'], 'graph', key='ref')['live_update'], [])
        self.assertEqual([s['type'] for s in by_name(doc['images'], 'platform', key='ref')['live_update']],
                         ['fall_back_on', 'sync', 'run', 'run'])


class LoadTimeFailures(unittest.TestCase):
    """Each case fails the Tiltfile load with a sentence naming the file or key and why."""

    def expect(self, case, *sentences, env=()):
        code, _, err = tilt_eval('failures/Tiltfile', f'HELM_APP_CASE={case}', *env)
        self.assertEqual(code, 1, f'{case}: exit {code}\n{err}')
        for s in sentences:
            self.assertIn(s, err, case)

    def test_value_file_argo_cd_does_not_pass(self):
        self.expect('foreign_value_file', f'value file {V}/staging/apps/apps-graph.yaml breaks parity',
                    "not one of Argo CD's value files for apps-graph")
        self.expect('extra_value_file', f'value file {V}/_shared/apps/apps-threads.yaml breaks parity')

    def test_value_file_left_out(self):
        self.expect('missing_value_file', 'values omits values/dev/apps/apps-graph.yaml, which Argo CD passes')

    def test_value_files_out_of_order(self):
        self.expect('value_file_order', "values lists Argo CD's files in another order",
                    'must be values/_shared/apps/apps-graph.yaml, values/dev/apps/apps-graph.yaml')

    def test_chart_namespace_release_other_than_argo_cds(self):
        self.expect('other_chart', 'breaks parity: Argo CD renders chart values/charts/app from '
                    'values/components/graph/component.yaml')
        self.expect('other_namespace', 'namespace="apps" breaks parity', 'namespace "ameide"')
        self.expect('other_release', 'release_name="graph-tilt" breaks parity', 'release "apps-graph"')

    def test_image_keys_beyond_the_image(self):
        self.expect('non_image_key', 'must end in repository and tag')
        self.expect('other_image_key', 'image key pair ("worker.image.repository", "worker.image.tag") breaks parity')

    def test_underscore_image_name(self):
        self.expect('underscore_image', 'image "graph_svc" must be a hyphenated name ("graph-svc")')

    def test_uninstall_of_an_argo_cd_app(self):
        self.expect('uninstall_argo_app', "on_down='uninstall' would delete what Argo CD deploys")
        self.expect('bad_on_down', 'on_down="delete": must be one of handback, uninstall')

    def test_catalog_that_is_not_a_plan(self):
        self.expect('not_a_catalog', 'catalog must be the plan read_catalog() returns')

    def test_app_not_in_the_workspace(self):
        self.expect('unknown_app', 'no component apps-nope in the values workspace', 'apps-graph',
                    'pass chart=, namespace=, image=, context= for a Tilt-only release')
        self.expect('tilt_only_missing_chart_file', f'chart {V}/charts/none not found')

    def test_helpers_not_built(self):
        code, _, err = tilt_eval('Tiltfile', 'AMEIDE_BIN_DIR=/nonexistent/bin')
        self.assertEqual(code, 1)
        self.assertIn('tilt-values-parity not found at /nonexistent/bin/tilt-values-parity. Build the helpers', err)


if __name__ == '__main__':
    unittest.main(verbosity=2)
