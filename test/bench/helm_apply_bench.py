#!/usr/bin/env python3
"""tilt-helm-apply against a plain `helm upgrade --install`, in one run, per helm major.

    helm_apply_bench.py TILT_HELM_APPLY HELM3 HELM4 [--smoke] [--rounds N] [--firsts N]

Two fixtures (test/cluster/serve --argocd --latency-ms 20) per helm binary. On the first ("ours")
the release's objects start as Argo CD leaves them: rendered by `helm template` with the same
chart and value files, applied by `kubectl apply --field-manager=argocd-controller` (Argo CD's
default client-side apply) with Argo CD's tracking-id annotation, and an Application whose
status.resources names them; no Helm release. On the second ("plain") there is only the empty
namespace. Then, interleaved so that both see the same machine load:

- first apply: `tilt-helm-apply apply` (adopting Argo CD's objects) vs `helm upgrade --install`
  into an empty namespace, once per namespace (--firsts namespaces);
- re-apply: N rounds, each changing only the image tag, `tilt-helm-apply apply` vs
  `helm upgrade --install` with the same chart, value files and `--set-string` image keys.

Writes are counted from the fixtures' request logs: on a re-apply tilt-helm-apply must send no
write beyond helm's own (requests whose user agent is not helm's), and as many as plain helm.

CPU: user + system seconds of each run and every process it waited for (getrusage
RUSAGE_CHILDREN deltas: helm, the post-renderer, a per-run kubectl proxy), less sensitive to a
loaded machine than wall time. The session's kubectl proxy runs under a detached keeper, so its
CPU is read from /proc (keeper and kubectl, through the records in the state folder) and shown
separately.

full:  7 rounds, 3 first applies per helm; exits 1 when re-apply > 1.15x or first > 2x.
smoke: 2 rounds, 1 first apply, --latency-ms 2; checks correctness (images, writes) only.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'test', 'cluster'))
from fixture import cluster  # noqa: E402
import miniyaml  # noqa: E402

CHART = os.path.join(REPO, 'values', 'charts', 'app')
VALUES = [os.path.join(REPO, 'values', '_shared', 'apps', 'apps-graph.yaml'),
          os.path.join(REPO, 'values', 'dev', 'apps', 'apps-graph.yaml')]
RELEASE = 'apps-graph'
REPO_KEY, TAG_KEY = 'image.repository', 'image.tag'
IMAGE_REPO = 'registry.localhost:32000/graph'
WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')


def argo_deploy(c, helm, ns, app):
    """The objects as Argo CD applies them, and the Application that tracks them."""
    c.kubectl('create', 'namespace', ns)
    argv = [helm, 'template', RELEASE, CHART, '--namespace', ns]
    for f in VALUES:
        argv += ['--values', f]
    docs = [d for d in miniyaml.load_all(c.run(argv).stdout) if d]
    resources = []
    for d in docs:
        group = d['apiVersion'].rpartition('/')[0]
        md = d['metadata']
        md['namespace'] = ns
        md.setdefault('annotations', {})['argocd.argoproj.io/tracking-id'] = f"{app}:{group}/{d['kind']}:{ns}/{md['name']}"
        resources.append({'group': group, 'version': d['apiVersion'].rpartition('/')[2], 'kind': d['kind'],
                          'namespace': ns, 'name': md['name']})
    c.kubectl('apply', '--field-manager=argocd-controller', '-f', '-', input=miniyaml.dump_all(docs))
    application = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
                   'metadata': {'name': app, 'namespace': 'argocd'},
                   'spec': {'project': 'default', 'destination': {'namespace': ns}},
                   'status': {'resources': resources}}
    c.kubectl('apply', '-f', '-', input=json.dumps(application))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def proc_cpu(pid):
    """utime + stime of a running process, in seconds (0 when it is gone)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rpartition(')')[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, IndexError, ValueError):
        return 0.0


def session_proxy_cpu(c):
    """CPU seconds so far of the session proxies' keepers and their kubectl (apply_connection.hpp)."""
    folder = os.path.join(c.env['XDG_CACHE_HOME'], 'ath', 'helm-apply', 'session-proxies')
    total = 0.0
    for name in (os.listdir(folder) if os.path.isdir(folder) else []):
        if not name.endswith('.json'):
            continue
        try:
            with open(os.path.join(folder, name)) as f:
                keeper = json.load(f)['keeper_pid']
            with open(f'/proc/{keeper}/task/{keeper}/children') as f:
                kids = [int(p) for p in f.read().split()]
        except (OSError, ValueError, KeyError):
            continue
        total += proc_cpu(keeper) + sum(proc_cpu(k) for k in kids)
    return total


def timed(c, argv, env=None):
    """(wall seconds, CompletedProcess, CPU seconds of the run and its waited-for children)."""
    start, cpu = time.monotonic(), children_cpu()
    res = subprocess.run(argv, env=env or c.env, capture_output=True, text=True, timeout=600)
    elapsed, cpu = time.monotonic() - start, children_cpu() - cpu
    if res.returncode != 0:
        raise SystemExit(f'{" ".join(argv)} exited {res.returncode}:\n{res.stderr[-3000:]}')
    return elapsed, res, cpu


def ours(c, tool, helm, ns, app, tag):
    argv = [tool, 'apply', '--release', RELEASE, '--namespace', ns, '--chart', CHART,
            '--image-key', f'{REPO_KEY},{TAG_KEY}', '--argocd-app', app]
    for f in VALUES:
        argv += ['--values', f]
    env = dict(c.env, AMEIDE_HELM_BIN=helm, TILT_IMAGE_0=f'{IMAGE_REPO}:{tag}')
    return timed(c, argv, env)


def plain(c, helm, ns, tag):
    argv = [helm, 'upgrade', '--install', RELEASE, CHART, '--namespace', ns]
    for f in VALUES:
        argv += ['--values', f]
    argv += ['--set-string', f'{REPO_KEY}={IMAGE_REPO}', '--set-string', f'{TAG_KEY}={tag}']
    if helm_major(helm) >= 4:
        argv.append('--server-side=false')  # what tilt-helm-apply runs Helm 4 with
    return timed(c, argv)


def helm_major(helm):
    out = subprocess.run([helm, 'version', '--template', '{{.Version}}'], capture_output=True, text=True).stdout
    return int(out.lstrip('v').split('.')[0])


def writes(c, since):
    """(all writes, writes not sent by helm) in the request log after index `since`."""
    log = c.requests()[since:]
    w = [r for r in log if r['method'] in WRITES]
    not_helm = [r for r in w if not (r.get('user_agent') or '').lower().startswith('helm')]
    return len(w), not_helm


def image(c, ns):
    status, body = c.call('GET', f'/apis/apps/v1/namespaces/{ns}/deployments/{RELEASE}')
    assert status == 200, body
    return body['spec']['template']['spec']['containers'][0]['image']


def bench(tool, helm, smoke, rounds, firsts):
    latency = '2' if smoke else '20'
    flags = ('--argocd', '--latency-ms', latency)
    version = subprocess.run([helm, 'version', '--template', '{{.Version}}'], capture_output=True, text=True).stdout
    problems = []
    with cluster(*flags, startup_timeout=60) as mine, cluster(*flags, startup_timeout=60) as base:
        for i in range(firsts):
            argo_deploy(mine, helm, f'bench{i}', f'{RELEASE}-{i}')
            base.kubectl('create', 'namespace', f'bench{i}')
        first_ours, first_plain = [], []
        for i in range(firsts):
            ns, tag = f'bench{i}', 'tilt-first'
            pair = [lambda: first_ours.append(ours(mine, tool, helm, ns, f'{RELEASE}-{i}', tag)[0]),
                    lambda: first_plain.append(plain(base, helm, ns, tag)[0])]
            for run in (pair if i % 2 == 0 else pair[::-1]):
                run()
            for c in (mine, base):
                if image(c, ns) != f'{IMAGE_REPO}:{tag}':
                    problems.append(f'{version} first apply in {ns}: image is {image(c, ns)}')
        re_ours, re_plain, extra_writes, write_counts = [], [], [], []
        cpu_ours, cpu_plain, cpu_proxy = [], [], []

        def ours_round(tag):
            before = session_proxy_cpu(mine)
            wall, _, cpu = ours(mine, tool, helm, 'bench0', f'{RELEASE}-0', tag)
            re_ours.append(wall)
            cpu_ours.append(cpu)
            cpu_proxy.append(session_proxy_cpu(mine) - before)

        def plain_round(tag):
            wall, _, cpu = plain(base, helm, 'bench0', tag)
            re_plain.append(wall)
            cpu_plain.append(cpu)

        for r in range(rounds):
            tag = f'tilt-r{r}'
            mark_mine, mark_base = len(mine.requests()), len(base.requests())
            pair = [lambda: ours_round(tag), lambda: plain_round(tag)]
            for run in (pair if r % 2 == 0 else pair[::-1]):
                run()
            n_mine, not_helm = writes(mine, mark_mine)
            n_base, _ = writes(base, mark_base)
            write_counts.append((n_mine, n_base))
            extra_writes += [f"{q['method']} {q['path']} ({q.get('user_agent')})" for q in not_helm]
            for c in (mine, base):
                if image(c, 'bench0') != f'{IMAGE_REPO}:{tag}':
                    problems.append(f'{version} round {r}: image is {image(c, "bench0")}')
    if extra_writes:
        problems.append(f'{version}: writes beyond helm\'s own on a re-apply: {extra_writes[:5]}')
    if any(a != b for a, b in write_counts):
        problems.append(f'{version}: re-apply writes (tilt-helm-apply, plain helm) differ: {write_counts}')
    med = statistics.median
    result = {'helm': version, 'first_ours': med(first_ours), 'first_plain': med(first_plain),
              're_ours': med(re_ours), 're_plain': med(re_plain), 'writes': write_counts[-1] if write_counts else None,
              'cpu_ours': med(cpu_ours), 'cpu_plain': med(cpu_plain), 'cpu_proxy': med(cpu_proxy),
              'first_all': (first_ours, first_plain), 're_all': (re_ours, re_plain)}
    return result, problems


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        raise SystemExit(__doc__)
    tool, helms = args[0], args[1:3]
    smoke = '--smoke' in args
    rounds = int(args[args.index('--rounds') + 1]) if '--rounds' in args else (2 if smoke else 7)
    firsts = int(args[args.index('--firsts') + 1]) if '--firsts' in args else (1 if smoke else 3)
    load = os.getloadavg()
    print(f'load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores', flush=True)
    print(f'mode: {"smoke" if smoke else "full"}; fixture --latency-ms {2 if smoke else 20}; chart values/charts/app '
          f'(apps-graph values); {firsts} first applies and {rounds} re-applies per helm', flush=True)
    problems = []
    for helm in helms:
        r, p = bench(tool, helm, smoke, rounds, firsts)
        problems += p
        first_ratio, re_ratio = r['first_ours'] / r['first_plain'], r['re_ours'] / r['re_plain']
        print(f"helm {r['helm']}: re-apply   tilt-helm-apply {r['re_ours']:.3f} s  plain helm {r['re_plain']:.3f} s  "
              f"ratio {re_ratio:.2f}x (target <= 1.15x); writes per re-apply {r['writes'][0]} vs {r['writes'][1]}")
        print(f"helm {r['helm']}: CPU per re-apply  tilt-helm-apply {r['cpu_ours']:.2f} s (+ {r['cpu_proxy']:.2f} s in the "
              f"session's kubectl proxy)  plain helm {r['cpu_plain']:.2f} s  ratio "
              f"{(r['cpu_ours'] + r['cpu_proxy']) / r['cpu_plain']:.2f}x (medians)")
        print(f"helm {r['helm']}: first      tilt-helm-apply {r['first_ours']:.3f} s  plain helm {r['first_plain']:.3f} s  "
              f"ratio {first_ratio:.2f}x (target <= 2x)")
        print('  samples (s): re ours ' + ' '.join(f'{x:.2f}' for x in r['re_all'][0]) + ' | re plain ' +
              ' '.join(f'{x:.2f}' for x in r['re_all'][1]) + ' | first ours ' +
              ' '.join(f'{x:.2f}' for x in r['first_all'][0]) + ' | first plain ' +
              ' '.join(f'{x:.2f}' for x in r['first_all'][1]), flush=True)
        if not smoke:
            if re_ratio > 1.15:
                problems.append(f"helm {r['helm']}: re-apply ratio {re_ratio:.2f}x > 1.15x")
            if first_ratio > 2:
                problems.append(f"helm {r['helm']}: first apply ratio {first_ratio:.2f}x > 2x")
    load = os.getloadavg()
    print(f'load average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}')
    for p in problems:
        print('FAIL: ' + p)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
