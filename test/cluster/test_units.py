"""Unit tests of the fixture's pure parts: patch formats, field sets, the YAML subset."""
import unittest

import miniyaml
import patches


class PatchTest(unittest.TestCase):
    def test_merge_patch_rfc7386(self):
        self.assertEqual(patches.merge_patch({'a': 1, 'b': {'c': 2, 'd': 3}}, {'a': None, 'b': {'c': 4}, 'e': [1]}),
                         {'b': {'c': 4, 'd': 3}, 'e': [1]})

    def test_json_patch_rfc6902(self):
        doc = {'a': [1, 2], 'b': {'c': 'x'}}
        out = patches.json_patch(doc, [{'op': 'add', 'path': '/a/1', 'value': 9},
                                       {'op': 'remove', 'path': '/b/c'},
                                       {'op': 'copy', 'from': '/a/0', 'path': '/b/d'},
                                       {'op': 'move', 'from': '/b/d', 'path': '/e'},
                                       {'op': 'test', 'path': '/e', 'value': 1}])
        self.assertEqual(out, {'a': [1, 9, 2], 'b': {}, 'e': 1})
        self.assertEqual(doc, {'a': [1, 2], 'b': {'c': 'x'}})
        with self.assertRaises(patches.PatchError):
            patches.json_patch(doc, [{'op': 'test', 'path': '/a/0', 'value': 5}])
        with self.assertRaises(patches.PatchError):
            patches.json_patch(doc, [{'op': 'replace', 'path': '/zzz', 'value': 5}])

    def test_json_patch_test_null_matches_an_absent_key__json_patch_v4_12_0_patch_go_690_693(self):
        doc = {'a': {'b': 1}}
        self.assertEqual(patches.json_patch(doc, [{'op': 'test', 'path': '/a/zzz', 'value': None}]), doc)
        for ops in ([{'op': 'test', 'path': '/a/b', 'value': None}],      # present: compared
                    [{'op': 'test', 'path': '/x/zzz', 'value': None}],    # parent missing
                    [{'op': 'frobnicate', 'path': '/a'}]):               # fails when applied: 422
            with self.assertRaises(patches.PatchError) as e:
                patches.json_patch(doc, ops)
            self.assertEqual(e.exception.code, 422)

    def test_strategic_merge_keys_and_directives(self):
        live = {'spec': {'containers': [{'name': 'a', 'image': '1', 'env': [{'name': 'X', 'value': '1'}]},
                                        {'name': 'b', 'image': '1'}],
                         'args': ['x', 'y']}}
        out = patches.strategic_merge(live, {'spec': {
            'containers': [{'name': 'a', 'image': '2', 'env': [{'name': 'Y', 'value': '2'}]},
                           {'name': 'b', '$patch': 'delete'}],
            '$setElementOrder/containers': [{'name': 'a'}],
            'args': ['z']}})
        self.assertEqual(out['spec']['containers'],
                         [{'name': 'a', 'image': '2', 'env': [{'name': 'X', 'value': '1'}, {'name': 'Y', 'value': '2'}]}])
        self.assertEqual(out['spec']['args'], ['z'])  # lists without a merge key are replaced
        svc = patches.strategic_merge({'ports': [{'port': 80, 'name': 'a'}, {'port': 81}]},
                                      {'ports': [{'port': 81, 'name': 'b'}]})
        self.assertEqual(svc['ports'], [{'port': 80, 'name': 'a'}, {'port': 81, 'name': 'b'}])
        self.assertEqual(patches.strategic_merge({'s': {'a': 1, 'b': 2}}, {'s': {'$retainKeys': ['b'], 'b': 3}}),
                         {'s': {'b': 3}})

    def test_field_sets_round_trip(self):
        obj = {'metadata': {'name': 'x', 'labels': {'a': 'b'}},
               'spec': {'containers': [{'name': 'c', 'image': 'i'}]}}
        paths = patches.field_paths(obj)
        self.assertIn(('f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'), paths)
        self.assertNotIn(('f:metadata', 'f:name'), paths)
        tree = patches.to_fields_v1(paths)
        self.assertEqual(tree['f:spec']['f:containers']['k:{"name":"c"}']['.'], {})
        self.assertEqual(patches.from_fields_v1(tree), paths)
        self.assertEqual(patches.dotted(('f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image')),
                         '.spec.containers[name="c"].image')


class YamlTest(unittest.TestCase):
    def test_manifest_subset(self):
        docs = miniyaml.load_all("""
# comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: x   # trailing comment
  labels: {a: b}
  annotations:
    "quoted/key": 'it''s'
data:
  script: |
    line one
      indented
  flag: "true"
  n: 3
---
items:
- name: a
  ports:
  - 80
  - 81
- - nested
""")
        self.assertEqual(docs[0]['metadata'], {'name': 'x', 'labels': {'a': 'b'},
                                               'annotations': {'quoted/key': "it's"}})
        self.assertEqual(docs[0]['data'], {'script': 'line one\n  indented\n', 'flag': 'true', 'n': 3})
        self.assertEqual(docs[1], {'items': [{'name': 'a', 'ports': [80, 81]}, ['nested']]})

    def test_dump_loads_back(self):
        doc = {'a': {'b': ['x', 1, True, None, {'c': 'multi\nline', 'd': ''}]}, 'e': '123', 'f:g': {'.': {}}}
        self.assertEqual(miniyaml.load_all(miniyaml.dump_all([doc, {'k': []}])), [doc, {'k': []}])

    def test_unsupported_construct_is_an_error(self):
        with self.assertRaises(ValueError):
            miniyaml.load_all('a: &anchor 1\nb: *anchor\n')


if __name__ == '__main__':
    unittest.main()
