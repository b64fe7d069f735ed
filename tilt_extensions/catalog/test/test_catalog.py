#!/usr/bin/env python3
"""catalog through the Starlark harness: selection, --context helper, one plan run per read."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import BIN, REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Catalog(unittest.TestCase):
    def test_selection_helpers_and_one_plan_run(self):
        code, doc, err = tilt_eval(TILTFILE)
        self.assertEqual(code, 0, err)  # the Tiltfile fails itself on a wrong answer
        self.assertEqual(doc["prints"][-1], "catalog ok")
        values = os.path.join(REPO, "values")
        self.assertEqual([c["argv"] for c in doc["local_calls"]],
                         [[os.path.join(BIN, "tilt-values-parity"), "--root", values, "--env", "dev", "plan", "-o", "json"]])
        for p in ["workspace.yaml", "components", "argocd"]:
            self.assertIn(os.path.join(values, p), doc["watched_files"])

    def test_folder_without_workspace_fails(self):
        code, _, err = tilt_eval(TILTFILE, "CATALOG_ROOT=" + HERE)
        self.assertEqual(code, 1)
        self.assertIn("The values workspace %s has no workspace.yaml" % HERE, err)

    def test_missing_helper_fails_with_the_build_command(self):
        code, _, err = tilt_eval(TILTFILE, "AMEIDE_BIN_DIR=/nonexistent")
        self.assertEqual(code, 1)
        self.assertIn("tilt-values-parity not found at /nonexistent/tilt-values-parity", err)

    def test_deprecated_ath_bin_dir_is_still_read_and_says_so(self):
        code, doc, err = tilt_eval(TILTFILE, "AMEIDE_BIN_DIR=", "ATH_BIN_DIR=" + BIN)
        self.assertEqual(code, 0, err)
        self.assertIn("ATH_BIN_DIR is deprecated; set AMEIDE_BIN_DIR instead", doc["prints"])
        self.assertEqual(doc["local_calls"][0]["argv"][0], os.path.join(BIN, "tilt-values-parity"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
