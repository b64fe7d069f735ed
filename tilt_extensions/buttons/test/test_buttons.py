#!/usr/bin/env python3
"""buttons through the Starlark harness: location, inputs, annotations, subcommands."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Buttons(unittest.TestCase):
    def buttons(self, subcommand):
        code, doc, err = tilt_eval(TILTFILE, subcommand=subcommand)
        self.assertEqual(code, 0, err)
        return {b["name"]: b for b in doc["buttons"]}

    def test_resource_button(self):
        b = self.buttons("up")["hello"]
        self.assertEqual(b["location"], {"component_type": "Resource", "component_id": "svc"})
        self.assertEqual(b["cmd"]["args"], ["echo", "hello"])
        self.assertEqual(b["inputs"][0]["name"], "WHO")
        # Output lands on the resource's log, as tilt-extensions' uibutton/Tiltfile annotates it.
        self.assertEqual(b["annotations"], {"tilt.dev/resource": "svc"})
        self.assertEqual(b["cmd"]["annotations"], {"tilt.dev/resource": "svc", "tilt.dev/log-span-id": "cmd:hello"})

    def test_global_button(self):
        b = self.buttons("ci")["global-hello"]
        self.assertEqual(b["location"], {"component_type": "Global", "component_id": "nav"})
        self.assertTrue(b["requires_confirmation"])
        self.assertEqual(b["cmd"]["env"], ["A=1"])
        self.assertEqual(b["cmd"]["dir"], HERE)
        self.assertEqual(b["cmd"]["annotations"]["tilt.dev/resource"], "(Tiltfile)")

    def test_only_under_up_and_ci(self):
        self.assertEqual(self.buttons("down"), {})


if __name__ == "__main__":
    unittest.main(verbosity=2)
