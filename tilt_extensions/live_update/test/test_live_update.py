#!/usr/bin/env python3
"""live_update through the Starlark harness: the language helpers and live_update_for."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")

RESTART = ["sh", "-c", "date +%s%N > /tmp/.restart-proc"]


class LiveUpdate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, cls.doc, err = tilt_eval(TILTFILE)
        assert code == 0, err

    def steps(self, name):
        return by_name(self.doc["images"], "img-" + name, key="ref")["live_update"]

    def p(self, *parts):
        return os.path.join(HERE, *parts)

    def test_go_rebuilds_after_every_sync_then_restarts(self):
        s = self.steps("go")
        self.assertEqual([x["type"] for x in s], ["fall_back_on", "sync", "run", "run"])
        self.assertEqual(s[2]["cmd"][-1], "cd /app/src && go build -o /app/bin/svc-go .")
        self.assertEqual(s[2]["trigger"], [])  # no trigger: any .go change rebuilds
        self.assertEqual(s[3]["cmd"], RESTART)

    def test_node_installs_on_manifest_change_without_restart(self):
        s = self.steps("node")
        self.assertEqual([x["type"] for x in s], ["fall_back_on", "sync", "run"])
        self.assertEqual(s[2]["trigger"], [self.p("svc-node", "package.json"), self.p("svc-node", "pnpm-lock.yaml")])

    def test_python_syncs_requirements_then_restarts(self):
        s = self.steps("python")
        self.assertEqual(s[2]["cmd"][-1], "cd /app && uv pip sync requirements.txt")
        self.assertEqual(s[2]["trigger"], [self.p("svc-py", "requirements.txt"), self.p("svc-py", "uv.lock")])
        self.assertEqual(s[-1]["cmd"], RESTART)

    def test_hints_become_steps_as_written(self):
        s = self.steps("hinted-go")
        self.assertEqual(s[0], {"type": "fall_back_on", "files": [self.p("svc-x", "Dockerfile")]})
        self.assertEqual((s[1]["local_path"], s[1]["remote_path"]), (self.p("svc-x"), "/srv"))
        self.assertEqual([(x["cmd"][-1], x["trigger"]) for x in s[2:4]],
                         [("cd /srv && make", [self.p("svc-x", "deps.txt")]), ("cd /srv && build", [])])
        self.assertEqual(s[4]["cmd"], RESTART)  # Go restarts the rebuilt binary
        self.assertEqual(len(s), 5)
        self.assertEqual(len(self.steps("hinted-node")), 4)  # Node: no restart step

    def test_no_hints_use_the_language_defaults(self):
        s = self.steps("unhinted-python")
        self.assertEqual((s[1]["local_path"], s[1]["remote_path"]), (self.p("svc-python"), "/app"))
        self.assertEqual(s[-1]["cmd"], RESTART)

    def test_unknown_language_fails(self):
        code, _, err = tilt_eval(TILTFILE, "LIVE_UPDATE_LANGUAGE=rust")
        self.assertEqual(code, 1)
        self.assertIn("live_update_for: apps-rust has language \"rust\"; expected go, node, python or none", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
