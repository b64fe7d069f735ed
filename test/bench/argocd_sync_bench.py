#!/usr/bin/env python3
"""Benchmark of tilt-argocd-sync pause/resume against the seed's sequential approach (one
`kubectl patch` per Application and per ApplicationSet, run one after another), measured in the
same run on test/cluster/serve --argocd --latency-ms L. Also measures serve's SIGTERM-to-exit
time (serve exits once every app is written back).

  argocd_sync_bench.py --bin PATH            full run: 15 apps at 50 ms (figures for the README)
  argocd_sync_bench.py --bin PATH --smoke    3 apps at 5 ms, checks the results only (CI)
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'cluster'))
sys.path.insert(0, os.path.join(HERE, '..', 'integration', 'tilt-argocd-sync'))
from fixture import cluster  # noqa: E402
from argocd_objects import TEMPLATE_POLICY, application, application_set, as_list  # noqa: E402

NS = 'argocd'


def timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--bin', required=True)
    p.add_argument('--smoke', action='store_true')
    p.add_argument('--apps', type=int)
    p.add_argument('--latency-ms', type=float)
    a = p.parse_args()
    n = a.apps or (3 if a.smoke else 15)
    latency = a.latency_ms if a.latency_ms is not None else (5 if a.smoke else 50)
    apps = [f'apps-b{i:02d}' for i in range(n)]
    state = tempfile.mkdtemp(prefix='tas-bench-')

    with cluster('--argocd', '--latency-ms', str(latency)) as c:
        env = dict(c.env, AMEIDE_ARGOCD_STATE_DIR=state)
        c.kubectl('create', '--validate=false', '-f', '-',
                  input=as_list([application_set()] + [application(x, TEMPLATE_POLICY) for x in apps]))
        # Progressive syncs on, so that the tool also writes the RollingSync steps, as the seed does.
        c.kubectl('create', 'configmap', 'argocd-cmd-params-cm', '-n', NS,
                  '--from-literal=applicationsetcontroller.enable.progressive.syncs=true')
        c.kubectl('get', 'applications', '-n', NS)  # warm kubectl's discovery cache for the baseline
        original_set = json.loads(c.kubectl('get', 'applicationset', 'apps-dev', '-n', NS, '-o', 'json').stdout)

        def kubectl_patch(kind, name, ptype, patch):
            c.kubectl('patch', kind, name, '-n', NS, '--type', ptype, '-p', json.dumps(patch))

        def seed_pause():
            for x in apps:
                kubectl_patch('application', x, 'json', [{'op': 'remove', 'path': '/spec/syncPolicy/automated'}])
            steps = original_set['spec']['strategy']['rollingSync']['steps']
            kubectl_patch('applicationset', 'apps-dev', 'merge',
                          {'spec': {'strategy': {'rollingSync': {'steps': [dict(s, maxUpdate=0) for s in steps]}}}})

        def seed_resume():
            for x in apps:
                kubectl_patch('application', x, 'merge',
                              {'spec': {'syncPolicy': {'automated': {'prune': True, 'selfHeal': True}}}})
            kubectl_patch('applicationset', 'apps-dev', 'merge', {'spec': {'strategy': original_set['spec']['strategy']}})

        def tool(*args):
            r = subprocess.run([a.bin, '--kubeconfig', c.kubeconfig, *args], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f'tilt-argocd-sync {args[0]} failed ({r.returncode}): {r.stdout}{r.stderr}')

        def automated(x):
            return json.loads(c.kubectl('get', 'application', x, '-n', NS, '-o', 'json').stdout)['spec'][
                'syncPolicy'].get('automated')

        def check(paused):
            for x in apps:
                got = automated(x)
                # off: no `automated`, or `enabled: false` (what the guard writes where the
                # Application CRD has the field, as serve --argocd's default 3.3 CRD does)
                if (got is None or got.get('enabled') is False) != paused:
                    sys.exit(f'{x}: expected {"paused" if paused else "resumed"}, automated={got}')

        base_pause = timed(seed_pause)
        check(True)
        base_resume = timed(seed_resume)
        check(False)
        ours_pause = timed(lambda: tool('pause', '--auto-sync-off', 'remove', *apps))
        check(True)
        # --no-sync: the seed's resume requests no sync either (and no controller runs here to
        # finish the step-ordered syncs a resume under progressive syncs waits for)
        ours_resume = timed(lambda: tool('resume', '--no-sync'))
        check(False)
        if json.loads(c.kubectl('get', 'applicationset', 'apps-dev', '-n', NS, '-o', 'json').stdout)['spec'] != \
                original_set['spec']:
            sys.exit('resume did not restore the ApplicationSet')

        # --step-timeout 1: no controller finishes the step-ordered syncs the watcher requests
        # after serve exits, so each batch gives up after 1 s
        proc = subprocess.Popen([a.bin, '--kubeconfig', c.kubeconfig, 'serve', '--step-timeout', '1', *apps],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        while True:
            line = proc.stdout.readline()
            if line.startswith('guarding'):
                break
            if not line and proc.poll() is not None:
                sys.exit('serve exited early')
        watcher = int(line.split('watcher pid ')[1].split(';')[0]) if 'watcher pid ' in line else None
        check(True)
        t = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)
        rc = proc.wait(60)
        serve_stop = time.monotonic() - t
        proc.stdout.close()
        if rc != 0:
            sys.exit(f'serve exited {rc}')
        check(False)
        # Under progressive syncs the watcher syncs the apps after serve exits, in the RollingSync
        # step order (here all in step 1, no maxUpdate: one batch), each with its own options.
        deadline = time.monotonic() + 30
        while watcher and os.path.exists(f'/proc/{watcher}') and time.monotonic() < deadline:
            with open(f'/proc/{watcher}/stat') as f:
                if f.read().split(') ', 1)[1][0] == 'Z':
                    break
            time.sleep(0.1)
        if watcher and os.path.exists(f'/proc/{watcher}') and time.monotonic() >= deadline:
            os.kill(watcher, signal.SIGKILL)
            sys.exit(f'the watcher (pid {watcher}) was still running 30 s after serve exited')
        for x in apps:
            op = json.loads(c.kubectl('get', 'application', x, '-n', NS, '-o', 'json').stdout).get('operation') or {}
            if (op.get('sync') or {}).get('syncOptions') != TEMPLATE_POLICY['syncOptions'] or \
                    'tilt-argocd-sync' not in (op.get('initiatedBy') or {}).get('username', ''):
                sys.exit(f'{x}: no step-ordered sync with its own options after serve: {op}')

    print(f'apps={n} (+1 ApplicationSet) latency={latency:g} ms')
    print(f'pause : seed sequential kubectl {base_pause:.3f} s, tilt-argocd-sync {ours_pause:.3f} s, '
          f'ratio {base_pause / ours_pause:.1f}x (target >= 5x)')
    print(f'resume: seed sequential kubectl {base_resume:.3f} s, tilt-argocd-sync {ours_resume:.3f} s '
          f'(--no-sync, as the seed), ratio {base_resume / ours_resume:.1f}x (target >= 5x)')
    print(f'serve : SIGTERM to all {n} apps written back and exit {serve_stop:.3f} s (target <= 1.5 s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
