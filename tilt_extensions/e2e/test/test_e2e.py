#!/usr/bin/env python3
"""e2e through the Starlark harness: the test-job-runner release and the test buttons."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class E2e(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, cls.doc, err = tilt_eval(TILTFILE)
        assert code == 0, err

    def test_runner_release(self):
        self.assertEqual([r["name"] for r in self.doc["resources"]], ["test-job-runner"])
        r = self.doc["resources"][0]
        self.assertEqual(r["kind"], "k8s_custom_deploy")
        self.assertEqual(r["apply_cmd"][:4], ["/bin/true", "--context", "k3d-ameide", "apply"])
        self.assertEqual(r["delete_cmd"][-2:], ["--on-down", "uninstall"])
        self.assertEqual(r["image_deps"], ["test-job-runner"])

    def test_runner_ready_without_pods(self):
        # Suspended CronJobs never start a pod: Tilt's default pod readiness would wait forever.
        runner = by_name(self.doc["resources"], "test-job-runner")
        self.assertEqual(runner["pod_readiness"], "ignore")
        # A harness that models readiness says so too (its JSON's ready_when).
        self.assertEqual(runner.get("ready_when", "pod_readiness_ignore"), "pod_readiness_ignore")

    def test_buttons(self):
        by = {b["name"]: b for b in self.doc["buttons"]}
        self.assertEqual(sorted(by), ["e2e-run", "integration-cleanup", "integration-run"])
        self.assertEqual(os.path.basename(by["e2e-run"]["cmd"]["args"][0]), "tilt-e2e-run.sh")
        self.assertEqual(by["e2e-run"]["cmd"]["args"][-4:], ["--namespace", "tests", "--context", "k3d-ameide"])
        self.assertTrue(by["integration-cleanup"]["requires_confirmation"])

    def test_runner_without_dockerfile_fails_naming_it(self):
        ctx = os.path.join(HERE, "..", "chart")
        code, _, err = tilt_eval(TILTFILE, "E2E_RUNNER_DIR=" + ctx)
        self.assertEqual(code, 1)
        self.assertIn("has no Dockerfile (%s/Dockerfile)" % os.path.abspath(ctx), err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
