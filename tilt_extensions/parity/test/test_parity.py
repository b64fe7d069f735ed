#!/usr/bin/env python3
"""parity through the Starlark harness: the check resource and its button."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Parity(unittest.TestCase):
    def test_resource_and_button(self):
        code, doc, err = tilt_eval(TILTFILE)
        self.assertEqual(code, 0, err)
        values = os.path.join(REPO, "values")
        r = by_name(doc["resources"], "values-parity")
        self.assertEqual(r["cmd"], ["/bin/true", "--root", values, "--env", "dev", "check"])
        self.assertEqual(r["deps"], [values])
        b = by_name(doc["buttons"], "values-parity-check")
        self.assertEqual(b["cmd"]["args"], r["cmd"])
        self.assertEqual(b["annotations"], {"tilt.dev/resource": "values-parity"})

    def test_isolated_check_renders_both_names(self):
        code, doc, err = tilt_eval(TILTFILE, "PARITY_ISOLATED=1")
        self.assertEqual(code, 0, err)
        values = os.path.join(REPO, "values")
        r = by_name(doc["resources"], "values-parity-isolated")
        self.assertEqual(r["cmd"], ["/bin/true", "--root", values, "--env", "dev", "check", "--isolated",
                                    "--isolate-suffix", "alice", "--isolate-namespace", "dev-alice"])
        self.assertEqual(by_name(doc["resources"], "values-parity")["cmd"][-1], "check")

    def test_isolate_suffix_needs_isolated(self):
        code, _, err = tilt_eval(TILTFILE, "PARITY_SUFFIX_ONLY=1")
        self.assertEqual(code, 1)
        self.assertIn("isolate_suffix and isolate_namespace need isolated=True", err)

    def test_missing_workspace_fails(self):
        code, _, err = tilt_eval(TILTFILE, "PARITY_ROOT=/nonexistent")
        self.assertEqual(code, 1)
        self.assertIn("values_root '/nonexistent' does not exist".replace("'", '"'), err.replace("'", '"'))


if __name__ == "__main__":
    unittest.main(verbosity=2)
