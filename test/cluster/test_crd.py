"""Custom resources against their CRD's structural schema, as kube-apiserver 1.32 treats them,
with Argo CD's own CRDs (serve --argocd VERSION) and small CRDs of our own.

Each test names the Kubernetes source it models, at v1.32.4 (staging modules v0.32.4):
AE = k8s.io/apiextensions-apiserver, AS = k8s.io/apiserver, AM = k8s.io/apimachinery,
KO = k8s.io/kube-openapi@32ad38e42d3f, JP = gopkg.in/evanphx/json-patch.v4@v4.12.0."""
import copy
import json
import os
import tempfile
import textwrap
import unittest
import urllib.error
import urllib.request

import crdschema
import miniyaml
from fixture import cluster

APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications'
APPSETS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets'
MERGE, JSONPATCH = 'application/merge-patch+json', 'application/json-patch+json'


def app(name, **spec):
    body = {'project': 'default', 'destination': {'server': 'https://kubernetes.default.svc', 'namespace': 'x'},
            'source': {'repoURL': 'https://example.com/git', 'path': name, 'targetRevision': 'main'}}
    body.update(spec)
    return {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
            'metadata': {'name': name, 'namespace': 'argocd'}, 'spec': body}


def appset(name, **spec):
    body = {'generators': [{'list': {'elements': [{'name': 'a'}]}}],
            'template': {'metadata': {'name': '{{name}}'},
                         'spec': {'project': 'default', 'destination': {'server': 'https://kubernetes.default.svc',
                                                                        'namespace': 'x'}}}}
    body.update(spec)
    return {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'ApplicationSet',
            'metadata': {'name': name, 'namespace': 'argocd'}, 'spec': body}


def request(c, method, path, body=None, content_type='application/json'):
    """(status, JSON body, Warning headers)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(c.url + path, data=data, method=method, headers={'Content-Type': content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read()), resp.headers.get_all('Warning') or []
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers.get_all('Warning') or []


class ArgoCdSchemaTest(unittest.TestCase):
    """One fixture with Argo CD 3.3's CRDs for the read-mostly checks."""

    @classmethod
    def setUpClass(cls):
        cls.c = cls.enterClassContext(cluster('--argocd'))

    def create(self, base, obj, query=''):
        return request(self.c, 'POST', base + query, obj)

    def test_wrong_type_is_422_type_invalid__AE_validation_go_213_218__KO_errors_schema_go_25(self):
        bad = app('t-type', syncPolicy={'automated': {'prune': 'yes'}})
        status, body, _ = self.create(APPS, bad)
        self.assertEqual(status, 422)
        self.assertEqual(body['reason'], 'Invalid')
        detail = 'spec.syncPolicy.automated.prune in body must be of type boolean: "string"'
        self.assertEqual(body['message'], f'Application.argoproj.io "t-type" is invalid: '
                                          f'spec.syncPolicy.automated.prune: Invalid value: "string": {detail}')
        self.assertEqual(body['details'], {'name': 't-type', 'group': 'argoproj.io', 'kind': 'Application', 'causes': [
            {'reason': 'FieldValueTypeInvalid', 'message': f'Invalid value: "string": {detail}',
             'field': 'spec.syncPolicy.automated.prune'}]})
        self.assertEqual(self.c.call('GET', f'{APPS}/t-type')[0], 404)

    def test_required_fields__KO_object_validator_go_130_134__AE_validation_go_169_170(self):
        bad = app('t-req')
        del bad['spec']['destination'], bad['spec']['project']
        status, body, _ = self.create(APPS, bad)
        self.assertEqual(status, 422)
        self.assertEqual(body['message'], 'Application.argoproj.io "t-req" is invalid: '
                                          '[spec.destination: Required value, spec.project: Required value]')
        self.assertEqual([(x['reason'], x['field']) for x in body['details']['causes']],
                         [('FieldValueRequired', 'spec.destination'), ('FieldValueRequired', 'spec.project')])
        # the ApplicationSet template needs them too (the real CRD rejects a template without
        # destination, issue 13)
        s = appset('t-req-set')
        del s['spec']['template']['spec']['destination']
        status, body, _ = self.create(APPSETS, s)
        self.assertEqual((status, body['details']['causes'][0]['field']), (422, 'spec.template.spec.destination'))

    def test_enum__AE_validation_go_172_182__AM_field_errors_go_203_213(self):
        s = appset('t-enum', syncPolicy={'applicationsSync': 'sometimes'})
        status, body, _ = self.create(APPSETS, s)
        self.assertEqual(status, 422)
        self.assertEqual(body['details']['causes'], [{
            'reason': 'FieldValueNotSupported', 'field': 'spec.syncPolicy.applicationsSync',
            'message': 'Unsupported value: "sometimes": supported values: "create-only", "create-update", '
                       '"create-delete", "sync"'}])

    def test_int_or_string__AE_validation_go_256_259(self):
        steps = [{'matchExpressions': [], 'maxUpdate': 0}, {'matchExpressions': [], 'maxUpdate': '25%'}]
        status, body, _ = self.create(APPSETS, appset('t-ios', strategy={'type': 'RollingSync',
                                                                         'rollingSync': {'steps': steps}}))
        self.assertEqual(status, 201, body)
        self.assertEqual([x['maxUpdate'] for x in body['spec']['strategy']['rollingSync']['steps']], [0, '25%'])
        p = [{'op': 'replace', 'path': '/spec/strategy/rollingSync/steps/0/maxUpdate', 'value': True}]
        status, body, _ = request(self.c, 'PATCH', f'{APPSETS}/t-ios', p, JSONPATCH)
        self.assertEqual(status, 422)
        self.assertEqual(body['details']['causes'][0]['message'],
                         'Invalid value: "boolean": spec.strategy.rollingSync.steps[0].maxUpdate in body must be '
                         'of type integer,string: "boolean"')

    def test_unknown_fields_pruned_or_refused_per_fieldValidation__AS_rest_go_410_415(self):
        obj = app('t-prune')
        obj['spec']['syncPolicy'] = {'automated': {'prune': True, 'bogus': 1}, 'retry': {'limit': 2}}
        obj['spec']['source']['helm'] = {'valuesObject': {'free': {'form': [1, 2]}}}  # preserve-unknown-fields
        obj['metadata']['extra'] = 'dropped'
        obj['kindOf'] = 'dropped too'
        # Strict: 400 from the decoder (AS create.go:127-140, rest.go:246-256; AE
        # customresource_handler.go:1258-1262)
        status, body, _ = self.create(APPS, obj, '?fieldValidation=Strict')
        self.assertEqual(status, 400)
        self.assertEqual(body['message'], 'Application in version "v1alpha1" cannot be handled as a Application: '
                                          'strict decoding error: unknown field "kindOf", unknown field '
                                          '"metadata.extra", unknown field "spec.syncPolicy.automated.bogus"')
        # Warn (the default): pruned, one Warning header per field (AM util/net/http.go:655-667)
        status, body, warnings = self.create(APPS, obj)
        self.assertEqual(status, 201)
        self.assertIn('299 - "unknown field \\"spec.syncPolicy.automated.bogus\\""', warnings)
        self.assertEqual(len(warnings), 3)
        self.assertEqual(body['spec']['syncPolicy'], {'automated': {'prune': True}, 'retry': {'limit': 2}})
        self.assertEqual(body['spec']['source']['helm'], {'valuesObject': {'free': {'form': [1, 2]}}})
        self.assertNotIn('extra', body['metadata'])
        self.assertNotIn('kindOf', body)
        # a patch adding an unknown field with Strict: 422 on the field "patch" (AS patch.go:356-364)
        status, body, _ = request(self.c, 'PATCH', f'{APPS}/t-prune?fieldValidation=Strict',
                                  {'spec': {'syncPolicy': {'bogus': True}}}, MERGE)
        self.assertEqual(status, 422)
        self.assertEqual(body['details']['causes'][0]['field'], 'patch')
        self.assertTrue(body['message'].startswith(' "" is invalid: patch: Invalid value: "{'), body['message'])
        self.assertTrue(body['message'].endswith('strict decoding error: unknown field "spec.syncPolicy.bogus"'))
        # Ignore: pruned silently
        status, body, warnings = request(self.c, 'PATCH', f'{APPS}/t-prune?fieldValidation=Ignore',
                                         {'spec': {'syncPolicy': {'bogus': True}}}, MERGE)
        self.assertEqual((status, warnings), (200, []))
        self.assertNotIn('bogus', body['spec']['syncPolicy'])

    def test_non_nullable_nulls_dropped_before_validation__AE_defaulting_prunenulls_go_21_66(self):
        self.assertEqual(self.create(APPS, app('t-null'))[0], 201)
        p = [{'op': 'add', 'path': '/spec/syncPolicy', 'value': {'automated': None, 'syncOptions': ['A=b']}}]
        status, body, _ = request(self.c, 'PATCH', f'{APPS}/t-null', p, JSONPATCH)
        self.assertEqual(status, 200, body)
        self.assertEqual(body['spec']['syncPolicy'], {'syncOptions': ['A=b']})
        # a required field set to null is dropped, then reported missing
        p = [{'op': 'replace', 'path': '/spec/project', 'value': None}]
        status, body, _ = request(self.c, 'PATCH', f'{APPS}/t-null', p, JSONPATCH)
        self.assertEqual((status, body['details']['causes'][0]['field']), (422, 'spec.project'))

    def test_failed_json_patch_test_op_is_generic_422__AS_patch_go_412_415__AM_errors_go_475_477(self):
        self.assertEqual(self.create(APPS, app('t-test'))[0], 201)
        p = [{'op': 'test', 'path': '/metadata/resourceVersion', 'value': '1'},
             {'op': 'replace', 'path': '/spec/project', 'value': 'other'}]
        status, body, _ = request(self.c, 'PATCH', f'{APPS}/t-test', p, JSONPATCH)
        self.assertEqual(status, 422)
        self.assertEqual(body, {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                                'message': 'the server rejected our request due to an error in our request',
                                'reason': 'Invalid', 'details': {}, 'code': 422})
        self.assertEqual(self.c.call('GET', f'{APPS}/t-test')[1]['spec']['project'], 'default')

    def test_application_has_no_status_subresource__AE_customresource_handler_go_344_356(self):
        self.assertEqual(self.create(APPS, app('t-nostatus'))[0], 201)
        for method, body, ctype in (('GET', None, 'application/json'),
                                    ('PATCH', {'status': {'sync': {'status': 'Synced'}}}, MERGE),
                                    ('PUT', app('t-nostatus'), 'application/json')):
            status, got, _ = request(self.c, method, f'{APPS}/t-nostatus/status', body, ctype)
            self.assertEqual(status, 404, method)
            self.assertEqual(got['message'], 'applications.argoproj.io "t-nostatus" not found')
        # status is written with the object, and counts for generation (AE strategy.go:180-186)
        status, got, _ = request(self.c, 'PATCH', f'{APPS}/t-nostatus',
                                 {'status': {'sync': {'status': 'OutOfSync'}}}, MERGE)
        self.assertEqual((status, got['status']['sync']['status'], got['metadata']['generation']),
                         (200, 'OutOfSync', 2))
        names = [r['name'] for r in self.c.call('GET', '/apis/argoproj.io/v1alpha1')[1]['resources']]
        self.assertIn('applicationsets/status', names)
        self.assertNotIn('applications/status', names)

    def test_applicationset_status_subresource__AE_strategy_go_145_187__status_strategy_go_60_84(self):
        s = appset('t-status')
        s['status'] = {'conditions': [{'type': 'X', 'status': 'True', 'message': 'm', 'reason': 'r'}]}
        status, got, _ = self.create(APPSETS, s)
        self.assertEqual(status, 201)
        self.assertNotIn('status', got)  # create cannot set status
        cond = {'type': 'ResourcesUpToDate', 'status': 'True', 'message': 'ok', 'reason': 'ApplicationSetUpToDate'}
        # /status changes status only: the spec change in the same body is ignored
        status, got, _ = request(self.c, 'PATCH', f'{APPSETS}/t-status/status',
                                 {'status': {'conditions': [cond]}, 'spec': {'goTemplate': True}}, MERGE)
        self.assertEqual(status, 200, got)
        self.assertEqual(got['status']['conditions'], [cond])
        self.assertNotIn('goTemplate', got['spec'])
        self.assertEqual(got['metadata']['generation'], 1)
        # the main resource ignores status and still changes spec
        status, got, _ = request(self.c, 'PATCH', f'{APPSETS}/t-status',
                                 {'status': {'conditions': []}, 'spec': {'goTemplate': True}}, MERGE)
        self.assertEqual((status, got['status']['conditions'], got['spec']['goTemplate']), (200, [cond], True))
        self.assertEqual(got['metadata']['generation'], 2)
        # the status schema applies on /status, paths under status (AE validator.go:99-113)
        status, got, _ = request(self.c, 'PATCH', f'{APPSETS}/t-status/status',
                                 {'status': {'conditions': [{'type': 'X'}]}}, MERGE)
        self.assertEqual(status, 422)
        self.assertEqual(got['details']['causes'][0]['field'], 'status.conditions[0].message')

    def test_server_side_apply_of_an_unknown_field_is_500__AM_structuredmerge_go_145_148(self):
        obj = app('t-ssa')
        obj['spec']['bogus'] = 1
        req = urllib.request.Request(f'{self.c.url}{APPS}/t-ssa?fieldManager=me', method='PATCH',
                                     data=miniyaml.dump_all([obj]).encode(),
                                     headers={'Content-Type': 'application/apply-patch+yaml'})
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        body = json.loads(e.exception.read())
        self.assertEqual((e.exception.code, body.get('reason')), (500, None))
        self.assertEqual(body['message'], 'failed to create typed patch object (argocd/t-ssa; argoproj.io/v1alpha1, '
                                          'Kind=Application): .spec.bogus: field not declared in schema')


class ArgoCdVersionsTest(unittest.TestCase):
    def test_automated_enabled_exists_from_3_1__argo_cd_manifests_crds_application_crd_yaml(self):
        obj = app('t-enabled', syncPolicy={'automated': {'enabled': False, 'prune': True}})
        for version, kept in (('2.14', False), ('3.2', True)):
            with cluster('--argocd', version) as c:
                status, body, warnings = request(c, 'POST', APPS, obj)
                self.assertEqual(status, 201)
                self.assertEqual('enabled' in body['spec']['syncPolicy']['automated'], kept, version)
                self.assertEqual(bool(warnings), not kept)
                crd = c.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.argoproj.io')[1]
                automated = (crd['spec']['versions'][0]['schema']['openAPIV3Schema']['properties']['spec']
                             ['properties']['syncPolicy']['properties']['automated']['properties'])
                self.assertEqual('enabled' in automated, kept)


class StateTest(unittest.TestCase):
    def test_state_reload_keeps_applicationset_status_and_prunes(self):
        # --state stands for etcd: a stored status survives a reload even with a status
        # subresource (only a create through the API drops it, AE strategy.go:145-152)
        s = appset('t-state')
        s['status'] = {'conditions': [{'type': 'X', 'status': 'True', 'message': 'm', 'reason': 'r'}]}
        s['spec']['unknownField'] = 1
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'state.yaml')
            with open(path, 'w') as f:
                f.write(json.dumps(s))
            with cluster('--argocd', '--state', path) as c:
                got = c.call('GET', f'{APPSETS}/t-state')[1]
                self.assertEqual(got['status'], s['status'])
                self.assertNotIn('unknownField', got['spec'])


class RatchetingTest(unittest.TestCase):
    def test_unchanged_invalid_values_pass_an_update__AE_validation_ratcheting_go_149_154(self):
        def crd(size_type):
            return textwrap.dedent(f"""\
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {{name: widgets.demo.example.com}}
                spec:
                  group: demo.example.com
                  scope: Namespaced
                  names: {{kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: object
                            properties:
                              size: {{type: {size_type}}}
                              color: {{type: string}}
                """)
        base = '/apis/demo.example.com/v1/namespaces/default/widgets'
        with cluster() as c:
            c.kubectl('apply', '-f', '-', input=crd('integer'))
            w = {'apiVersion': 'demo.example.com/v1', 'kind': 'Widget', 'metadata': {'name': 'w'},
                 'spec': {'size': 1}}
            self.assertEqual(c.call('POST', base, w)[0], 201)
            c.kubectl('apply', '-f', '-', input=crd('string'))
            # size stays 1 (now invalid) while color changes: accepted
            self.assertEqual(c.call('PATCH', f'{base}/w', {'spec': {'color': 'red'}}, MERGE)[0], 200)
            status, body = c.call('PATCH', f'{base}/w', {'spec': {'size': 2}}, MERGE)
            self.assertEqual((status, body['details']['causes'][0]['field']), (422, 'spec.size'))
            # a new object gets no such grace
            self.assertEqual(c.call('POST', base, dict(copy.deepcopy(w), metadata={'name': 'w2'}))[0], 422)


class SchemaUnitTest(unittest.TestCase):
    """crdschema's pure functions."""

    SCHEMA = {'type': 'object', 'properties': {
        'spec': {'type': 'object', 'properties': {
            'items': {'type': 'array', 'items': {'type': 'object', 'properties': {'a': {'type': 'string'}}}},
            'labels': {'type': 'object', 'additionalProperties': {'type': 'string'}},
            'free': {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True,
                     'properties': {'typed': {'type': 'object', 'properties': {'k': {'type': 'string'}}}}},
            'opt': {'type': 'string', 'nullable': True},
            'when': {'type': 'string', 'format': 'date-time'}}}}}

    def test_prune_paths_and_what_stays__AE_pruning_algorithm_go_57_149__options_go_38_67(self):
        obj = {'apiVersion': 'x/v1', 'kind': 'K', 'metadata': {'name': 'n', 'junk': 1},
               'spec': {'items': [{'a': 'x', 'b': 1}], 'labels': {'l': 'v'}, 'zzz': {},
                        'free': {'any': {'thing': 1}, 'typed': {'k': 'v', 'gone': 1}}}}
        unknown = crdschema.prune(obj, self.SCHEMA)
        self.assertEqual(unknown, ['metadata.junk', 'spec.free.typed.gone', 'spec.items[0].b', 'spec.zzz'])
        self.assertEqual(obj['spec'], {'items': [{'a': 'x'}], 'labels': {'l': 'v'},
                                       'free': {'any': {'thing': 1}, 'typed': {'k': 'v'}}})
        self.assertEqual(obj['apiVersion'], 'x/v1')

    def test_values_before_required__KO_object_validator_go_114_137(self):
        schema = {'type': 'object', 'required': ['a'], 'properties': {'a': {'type': 'string'},
                                                                      'b': {'type': 'string'}}}
        self.assertEqual([(e.type, e.field) for e in crdschema.validate({'b': 1}, schema)],
                         [('FieldValueTypeInvalid', 'b'), ('FieldValueRequired', 'a')])
        self.assertEqual(crdschema.invalid_message('Widget.demo.example.com', 'w', crdschema.validate({'b': 1}, schema)),
                         'Widget.demo.example.com "w" is invalid: [b: Invalid value: "integer": b in body must be '
                         'of type string: "integer", a: Required value]')

    def test_nullable_and_date_time__KO_type_go_135_141__strfmt_time_go_31_47(self):
        spec = {'opt': None, 'when': '2025-01-02T03:04:05Z'}
        crdschema.drop_null_fields(spec, self.SCHEMA['properties']['spec'])
        self.assertEqual(spec, {'opt': None, 'when': '2025-01-02T03:04:05Z'})
        self.assertEqual(crdschema.validate({'spec': spec}, self.SCHEMA), [])
        errs = crdschema.validate({'spec': {'when': '2025-13-02T03:04:05Z', 'labels': {'l': 1}}}, self.SCHEMA)
        self.assertEqual([str(e) for e in errs], [
            'spec.labels.l: Invalid value: "integer": spec.labels.l in body must be of type string: "integer"',
            'spec.when: Invalid value: "2025-13-02T03:04:05Z": spec.when in body must be of type date-time: '
            '"2025-13-02T03:04:05Z"'])


if __name__ == '__main__':
    unittest.main()
