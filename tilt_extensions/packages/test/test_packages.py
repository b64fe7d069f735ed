#!/usr/bin/env python3
"""packages through the Starlark harness: absent packages skipped, health resource."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import BIN, REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Packages(unittest.TestCase):
    def test_absent_packages_skipped_with_a_note(self):
        code, doc, err = tilt_eval(TILTFILE)
        self.assertEqual(code, 0, err)  # the Tiltfile fails itself on a wrong answer
        self.assertEqual([r["name"] for r in doc["resources"]], ["packages:health"])
        self.assertEqual(by_name(doc["resources"], "packages:health")["resource_deps"], [])
        self.assertTrue(any(p.startswith("packages: skipped: ") and "does not exist" in p for p in doc["prints"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
