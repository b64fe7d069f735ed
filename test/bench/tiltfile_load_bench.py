#!/usr/bin/env python3
"""Tiltfile load benchmark (issue 16, "Tiltfile load"): how long the root Tiltfile takes to load
in the Starlark harness (test/tiltfile/tilt-eval) with the workspace's 12 components and with a
generated 100-component copy of it, in the same run.

Tilt re-runs the whole Tiltfile whenever a watched file changes, so this is paid on every
component.yaml or value-file edit. The load must stay linear in the number of components and
run `tilt-values-parity plan` once, whatever that number.

Prints the median load time of each size, the ratio 100/12 and the cost per component; exits 1
when the ratio exceeds LINEAR_SLACK times the size ratio (100/12) or a load runs the planner more
than once. --smoke: one round each (what CTest runs).

Usage: tiltfile_load_bench.py --bin-dir build/bin [--tilt-eval PATH] [--rounds 5] [--smoke]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
SIZES = (12, 100)
# Loose linearity: a load may cost up to this factor more per component at 100 than at 12.
LINEAR_SLACK = 1.5
TEMPLATE = 'graph'
ENVS = ['_shared', 'dev', 'staging', 'prod']


def clone_component(repo, template, name):
    """Adds component `name` to the workspace at repo/values as a copy of `template`: its
    component.yaml, its value file in every environment, and its service folder (whose Dockerfile
    Tilt reads at load time). The template's name must not occur in another component's name."""
    values = os.path.join(repo, 'values')
    comp = os.path.join(values, 'components', name)
    os.makedirs(comp)
    with open(os.path.join(values, 'components', template, 'component.yaml')) as f:
        text = f.read()
    with open(os.path.join(comp, 'component.yaml'), 'w') as f:
        f.write(text.replace(template, name))
    for env in ENVS:
        src = os.path.join(values, env, 'apps', f'apps-{template}.yaml')
        with open(src) as f:
            text = f.read()
        with open(os.path.join(values, env, 'apps', f'apps-{name}.yaml'), 'w') as f:
            f.write(text.replace(template, name))
    svc = os.path.join(repo, 'services', name)
    shutil.copytree(os.path.join(repo, 'services', template), svc)
    cmd = os.path.join(svc, 'cmd', template)
    if os.path.isdir(cmd):
        os.rename(cmd, os.path.join(svc, 'cmd', name))


def workspace_copy(tmp, components):
    """A copy of the repository's values/ and services/ under tmp with `components` components."""
    shutil.copytree(os.path.join(REPO, 'values'), os.path.join(tmp, 'values'))
    shutil.copytree(os.path.join(REPO, 'services'), os.path.join(tmp, 'services'))
    have = len(os.listdir(os.path.join(tmp, 'values', 'components')))
    for i in range(components - have):
        clone_component(tmp, TEMPLATE, f'bench{i:03d}')
    return os.path.join(tmp, 'values')


def load_once(tilt_eval, bin_dir, values_root):
    argv = [tilt_eval, '--local', 'allow', '--context', 'k3d-ameide', '--env', f'AMEIDE_BIN_DIR={bin_dir}',
            '--env', f'AMEIDE_VALUES_ROOT={values_root}', os.path.join(REPO, 'Tiltfile')]
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f'tiltfile_load_bench: the root Tiltfile failed to load with {values_root}:\n{proc.stderr}')
    doc = json.loads(proc.stdout)
    apps = len([r for r in doc['resources'] if r['kind'] == 'k8s_custom_deploy' and r['name'].startswith('apps-')])
    plans = len([c for c in doc['local_calls'] if 'plan' in (c['argv'] or [])])
    return elapsed, apps, plans


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--bin-dir', default=os.path.join(REPO, 'build', 'bin'))
    ap.add_argument('--tilt-eval', default=os.path.join(REPO, 'test', 'tiltfile', 'tilt-eval'))
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--smoke', action='store_true', help='one round of each size')
    a = ap.parse_args()
    rounds = 1 if a.smoke else a.rounds
    bin_dir = os.path.abspath(a.bin_dir)
    ok = True
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {12: os.path.join(REPO, 'values')}
        roots[100] = workspace_copy(os.path.join(tmp, 'w100'), 100)
        load_once(a.tilt_eval, bin_dir, roots[12])  # warm the harness binary and the page cache
        times = {n: [] for n in SIZES}
        for _ in range(rounds):
            for n in SIZES:  # interleaved, so machine load hits both sizes alike
                elapsed, apps, plans = load_once(a.tilt_eval, bin_dir, roots[n])
                times[n].append(elapsed)
                if apps != n or plans != 1:
                    print(f'FAIL {n} components: {apps} apps-* resources, {plans} plan runs per load (want {n}, 1)')
                    ok = False
        for n in SIZES:
            medians[n] = statistics.median(times[n])
            print(f'{n:4d} components: median load {medians[n] * 1000:8.1f} ms over {rounds} round(s), '
                  f'{medians[n] * 1000 / n:6.2f} ms per component, 1 plan run per load')
    ratio = medians[100] / medians[12]
    bound = LINEAR_SLACK * 100 / 12
    print(f'ratio 100/12: {ratio:.2f}x (linear: {100 / 12:.2f}x; bound {bound:.2f}x); '
          f'marginal cost {(medians[100] - medians[12]) * 1000 / 88:.2f} ms per added component')
    if ratio > bound:
        print(f'FAIL load time grows faster than linear: {ratio:.2f}x > {bound:.2f}x')
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
