#!/usr/bin/env python3
"""tilt-helm-adopt against the seed's shell approach, in one run, on the same objects.

    helm_adopt_bench.py TILT_HELM_ADOPT [--smoke]

Two fixtures (test/cluster/serve) start from the same --state: objects of several releases,
created the way Argo CD creates them (instance label, tracking-id annotation, no Helm
metadata). On the first, the baseline adopts one release as tilt/tilt-helm-adopt.sh did:
`kubectl api-resources --verbs=list --namespaced -o name`, one `kubectl get -l ... -o json` per
type, then one `kubectl label` and one `kubectl annotate` per object that needs them. On the
second, tilt-helm-adopt adopts the same release, then runs again (a no-op). Both results are
checked to be the same set of adopted objects; the ratios are printed.

full:  --latency-ms 20 --extra-types 60, 3,000 objects across 5 releases (figures in
       native/tilt-helm-adopt/README.md); exits 1 when a target (15x, 30x) is missed.
smoke: --latency-ms 2 --extra-types 3, 60 objects across 3 releases; checks correctness only.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cluster'))
from fixture import cluster  # noqa: E402

NS = 'apps'
SELECTOR_KEY = 'app.kubernetes.io/instance'


def make_state(releases, per_release, extra_types):
    """A --state stream: per release, a mix of built-in and custom-type objects."""
    mix = [('v1', 'ConfigMap', 25), ('v1', 'Secret', 10), ('v1', 'Service', 10), ('v1', 'ServiceAccount', 5),
           ('apps/v1', 'Deployment', 10)]
    docs = [{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': NS}}]
    for r in range(releases):
        release = f'apps-svc{r}'
        kinds = []
        for api_version, kind, weight in mix:
            kinds += [(api_version, kind)] * weight
        kinds += [('scale.example.com/v1', f'Extra{i}') for i in range(extra_types)] * 2
        random.Random(r).shuffle(kinds)  # every type shows up, also in small runs
        for i in range(per_release):
            api_version, kind = kinds[i % len(kinds)]
            name = f'{release}-{kind.lower()}-{i}'
            group = api_version.rpartition('/')[0]
            obj = {'apiVersion': api_version, 'kind': kind, 'metadata': {
                'name': name, 'namespace': NS,
                'labels': {SELECTOR_KEY: release, 'app.kubernetes.io/name': release},
                'annotations': {'argocd.argoproj.io/tracking-id': f'{release}:{group}/{kind}:{NS}/{name}'}}}
            if kind == 'ConfigMap':
                obj['data'] = {'key': 'value'}
            elif kind == 'Secret':
                obj['stringData'] = {'token': 'not-a-real-token'}
            elif kind == 'Service':
                obj['spec'] = {'ports': [{'port': 80}], 'selector': {SELECTOR_KEY: release}}
            elif kind == 'Deployment':
                obj['spec'] = {'replicas': 1, 'selector': {'matchLabels': {SELECTOR_KEY: release}},
                               'template': {'metadata': {'labels': {SELECTOR_KEY: release}},
                                            'spec': {'containers': [{'name': 'app', 'image': 'registry.example/a:1'}]}}}
            docs.append(obj)
    return '\n---\n'.join(json.dumps(d) for d in docs) + '\n'


def needs_adoption(obj, release):
    md = obj['metadata']
    return not (md.get('labels', {}).get('app.kubernetes.io/managed-by') == 'Helm'
                and md.get('annotations', {}).get('meta.helm.sh/release-name') == release
                and md.get('annotations', {}).get('meta.helm.sh/release-namespace') == NS)


def baseline(c, release):
    """The seed's tilt-helm-adopt.sh, step by step, one kubectl process at a time."""
    def kubectl(*args):
        return c.kubectl(*args, timeout=300)
    types = kubectl('api-resources', '--verbs=list', '--namespaced', '-o', 'name').stdout.split()
    todo = []
    for t in types:
        res = c.kubectl('get', t, '-n', NS, '-l', f'{SELECTOR_KEY}={release}', '-o', 'json', check=False, timeout=300)
        if res.returncode != 0:
            continue  # the script ignored types it could not list
        for o in json.loads(res.stdout)['items']:
            if needs_adoption(o, release):
                todo.append((t, o['metadata']['name']))
    for t, name in todo:
        kubectl('label', t, name, '-n', NS, '--overwrite', 'app.kubernetes.io/managed-by=Helm')
        kubectl('annotate', t, name, '-n', NS, '--overwrite', f'meta.helm.sh/release-name={release}',
                f'meta.helm.sh/release-namespace={NS}')
    return len(types), len(todo)


def tool(c, binary, release):
    argv = [binary, release, '--namespace', NS, '--kubeconfig', c.kubeconfig, '-o', 'json',
            '--scrub-managed-fields', 'never']
    start = time.monotonic()
    res = subprocess.run(argv, env=c.env, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    if res.returncode != 0:
        raise SystemExit(f'{" ".join(argv)} exited {res.returncode}:\n{res.stdout}\n{res.stderr}')
    return elapsed, json.loads(res.stdout)


def adopted_names(c, release, types):
    """(type, name) of every object of the release that carries Helm's ownership metadata."""
    out = set()
    for t in types:
        res = c.kubectl('get', t, '-n', NS, '-l', f'{SELECTOR_KEY}={release}', '-o', 'json', check=False)
        if res.returncode == 0:
            out |= {(t, o['metadata']['name']) for o in json.loads(res.stdout)['items'] if not needs_adoption(o, release)}
    return out


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary, smoke = sys.argv[1], '--smoke' in sys.argv[2:]
    latency, extra, releases, per_release = (2, 3, 3, 20) if smoke else (20, 60, 5, 600)
    release = 'apps-svc0'
    flags = ['--latency-ms', str(latency), '--extra-types', str(extra)]
    print(f'mode: {"smoke" if smoke else "full"}; fixture --latency-ms {latency} --extra-types {extra}; '
          f'{releases * per_release} objects across {releases} releases, adopting {release} ({per_release})',
          flush=True)
    with tempfile.TemporaryDirectory() as d:
        state = os.path.join(d, 'state.yaml')
        with open(state, 'w') as f:
            f.write(make_state(releases, per_release, extra))
        with cluster(*flags, '--state', state, startup_timeout=120) as c:
            start = time.monotonic()
            n_types, n_todo = baseline(c, release)
            base = time.monotonic() - start
            kinds = c.kubectl('api-resources', '--verbs=list', '--namespaced', '-o', 'name').stdout.split()
            base_result = adopted_names(c, release, kinds)
            base_requests = len(c.requests())
        print(f'baseline (kubectl per step): {base:8.2f} s  {n_types} types listed, {n_todo} objects '
              f'labelled+annotated, {base_requests} API requests', flush=True)
        with cluster(*flags, '--state', state, startup_timeout=120) as c:
            first, report = tool(c, binary, release)
            first_requests = len(c.requests())
            again, rerun = tool(c, binary, release)
            rerun_writes = [q for q in c.requests()[first_requests:] if q['method'] in ('POST', 'PUT', 'PATCH', 'DELETE')]
            tool_result = adopted_names(c, release, kinds)
    print(f'tilt-helm-adopt first run:   {first:8.2f} s  ({report["seconds"]:.2f} s scan+patch, rest proxy start '
          f'and discovery) {report["typesScanned"]} types, {report["adopted"]} adopted, {report["requests"]} requests')
    print(f'tilt-helm-adopt no-op rerun: {again:8.2f} s  ({rerun["seconds"]:.2f} s scan) '
          f'{rerun["alreadyOwned"]} already owned, {len(rerun_writes)} writes')
    problems = []
    if base_result != tool_result:
        problems.append(f'different results: baseline only {sorted(base_result - tool_result)[:5]}, '
                        f'tool only {sorted(tool_result - base_result)[:5]}')
    if len(base_result) != per_release or report['adopted'] != per_release:
        problems.append(f'expected {per_release} adopted objects, baseline {len(base_result)}, tool {report["adopted"]}')
    if rerun_writes or rerun['adopted']:
        problems.append(f'the rerun wrote {len(rerun_writes)} times')
    r1, r2 = base / first, base / again
    print(f'ratio first adoption: {r1:6.1f}x (target >= 15x)')
    print(f'ratio no-op rerun:    {r2:6.1f}x (target >= 30x, against the baseline\'s first run)')
    if not smoke:
        if r1 < 15:
            problems.append(f'first adoption {r1:.1f}x < 15x')
        if r2 < 30:
            problems.append(f'no-op rerun {r2:.1f}x < 30x')
    for p in problems:
        print('FAIL: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
