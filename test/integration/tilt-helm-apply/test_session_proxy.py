#!/usr/bin/env python3
"""One kubectl proxy per Tilt session (native/core/session_proxy.hpp), with real kubectl and helm
against test/cluster/serve.

The applies here run as children of this test process, which is therefore their session (Tilt's
place); NEW_SESSION runs one under a short-lived parent instead. kubectl is a logging wrapper
(AMEIDE_KUBECTL) so each `kubectl proxy` start is counted; its --api-prefix is on that line too.

Environment: HELM_BIN (required), AMEIDE_BIN_DIR (built helpers).
"""
import json
import os
import re
import signal
import stat
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_exactness import APPLY, NEW_SESSION, NS, Base  # noqa: E402

PREFIX = re.compile(r'--api-prefix=(/[0-9a-f]{32})/')


def running(pid):
    """pid runs and is not a zombie."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rpartition(')')[2].split()[0] not in ('Z', 'X')
    except OSError:
        return False


def proxies_serving(prefix):
    """pids of the processes whose command line carries this --api-prefix (kubectl proxy)."""
    out = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read().decode(errors='replace').split('\0')
        except OSError:
            continue
        if 'proxy' in cmd and f'--api-prefix={prefix}/' in cmd and running(pid):
            out.append(int(pid))
    return out


def wait_until(check, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f'not within {timeout} s: {what}')
        time.sleep(0.1)


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class SessionProxy(Base):
    def setUp(self):
        super().setUp()
        self.kubectl_log = os.path.join(self.tmp, 'kubectl.log')
        self.kubectl = os.path.join(self.tmp, 'kubectl')
        with open(self.kubectl, 'w') as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {self.kubectl_log}\nexec kubectl "$@"\n')
        os.chmod(self.kubectl, 0o755)
        self.dir = os.path.join(self.c.env['XDG_CACHE_HOME'], 'ath', 'helm-apply', 'session-proxies')
        self.values = self.values_file()
        self.argo_sync(self.values)
        self.tag = 0

    def run_apply(self, expect=0, **kw):
        self.tag += 1
        env = dict(kw.pop('env', {}), AMEIDE_KUBECTL=self.kubectl)
        extra = kw.pop('extra', ('--log-level', 'debug'))
        return self.apply(self.values, f'tilt-{self.tag}', expect=expect, env=env, extra=extra, **kw)

    def proxy_starts(self):
        """--api-prefix of each `kubectl proxy` started so far, in order."""
        if not os.path.exists(self.kubectl_log):
            return []
        with open(self.kubectl_log) as f:
            return [PREFIX.search(line).group(1) for line in f if line.startswith('proxy ')]

    def records(self):
        if not os.path.isdir(self.dir):
            return {}
        out = {}
        for name in os.listdir(self.dir):
            if name.endswith('.json'):
                with open(os.path.join(self.dir, name)) as f:
                    out[name] = json.load(f)
        return out

    def only_record(self):
        records = self.records()
        self.assertEqual(len(records), 1, records)
        return next(iter(records.values()))

    def image(self):
        deploy = self.get(f'/apis/apps/v1/namespaces/{NS}/deployments/exact')
        return deploy['spec']['template']['spec']['containers'][0]['image']

    def test_applies_of_one_session_share_one_proxy_that_serves_only_under_its_prefix(self):
        self.run_apply()
        first = self.only_record()
        res = self.run_apply()
        self.run_apply()
        self.assertEqual(self.image(), 'registry.localhost:32000/exact:tilt-3')
        self.assertEqual(len(self.proxy_starts()), 1, 'three applies of one session started more than one kubectl proxy')
        self.assertEqual(self.only_record(), first)
        self.assertIn(f"session proxy: reusing keeper {first['keeper_pid']}", res.stderr)
        self.assertTrue(running(first['keeper_pid']))
        self.assertEqual(len(proxies_serving(first['prefix'])), 1)
        self.assertEqual(self.proxy_starts(), [first['prefix']])

        base = f"http://127.0.0.1:{first['port']}"
        for path in ('/version', '/api/v1/namespaces', f'/api/v1/namespaces/{NS}/configmaps', '/'):
            status, body = http_get(base + path)
            self.assertEqual(status, 404, f'{path} without the prefix: {status} {body[:200]}')
            self.assertNotIn('"kind"', body)
        status, body = http_get(base + first['prefix'] + '/api/v1/namespaces')
        self.assertEqual(status, 200)
        self.assertIn(f'"name": "{NS}"', body)
        req = urllib.request.Request(base + first['prefix'] + f'/api/v1/namespaces/{NS}/pods/p/exec', data=b'',
                                     method='POST')
        with self.assertRaises(urllib.error.HTTPError) as exec_refused:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(exec_refused.exception.code, 403)  # kubectl's default --reject-paths still apply

        self.assertEqual(stat.S_IMODE(os.stat(self.dir).st_mode), 0o700)
        for name in os.listdir(self.dir):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.dir, name)).st_mode), 0o600, name)
            with open(os.path.join(self.dir, name)) as f:
                text = f.read()
            if not name.endswith('.json'):
                self.assertNotIn(first['prefix'], text, f'{name} holds the prefix')
        self.assertNotIn(first['prefix'], res.stderr)

    def test_a_new_session_gets_its_own_proxy_which_ends_with_the_session(self):
        self.run_apply()
        ours = self.only_record()
        res = self.run_apply(wrapper=NEW_SESSION)
        starts = self.proxy_starts()
        self.assertEqual(len(starts), 2)
        self.assertEqual(starts[0], ours['prefix'])
        keeper = int(re.search(r'session proxy: started keeper (\d+)', res.stderr).group(1))
        self.assertNotEqual(keeper, ours['keeper_pid'])
        # Its session (the wrapper) has exited: its keeper and kubectl follow, its record goes.
        wait_until(lambda: not running(keeper), f'keeper {keeper} exits after its session')
        wait_until(lambda: not proxies_serving(starts[1]), 'its kubectl proxy exits')
        self.assertEqual(list(self.records().values()), [ours])
        self.assertTrue(running(ours['keeper_pid']))
        self.assertEqual(len(proxies_serving(ours['prefix'])), 1)

    def test_a_killed_keeper_or_proxy_is_replaced_on_the_next_apply(self):
        self.run_apply()
        first = self.only_record()
        os.kill(first['keeper_pid'], signal.SIGKILL)
        wait_until(lambda: not proxies_serving(first['prefix']), 'kubectl proxy ends with its keeper')
        res = self.run_apply()
        second = self.only_record()
        self.assertNotEqual(second['keeper_pid'], first['keeper_pid'])
        self.assertIn(f"session proxy: started keeper {second['keeper_pid']}", res.stderr)
        self.assertEqual(len(self.proxy_starts()), 2)

        # kubectl alone dies: the next apply gets an answer from a new proxy all the same.
        for pid in proxies_serving(second['prefix']):
            os.kill(pid, signal.SIGKILL)
        self.run_apply()
        self.assertEqual(self.image(), 'registry.localhost:32000/exact:tilt-3')
        third = self.only_record()
        self.assertNotEqual(third['keeper_pid'], second['keeper_pid'])
        self.assertEqual(len(self.proxy_starts()), 3)
        wait_until(lambda: not running(second['keeper_pid']), 'the keeper without kubectl exits')

    def test_a_rewritten_kubeconfig_gets_a_new_proxy(self):
        self.run_apply()
        first = self.only_record()
        self.run_apply()
        self.assertEqual(len(self.proxy_starts()), 1)
        with open(self.c.kubeconfig, 'a') as f:
            f.write('# rewritten\n')
        self.run_apply()
        self.assertEqual(len(self.proxy_starts()), 2)
        records = self.records()
        self.assertEqual(len(records), 2)
        self.assertEqual(len({r['key'] for r in records.values()}), 2)
        self.assertIn(first, records.values())

    def test_without_a_usable_session_proxy_the_apply_runs_its_own(self):
        # Turned off: a kubectl proxy per apply, no keeper.
        self.run_apply(env={'AMEIDE_TILT_SESSION_PROXY': 'false'})
        self.run_apply(env={'AMEIDE_TILT_SESSION_PROXY': 'false'})
        self.assertEqual(len(self.proxy_starts()), 2)
        self.assertEqual(self.records(), {})
        # A records' folder others could write to is not used; the apply still succeeds.
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        res = self.run_apply()
        self.assertIn('session proxy: not used', res.stderr)
        self.assertIn('mode 0755', res.stderr)
        self.assertEqual(len(self.proxy_starts()), 3)
        self.assertEqual(self.records(), {})
        self.assertEqual(self.image(), 'registry.localhost:32000/exact:tilt-3')

    def test_the_keeper_stops_when_idle_and_on_sigterm(self):
        with open('/proc/self/stat') as f:
            start = f.read().rpartition(')')[2].split()[19]  # field 22, the start time
        session = f'{os.getpid()}:{start}'

        def keeper(key, idle):
            argv = [APPLY, '__session-proxy', '--dir', self.dir, '--key', key, '--session', session,
                    '--idle-seconds', str(idle)]
            res = self.c.run(argv)  # returns once the keeper serves
            records = [r for r in self.records().values() if r['key'] == key]
            self.assertEqual(len(records), 1, res.stderr)
            return records[0]

        idle = keeper('idle-test', 2)
        quiet = keeper('sigterm-test', 600)
        wait_until(lambda: not running(idle['keeper_pid']), 'an unused keeper exits after --idle-seconds')
        wait_until(lambda: not proxies_serving(idle['prefix']), 'its kubectl proxy exits')
        self.assertEqual([r['key'] for r in self.records().values()], ['sigterm-test'])
        self.assertTrue(running(quiet['keeper_pid']))
        os.kill(quiet['keeper_pid'], signal.SIGTERM)
        wait_until(lambda: not running(quiet['keeper_pid']), 'the keeper exits on SIGTERM', timeout=5)
        wait_until(lambda: not proxies_serving(quiet['prefix']), 'its kubectl proxy exits', timeout=5)
        self.assertEqual(self.records(), {})
        logs = ''
        for name in sorted(os.listdir(self.dir)):
            if name.endswith('.log'):
                with open(os.path.join(self.dir, name)) as f:
                    logs += f.read()
        self.assertIn('stopping: no client used the proxy for the idle time', logs)
        self.assertIn('stopping: stopped by a signal', logs)


if __name__ == '__main__':
    unittest.main(verbosity=2)
