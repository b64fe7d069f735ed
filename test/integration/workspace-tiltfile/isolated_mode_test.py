#!/usr/bin/env python3
"""Isolated mode of the workspace Tiltfile (issue 18) through the Starlark harness: `--isolated`
or AMEIDE_TILT_MODE=isolated declares Tilt's own `<release>-tilt` releases, no sync guard, no
adoption buttons, and shows the mode in the UI; the default stays overlay; the shared dev context
gets a warning suggesting isolated mode. The values-parity resource runs `check --isolated`, which
fails (with real helm, HELM_BIN) on a chart that cannot render distinct names, and every -tilt
release depends on it, so nothing is deployed before it passed.
Run: AMEIDE_BIN_DIR=build/bin HELM_BIN=.cache/tools/helm-v3.17.2/helm python3 -m unittest -v isolated_mode_test
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workspace_tiltfile_test import GUARD, PARITY, REPO, TiltfileCase, names, res, tilt_eval  # noqa: E402


class IsolatedMode(TiltfileCase):
    def assert_isolated(self, doc, suffix="tilt", namespace=None):
        self.assertNotIn(GUARD, names(doc))
        self.assertIn(PARITY, names(doc))
        # The parity check renders both names (tilt-values-parity check --isolated) and every -tilt
        # release waits for it: a chart without distinct names is reported before anything deploys.
        check = res(doc, PARITY)["cmd"]
        self.assertEqual(check[check.index("check"):],
                         ["check", "--isolated"] + (["--isolate-suffix", suffix] if suffix != "tilt" else []) +
                         (["--isolate-namespace", namespace] if namespace else []))
        buttons = {b["name"] for b in doc["buttons"]}
        self.assertFalse([b for b in buttons if b.startswith("adopt-")], buttons)
        self.assertNotIn("argocd-resume", buttons)
        for app in self.apps:
            plan = self.by_name[app]
            r = res(doc, f"{plan['release']}-{suffix}")
            self.assertNotIn(plan["release"], names(doc))
            self.assertIn("isolated", r["labels"])
            apply_cmd = r["apply_cmd"]
            self.assertEqual(apply_cmd[apply_cmd.index("--release") + 1], f"{plan['release']}-{suffix}")
            self.assertEqual(apply_cmd[apply_cmd.index("--namespace") + 1], namespace or plan["namespace"])
            self.assertEqual(apply_cmd[apply_cmd.index("--argocd-release") + 1], plan["release"])
            self.assertIn("--isolated", apply_cmd)
            self.assertNotIn("--argocd-app", apply_cmd)  # nothing is adopted
            # Exactly Argo CD's value files, in helm's order.
            files = [apply_cmd[i + 1] for i, a in enumerate(apply_cmd) if a == "--values"]
            self.assertEqual(files, plan["value_files_abs"])
            self.assertIn("--isolated", r["delete_cmd"])
            self.assertNotIn("--on-down", r["delete_cmd"])
            self.assertNotIn(GUARD, r["resource_deps"])
            self.assertIn(PARITY, r["resource_deps"])
            for dep in plan["resource_deps"]:
                self.assertIn(f"{dep}-{suffix}", r["resource_deps"])

    def test_flag_selects_isolated(self):
        self.assert_isolated(self.up("--isolated"))

    def test_env_var_selects_isolated(self):
        self.assert_isolated(self.up(env={"AMEIDE_TILT_MODE": "isolated"}))

    def test_suffix_and_own_namespace(self):
        self.assert_isolated(self.up("--isolated", "--isolate-suffix=alice", "--isolate-namespace=dev-alice"),
                             suffix="alice", namespace="dev-alice")

    def test_parity_check_reports_a_chart_without_distinct_names(self):
        helm = os.environ.get("HELM_BIN", "")
        self.assertTrue(helm and os.access(helm, os.X_OK), f"HELM_BIN={helm!r} is not an executable helm")
        cmd = res(self.up("--isolated"), PARITY)["cmd"]
        env = dict(os.environ, AMEIDE_HELM_BIN=helm)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        values = os.path.join(REPO, "values")
        self.assertIn(values, cmd)
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(values, os.path.join(tmp, "values"))
            helpers = os.path.join(tmp, "values", "charts", "app", "templates", "_helpers.tpl")
            with open(helpers) as f:
                text = f.read()
            with open(helpers, "w") as f:
                f.write(text.replace("default .Release.Name .Values.fullnameOverride", '"fixed"'))
            argv = [os.path.join(tmp, "values") if a == values else a for a in cmd]
            p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("error[isolated-names]", p.stdout)
            self.assertIn("Tilt's release apps-graph-tilt (namespace ameide) renders the same object names", p.stdout)

    def test_default_stays_overlay_with_guard(self):
        doc = self.up()
        self.assertIn(GUARD, names(doc))
        self.assertEqual(res(doc, PARITY)["cmd"][-1], "check")  # no helm renders in overlay mode
        for app in self.apps:
            self.assertIn(app, names(doc))
            self.assertNotIn("isolated", res(doc, app)["labels"])

    def test_env_var_overlay_is_overlay_and_a_typo_fails(self):
        self.assertIn(GUARD, names(self.up(env={"AMEIDE_TILT_MODE": "overlay"})))
        code, err = tilt_eval(env={"AMEIDE_TILT_MODE": "isolate"})
        self.assertNotEqual(code, 0)
        self.assertIn('AMEIDE_TILT_MODE="isolate": must be one of overlay, isolated', err)

    def test_suffix_needs_isolated_mode(self):
        code, err = tilt_eval("--isolate-suffix=alice")
        self.assertNotEqual(code, 0)
        self.assertIn("need isolated mode", err)

    def test_invalid_suffix_names_the_rule(self):
        code, err = tilt_eval("--isolated", "--isolate-suffix=Alice_B")
        self.assertNotEqual(code, 0)
        self.assertIn("not a DNS-1123 label", err)
        code, err = tilt_eval("--isolated", "--isolate-suffix=" + "x" * 45)
        self.assertNotEqual(code, 0)
        self.assertIn("helm allows at most 53", err)

    def test_selection_enables_the_isolated_names(self):
        doc = self.up("--isolated", "--only=apps-graph")
        enabled = set(doc["enabled"])
        self.assertIn("apps-graph-tilt", enabled)
        self.assertIn(PARITY, enabled)
        self.assertNotIn("apps-graph", enabled)
        self.assertNotIn(GUARD, enabled)

    def test_shared_dev_context_suggests_isolated(self):
        doc = self.up(env={"AMEIDE_DEV_CONTEXT": "dev-shared"}, context="dev-shared")
        self.assertTrue(any("tilt up -- --isolated" in w for w in doc["warnings"]), doc["warnings"])
        doc = self.up("--isolated", env={"AMEIDE_DEV_CONTEXT": "dev-shared"}, context="dev-shared")
        self.assertFalse(any("--isolated" in w for w in doc["warnings"]), doc["warnings"])
        doc = self.up()
        self.assertFalse(any("--isolated" in w for w in doc["warnings"]), doc["warnings"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
