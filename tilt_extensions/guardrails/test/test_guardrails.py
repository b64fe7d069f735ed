#!/usr/bin/env python3
"""guardrails through the Starlark harness: settings, contexts, registry."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import BIN, REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Guardrails(unittest.TestCase):
    def test_settings(self):
        code, doc, err = tilt_eval(TILTFILE)
        self.assertEqual(code, 0, err)  # the Tiltfile fails itself on a wrong answer
        s = doc["settings"]
        self.assertEqual(s["allow_k8s_contexts"], ["k3d-ameide", "aks-dev-weu"])
        self.assertIn("tmp", s["watch_settings"]["ignore"])
        self.assertIn("**/node_modules", s["watch_settings"]["ignore"])
        self.assertEqual(s["update_settings"]["k8s_upsert_timeout_secs"], 120)
        self.assertEqual(s["default_registry"]["host_from_cluster"], "k3d-ameide.localhost:5001")
        self.assertTrue(any("http://localhost:10350" in p for p in doc["prints"]), doc["prints"])

    def test_production_context_refused(self):
        code, _, err = tilt_eval(TILTFILE, context="aks-prod-weu")
        self.assertEqual(code, 1)
        self.assertIn("Refusing Kubernetes context 'aks-prod-weu': its name looks like production", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
