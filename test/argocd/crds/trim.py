#!/usr/bin/env python3
"""Regenerates the trimmed Argo CD CRDs in this folder from an argo-cd git checkout.

    trim.py --git-dir ARGO_CD_GIT_DIR [TAG...]      (default tags: v2.14.0 v3.2.0 v3.3.0)

For each TAG it reads manifests/crds/application-crd.yaml and applicationset-crd.yaml at that
tag (git show) and writes TAG/application-crd.yaml and TAG/applicationset-crd.yaml here, with:
- every `description` removed (documentation only; no effect on validation or pruning);
- in the ApplicationSet, the generator kinds our tests never write (matrix, merge, scmProvider,
  pullRequest, clusterDecisionResource, plugin) reduced to a free-form object
  (x-kubernetes-preserve-unknown-fields). list, clusters, git and selector keep their schema.
Everything else (types, required, enum, int-or-string, formats, patterns, subresources) is kept
exactly as the tag ships it. Needs PyYAML (a developer tool; serve itself reads the output with
miniyaml, standard library only).
"""
import argparse
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'cluster'))
import miniyaml  # noqa: E402

FREE_FORM_GENERATORS = ('matrix', 'merge', 'scmProvider', 'pullRequest', 'clusterDecisionResource', 'plugin')


def strip_descriptions(x):
    if isinstance(x, dict):
        return {k: strip_descriptions(v) for k, v in x.items() if k != 'description'}
    if isinstance(x, list):
        return [strip_descriptions(v) for v in x]
    return x


def trim(crd):
    crd = strip_descriptions(crd)
    for v in crd['spec']['versions']:
        spec = v['schema']['openAPIV3Schema']['properties']['spec']
        gens = spec['properties'].get('generators', {}).get('items', {}).get('properties', {})
        for name in FREE_FORM_GENERATORS:
            if name in gens:
                gens[name] = {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True}
    return crd


def header(tag, path, trimmed_generators):
    lines = [f'# Argo CD {tag}: argoproj/argo-cd {path} at tag {tag}, trimmed by trim.py.',
             '# Removed: every `description`.']
    if trimmed_generators:
        lines.append('# Free-form here (typed upstream): spec.generators[].{' + ','.join(FREE_FORM_GENERATORS) + '}.')
    lines.append('# Everything else is as upstream ships it. Regenerate with trim.py; do not edit by hand.')
    return '\n'.join(lines) + '\n'


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--git-dir', required=True, help='an argo-cd clone (or bare repository)')
    p.add_argument('tags', nargs='*', default=['v2.14.0', 'v3.2.0', 'v3.3.0'])
    args = p.parse_args()
    for tag in args.tags:
        os.makedirs(os.path.join(HERE, tag), exist_ok=True)
        for name in ('application-crd.yaml', 'applicationset-crd.yaml'):
            path = f'manifests/crds/{name}'
            text = subprocess.run(['git', '--git-dir', args.git_dir, 'show', f'{tag}:{path}'],
                                  check=True, capture_output=True, text=True).stdout
            crd = trim(yaml.safe_load(text))
            out = header(tag, path, name.startswith('applicationset')) + miniyaml.dump_all([crd])
            if miniyaml.load_all(out) != [crd]:
                sys.exit(f'trim.py: miniyaml does not round-trip {tag}/{name}')
            with open(os.path.join(HERE, tag, name), 'w') as f:
                f.write(out)
            print(f'{tag}/{name}: {len(out)} bytes')


if __name__ == '__main__':
    main()
