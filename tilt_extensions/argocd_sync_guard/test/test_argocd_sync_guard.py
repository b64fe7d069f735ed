#!/usr/bin/env python3
"""argocd_sync_guard through the Starlark harness: serve_cmd, readiness probe, resume button."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Guard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, cls.doc, err = tilt_eval(TILTFILE)
        assert code == 0, err
        cls.guard = by_name(cls.doc["resources"], "argocd-sync-guard")

    def test_serve_pauses_exactly_the_apps(self):
        self.assertEqual(self.guard["serve_cmd"], ["/bin/true", "--context", "k3d-ameide", "--argocd-namespace",
                                                   "argocd", "serve", "apps-a", "apps-b"])
        self.assertIsNone(self.guard["cmd"])

    def test_ready_only_when_status_says_the_apps_are_paused(self):
        # A serve_cmd without a probe is ready when its process starts (Tilt v0.37.6
        # internal/controllers/core/cmd/controller.go:527); resource_deps on the guard would then
        # wait for nothing.
        probe = self.guard["readiness"]
        self.assertIsNotNone(probe)
        self.assertEqual(probe["exec"]["command"], ["/bin/true", "--context", "k3d-ameide", "--argocd-namespace",
                                                    "argocd", "status", "--ready", "apps-a", "apps-b"])
        self.assertEqual(probe["period_secs"], 2)
        self.assertGreater(probe["timeout_secs"], 1)  # Tilt's 1 s default is shorter than one status call
        # A harness that models readiness says so too (its JSON's ready_when).
        self.assertEqual(self.guard.get("ready_when", "probe"), "probe")

    def test_resume_button_logs_to_the_tiltfile_resource(self):
        b = by_name(self.doc["buttons"], "argocd-resume")
        self.assertEqual(b["cmd"]["args"][-1], "resume")
        self.assertTrue(b["requires_confirmation"])
        self.assertEqual(b["cmd"]["annotations"]["tilt.dev/resource"], "(Tiltfile)")

    def test_no_apps_fails(self):
        code, _, err = tilt_eval(TILTFILE, "GUARD_APPS=")
        self.assertEqual(code, 1)
        self.assertIn("apps must be a non-empty list", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
