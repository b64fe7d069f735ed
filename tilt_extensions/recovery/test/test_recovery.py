#!/usr/bin/env python3
"""recovery through the Starlark harness: manual Flyway resources and adoption buttons."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from ext_test import REPO, by_name, tilt_eval  # noqa: E402

TILTFILE = os.path.join(HERE, "Tiltfile")


class Recovery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, cls.doc, err = tilt_eval(TILTFILE)
        assert code == 0, err

    def test_manual_resources(self):
        for n in ["ops-migrations-image", "ops-db-migrate-platform", "ops-flyway-cli"]:
            r = by_name(self.doc["resources"], n)
            self.assertFalse(r["auto_init"], n)
            self.assertEqual(r["trigger_mode"], "manual", n)
        migrate = by_name(self.doc["resources"], "ops-db-migrate-platform")
        self.assertEqual(migrate["env"]["FLYWAY_ARGS"], "migrate")
        self.assertEqual(migrate["cmd"][-4:], ["--context", "k3d-ameide", "--namespace", "ameide"])
        self.assertEqual(by_name(self.doc["resources"], "ops-flyway-cli")["env"]["FLYWAY_ARGS"], "info")

    def test_adoption_button_on_its_resource(self):
        self.assertEqual([b["name"] for b in self.doc["buttons"]], ["adopt-apps-x"])
        b = self.doc["buttons"][0]
        self.assertEqual(b["location"], {"component_type": "Resource", "component_id": "apps-x"})
        self.assertEqual(b["annotations"], {"tilt.dev/resource": "apps-x"})
        self.assertEqual(b["cmd"]["args"], ["/bin/true", "apps-x", "--namespace", "ameide", "--argocd-app", "apps-x",
                                            "--argocd-namespace", "argocd"])

    def test_bad_image_reference_fails(self):
        code, _, err = tilt_eval(TILTFILE, "RECOVERY_PUSH_IMAGE=no-tag")
        self.assertEqual(code, 1)
        self.assertIn("push_image must be an image reference with a tag", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
