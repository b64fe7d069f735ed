#!/usr/bin/env python3
"""The workspace Tiltfile (issue 9) through the Starlark harness, the example services it builds,
and the scripts it drives. Each extension's own behaviour is tested in its test/ folder.

Every test evaluates the real root Tiltfile with
test/tiltfile/tilt-eval against the embedded values/ workspace; the catalog comes from the real
`tilt-values-parity plan` of this build (AMEIDE_BIN_DIR). Scripts run for real with fake kubectl,
pnpm and buf on PATH that record their argv and answer like the real tools.
Run: AMEIDE_BIN_DIR=build/bin python3 -m unittest -v workspace_tiltfile_test
"""
import contextlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import textwrap
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
from tiltfile_load_bench import clone_component  # noqa: E402  (the benchmark's workspace generator)
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TILTFILE = os.path.join(REPO, "Tiltfile")
TILT_EVAL = os.environ.get("TILT_EVAL", os.path.join(REPO, "test", "tiltfile", "tilt-eval"))
BIN = os.path.abspath(os.environ.get("AMEIDE_BIN_DIR", os.path.join(REPO, "build", "bin")))
SCRIPTS = os.path.join(REPO, "scripts")
GUARD, PARITY = "argocd-sync-guard", "values-parity"
# Variables of the developer's shell that would change what the Tiltfile declares.
CLEAN_ENV = ["AMEIDE_REGISTRY_HOST", "AMEIDE_REGISTRY_HOST_FROM_CLUSTER", "AMEIDE_DEV_CONTEXT",
             "AMEIDE_K3D_CONTEXT", "AMEIDE_PACKAGES_DIR", "AMEIDE_VALUES_ROOT", "BUF_TOKEN", "SUITE", "FEATURE",
             "AMEIDE_TEST_RUNNER_DIR", "AMEIDE_TEST_NAMESPACE", "AMEIDE_TEST_RELEASE", "AMEIDE_REGISTRY_PUSH_HOST"]


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env["AMEIDE_BIN_DIR"] = BIN
    env.update(extra)
    return env


def tilt_eval(*tilt_args, env=None, subcommand="up", context="k3d-ameide", tiltfile=TILTFILE):
    """Returns (exit code, JSON document or stderr)."""
    argv = [TILT_EVAL, "--local", "allow", "--subcommand", subcommand, "--context", context]
    for k, v in (env or {}).items():
        argv += ["--env", f"{k}={v}"]
    argv += [tiltfile, "--", *tilt_args]
    p = subprocess.run(argv, capture_output=True, text=True, env=base_env(), timeout=300, cwd=REPO)
    if p.returncode == 0:
        return 0, json.loads(p.stdout)
    return p.returncode, p.stderr


@contextlib.contextmanager
def runner_dir():
    """A test-runner image context: Tilt reads its Dockerfile at load time."""
    with tempfile.TemporaryDirectory() as d:
        write(os.path.join(d, "Dockerfile"), "FROM scratch\n")
        yield d


def plan():
    p = subprocess.run([os.path.join(BIN, "tilt-values-parity"), "--root", os.path.join(REPO, "values"),
                        "plan", "-o", "json"], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def res(doc, name):
    found = [r for r in doc["resources"] if r["name"] == name]
    assert len(found) == 1, f"{name}: {len(found)} resources named so"
    return found[0]


def names(doc):
    return [r["name"] for r in doc["resources"]]


class TiltfileCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.plan = plan()
        cls.apps = [a["name"] for a in cls.plan["apps"]]
        cls.by_name = {a["name"]: a for a in cls.plan["apps"]}

    def up(self, *args, **kw):
        code, doc = tilt_eval(*args, **kw)
        self.assertEqual(code, 0, doc)
        return doc

    def closure(self, wanted):
        out, todo = set(), list(wanted)
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo += self.by_name[n]["resource_deps"]
        return out

    def guard_apps(self, doc):
        serve = res(doc, GUARD)["serve_cmd"]
        self.assertEqual(os.path.basename(serve[0]), "tilt-argocd-sync")
        self.assertIn("serve", serve)
        return serve[serve.index("serve") + 1:]


class UpAll(TiltfileCase):
    def test_every_catalog_app_guard_parity_packages_buttons(self):
        self.assertEqual(len(self.apps), 12)
        doc = self.up()
        for app in self.apps:
            r = res(doc, app)
            self.assertEqual(r["kind"], "k8s_custom_deploy", app)
            for dep in self.by_name[app]["resource_deps"] + [GUARD]:
                self.assertIn(dep, r["resource_deps"], app)
        self.assertEqual(sorted(self.guard_apps(doc)), sorted(self.apps))
        self.assertEqual(res(doc, PARITY)["kind"], "local")
        self.assertIn("packages:health", names(doc))
        self.assertNotIn("test-job-runner", names(doc))  # no tests/runner in this repository
        self.assertTrue(any(p.startswith("tests: skipped test-job-runner") for p in doc["prints"]), doc["prints"])
        for r in ["ops-migrations-image", "ops-db-migrate-platform", "ops-flyway-cli"]:
            self.assertIn(r, names(doc))
        self.assertEqual(sorted(doc["enabled"]), sorted(names(doc)))
        buttons = {b["name"] for b in doc["buttons"]}
        for b in ["argocd-resume", "values-parity-check", "e2e-run", "integration-run", "integration-cleanup"]:
            self.assertIn(b, buttons)
        for app in self.apps:
            self.assertIn("adopt-" + app, buttons)
        # The catalog is read through the binary, once per load (one plan run however many apps),
        # not from a hand-kept list.
        self.assertEqual(len(doc["local_calls"]), 1, doc["local_calls"])
        for c in doc["local_calls"]:
            self.assertEqual(os.path.basename(c["argv"][0]), "tilt-values-parity", c)
            self.assertIn("plan", c["argv"], c)
            self.assertEqual(c["exit_code"], 0, c)
        self.assertTrue(any("http://localhost:10350" in p for p in doc["prints"]), doc["prints"])

    def test_a_new_component_becomes_a_resource(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(REPO, "values"), os.path.join(tmp, "values"))
            shutil.copytree(os.path.join(REPO, "services"), os.path.join(tmp, "services"))
            clone_component(tmp, "graph", "billing")
            doc = self.up("--services=billing", env={"AMEIDE_VALUES_ROOT": os.path.join(tmp, "values")})
        self.assertEqual(len([n for n in names(doc) if n.startswith("apps-")]), 13)
        self.assertIn("apps-billing", doc["enabled"])
        self.assertIn("apps-billing", self.guard_apps(doc))

    def test_guardrail_settings(self):
        s = self.up()["settings"]
        self.assertTrue(s["version_settings"]["constraint"].startswith(">="))
        self.assertFalse(s["secret_settings"]["disable_scrub"])
        ignore = s["watch_settings"]["ignore"]
        for pattern in ["**/node_modules", ".git", "build"]:
            self.assertIn(pattern, ignore)
        self.assertFalse(s["docker_prune_settings"]["disable"])
        self.assertGreater(s["update_settings"]["k8s_upsert_timeout_secs"], 30)
        self.assertEqual(s["allow_k8s_contexts"], ["k3d-ameide"])

    def test_parity_resource_runs_check_on_value_file_changes(self):
        r = res(self.up(), PARITY)
        self.assertEqual(os.path.basename(r["cmd"][0]), "tilt-values-parity")
        self.assertEqual(r["cmd"][-1], "check")
        self.assertIn(os.path.join(REPO, "values"), r["deps"])
        self.assertEqual(r["trigger_mode"], "auto")
        self.assertTrue(r["auto_init"])
        # The same command fails (red) on a broken copy of the workspace and passes on ours.
        self.assertEqual(subprocess.run(r["cmd"], capture_output=True).returncode, 0)
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(REPO, "values"), os.path.join(tmp, "values"))
            bad = os.path.join(tmp, "values", "dev", "apps", "apps-graph.yaml")
            os.remove(bad)
            argv = [a if a != os.path.join(REPO, "values") else os.path.join(tmp, "values") for a in r["cmd"]]
            p = subprocess.run(argv, capture_output=True, text=True)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("apps-graph", p.stdout)

    def test_recovery_resources_are_manual(self):
        doc = self.up()
        for name in ["ops-migrations-image", "ops-db-migrate-platform", "ops-flyway-cli"]:
            r = res(doc, name)
            self.assertFalse(r["auto_init"], name)
            self.assertEqual(r["trigger_mode"], "manual", name)
            self.assertTrue(r["cmd"], name)


class Readiness(TiltfileCase):
    """What the apps wait for (Tilt v0.37.6 internal/controllers/core/cmd/controller.go:527, internal/tiltfile/k8s.go:318)."""

    def test_apps_wait_for_the_guard_to_report_them_paused(self):
        for args in ([], ["--only=apps-graph"]):
            with self.subTest(args=args):
                doc = self.up(*args)
                guard = res(doc, GUARD)
                probe = guard["readiness"]
                self.assertIsNotNone(probe, "a serve_cmd without a probe is ready at process start")
                self.assertEqual(guard.get("ready_when", "probe"), "probe")  # where the harness models it
                argv = probe["exec"]["command"]
                self.assertEqual(argv[:-len(self.guard_apps(doc))], [guard["serve_cmd"][0], "--context", "k3d-ameide",
                                                                     "--argocd-namespace", "argocd", "status", "--ready"])
                self.assertEqual(argv[-len(self.guard_apps(doc)):], self.guard_apps(doc))
                for app in self.guard_apps(doc):
                    self.assertIn(GUARD, res(doc, app)["resource_deps"])

    def test_test_job_runner_ignores_pods(self):
        with runner_dir() as runner:
            doc = self.up(env={"AMEIDE_TEST_RUNNER_DIR": runner})
        runner = res(doc, "test-job-runner")
        self.assertEqual(runner["pod_readiness"], "ignore")
        self.assertEqual(runner.get("ready_when", "pod_readiness_ignore"), "pod_readiness_ignore")


class Selection(TiltfileCase):
    def expect_selected(self, doc, wanted):
        want = self.closure(wanted)
        self.assertEqual(sorted(doc["enabled"]), sorted(want | {GUARD, PARITY}))
        self.assertEqual(sorted(self.guard_apps(doc)), sorted(want))

    def test_only_one_app(self):
        self.assertEqual(self.by_name["apps-inference"]["resource_deps"], [])
        doc = self.up("--only=apps-inference")
        self.assertEqual(sorted(doc["enabled"]), sorted(["apps-inference", GUARD, PARITY]))
        self.assertEqual(self.guard_apps(doc), ["apps-inference"])

    def test_dependencies_come_along(self):
        app = "apps-www-ameide-platform"
        self.assertTrue(self.by_name[app]["resource_deps"])
        self.expect_selected(self.up("--only=" + app), [app])

    def test_comma_list_repeated_flags_and_services(self):
        a, b = "apps-inference", "apps-graph"
        for args in (["--only=%s,%s" % (a, b)], ["--only=" + a, "--only=" + b], ["--only", a, "--only", b],
                     ["--services=inference,graph"], ["--services=inference", "--services=graph"],
                     ["--services=inference", "--only=" + b], [a, b]):
            with self.subTest(args=args):
                self.expect_selected(self.up(*args), [a, b])

    def test_services_graph(self):
        doc = self.up("--services=graph")
        self.expect_selected(doc, ["apps-graph"])
        self.assertIn("apps-platform", doc["enabled"])  # graph depends on platform

    def test_unknown_name_fails_with_valid_names(self):
        for args, bad in ((["--only=apps-nope"], "--only=apps-nope"), (["--services=graf"], "--services=graf"),
                          (["--only=apps-graph,apps-nope"], "--only=apps-nope")):
            with self.subTest(args=args):
                code, err = tilt_eval(*args)
                self.assertEqual(code, 1)
                self.assertIn(bad, err)
                for app in self.apps:
                    self.assertIn(app, err)


class RegistryAndContext(TiltfileCase):
    def test_registry_defaults(self):
        reg = self.up()["settings"]["default_registry"]
        self.assertEqual(reg["host"], "registry.localhost:32000")
        self.assertEqual(reg["host_from_cluster"], "registry.localhost:32000")

    def test_registry_from_environment(self):
        reg = self.up(env={"AMEIDE_REGISTRY_HOST": "localhost:5001",
                           "AMEIDE_REGISTRY_HOST_FROM_CLUSTER": "k3d-ameide.localhost:5001"})["settings"]["default_registry"]
        self.assertEqual((reg["host"], reg["host_from_cluster"]), ("localhost:5001", "k3d-ameide.localhost:5001"))
        reg = self.up(env={"AMEIDE_REGISTRY_HOST": "ghcr.io/ameideio/dev"})["settings"]["default_registry"]
        self.assertEqual((reg["host"], reg["host_from_cluster"]), ("ghcr.io/ameideio/dev", "ghcr.io/ameideio/dev"))

    def test_bad_registry_fails(self):
        code, err = tilt_eval(env={"AMEIDE_REGISTRY_HOST": "https://registry.example.com"})
        self.assertEqual(code, 1)
        self.assertIn("without a scheme", err)

    def test_production_context_refused(self):
        for ctx in ["aks-prod-weu", "gke_ameide_europe-west1_production", "arn:aws:eks:eu-west-1:1:cluster/prd2"]:
            with self.subTest(context=ctx):
                code, err = tilt_eval(context=ctx, env={"AMEIDE_DEV_CONTEXT": ctx})
                self.assertEqual(code, 1)
                self.assertIn("looks like production", err)
        code, err = tilt_eval(context="k3d-ameide", env={"AMEIDE_DEV_CONTEXT": "aks-prod"})
        self.assertEqual(code, 1)
        self.assertIn("looks like production", err)

    def test_remote_dev_context(self):
        code, err = tilt_eval(context="aks-dev-weu")
        self.assertEqual(code, 1, "an unconfigured remote context must be refused")
        doc = self.up(context="aks-dev-weu", env={"AMEIDE_DEV_CONTEXT": "aks-dev-weu"})
        self.assertEqual(doc["settings"]["allow_k8s_contexts"], ["k3d-ameide", "aks-dev-weu"])
        # The helpers act on Tilt's context, not on whatever kubeconfig's current one is.
        serve = res(doc, GUARD)["serve_cmd"]
        self.assertEqual(serve[serve.index("--context") + 1], "aks-dev-weu")


def flag_values(argv, *flags):
    out = []
    for i, a in enumerate(argv):
        for f in flags:
            if a == f and i + 1 < len(argv):
                out.append(argv[i + 1])
            elif a.startswith(f + "="):
                out.append(a[len(f) + 1:])
    return out


class ValueFiles(TiltfileCase):
    def test_helm_app_value_files_equal_the_plan(self):
        doc = self.up()
        for app in self.plan["apps"]:
            r = res(doc, app["name"])
            got = [os.path.normpath(os.path.join(REPO, f)) for f in flag_values(r["apply_cmd"], "-f", "--values")]
            self.assertEqual(got, [os.path.normpath(f) for f in app["value_files_abs"]], app["name"])


class ButtonsAndDown(TiltfileCase):
    def test_every_button_starts_a_command(self):
        doc = self.up()
        self.assertTrue(doc["buttons"])
        for b in doc["buttons"]:
            with self.subTest(button=b["name"]):
                self.assertIsNotNone(b["cmd"])
                argv = b["cmd"]["args"]
                self.assertTrue(argv)
                self.assertTrue(os.path.isabs(argv[0]) and os.access(argv[0], os.X_OK), argv[0])
                # Output goes to the button's resource (Tilt's "(Tiltfile)" for nav buttons), as
                # tilt-extensions' uibutton annotates it.
                loc = b["location"]
                on = loc["component_id"] if loc["component_type"] == "Resource" else "(Tiltfile)"
                self.assertEqual(b["cmd"]["annotations"].get("tilt.dev/resource"), on)
                if loc["component_type"] == "Resource":
                    self.assertEqual(b["annotations"], {"tilt.dev/resource": on})
        by = {b["name"]: b for b in doc["buttons"]}
        self.assertEqual(by["argocd-resume"]["text"], "Resume Argo CD now")
        self.assertEqual(by["argocd-resume"]["cmd"]["args"][-1], "resume")  # journaled apps only
        self.assertEqual(by["values-parity-check"]["text"], "Check parity")
        self.assertEqual(by["values-parity-check"]["location"]["component_id"], PARITY)
        for app in self.plan["apps"]:
            b = by["adopt-" + app["name"]]
            self.assertEqual(b["text"], "Re-run adoption")
            self.assertEqual(b["location"], {"component_type": "Resource", "component_id": app["name"]})
            argv = b["cmd"]["args"]
            self.assertEqual(os.path.basename(argv[0]), "tilt-helm-adopt")
            self.assertIn(app["release"], argv)
            self.assertEqual(flag_values(argv, "--namespace"), [app["namespace"]])
        e2e = by["e2e-run"]
        self.assertEqual(os.path.basename(e2e["cmd"]["args"][0]), "tilt-e2e-run.sh")
        self.assertEqual([i["name"] for i in e2e["inputs"]], ["FEATURE"])
        self.assertEqual(os.path.basename(by["integration-run"]["cmd"]["args"][0]), "integration-run.sh")
        self.assertEqual(os.path.basename(by["integration-cleanup"]["cmd"]["args"][0]), "integration-cleanup.sh")

    def test_test_job_runner_release(self):
        with runner_dir() as runner:
            doc = self.up(env={"AMEIDE_TEST_RUNNER_DIR": runner, "AMEIDE_TEST_NAMESPACE": "tests"})
        r = res(doc, "test-job-runner")
        self.assertEqual(r["kind"], "k8s_custom_deploy")
        self.assertEqual(r["image_deps"], ["test-job-runner"])
        self.assertEqual(os.path.basename(r["apply_cmd"][0]), "tilt-helm-apply")
        self.assertEqual(flag_values(r["apply_cmd"], "--namespace"), ["tests"])
        self.assertEqual(flag_values(r["apply_cmd"], "--chart"), [os.path.join(REPO, "tilt_extensions", "e2e", "chart")])
        self.assertIn("test-job-runner", [i["ref"] for i in doc["images"]])
        by = {b["name"]: b for b in doc["buttons"]}
        self.assertEqual(flag_values(by["integration-run"]["cmd"]["args"], "--namespace"), ["tests"])

    def test_native_commands_parse(self):
        """Every command line handed to a native helper parses: with no reachable cluster each one
        stops at the environment check (exit 2), never at a usage error."""
        with runner_dir() as runner:
            doc = self.up(env={"AMEIDE_TEST_RUNNER_DIR": runner})
        argvs = [res(doc, GUARD)["serve_cmd"], res(doc, "test-job-runner")["delete_cmd"]]
        argvs += [b["cmd"]["args"] for b in doc["buttons"] if os.path.dirname(b["cmd"]["args"][0]) == BIN
                  and "tilt-values-parity" not in b["cmd"]["args"][0]]
        env = base_env(KUBECONFIG="/nonexistent/kubeconfig", AMEIDE_ARGOCD_STATE_DIR=tempfile.mkdtemp(),
                       HOME=tempfile.mkdtemp())
        usage_errors = ["was not expected", "is required", "Run with --help", "not in {", "unknown option"]
        for argv in argvs:
            with self.subTest(argv=argv[:3]):
                p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
                for e in usage_errors:
                    self.assertNotIn(e, p.stderr, argv)
                self.assertEqual(p.returncode, 2, p.stderr)
        p = subprocess.run(res(doc, PARITY)["cmd"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_down_uninstalls_no_argo_owned_release(self):
        with runner_dir() as runner:
            doc = self.up(subcommand="down", env={"AMEIDE_TEST_RUNNER_DIR": runner})
        self.assertEqual(doc["buttons"], [])
        for app in self.plan["apps"]:
            r = res(doc, app["name"])
            self.assertIsNotNone(r["delete_cmd"], app["name"])
            self.assertNotIn("uninstall", r["delete_cmd"], app["name"])
            self.assertEqual(flag_values(r["delete_cmd"], "--on-down"), ["handback"], app["name"])
        # Only the Tilt-only test runner may be uninstalled.
        self.assertEqual(flag_values(res(doc, "test-job-runner")["delete_cmd"], "--on-down"), ["uninstall"])
        for c in doc["local_calls"]:
            self.assertNotIn("uninstall", c["argv"] or [], c)
            self.assertNotIn("delete", c["argv"] or [], c)


def trigger_fires(triggers, changed):
    """Tilt's rule for a run step: no trigger runs after every sync, else a trigger that is the
    changed file or one of its folders (v0.37.6 internal/build/boil_runs.go:11,
    pkg/model/matcher.go:91)."""
    return not triggers or any(changed == t or changed.startswith(t.rstrip("/") + "/") for t in triggers)


class LiveUpdate(TiltfileCase):
    """Each app's steps are its component's hints (tilt_extensions/live_update live_update_for)."""

    def steps_of(self, doc, app):
        return [im for im in doc["images"] if im["ref"] == self.by_name[app]["images"][0]["name"]][0]["live_update"]

    def test_steps_are_the_hints_and_point_at_real_files(self):
        doc = self.up()
        for app in self.plan["apps"]:
            hints = app["live_update"]
            steps = self.steps_of(doc, app["name"])
            with self.subTest(app=app["name"], language=app["language"]):
                self.assertEqual(steps[0], {"type": "fall_back_on",
                                            "files": [os.path.join(REPO, f) for f in hints["fall_back_on"]]})
                self.assertEqual([(s["local_path"], s["remote_path"]) for s in steps if s["type"] == "sync"],
                                 [(os.path.join(REPO, h["local"]), h["remote"]) for h in hints["sync"]])
                runs = [s for s in steps if s["type"] == "run"]
                restart = app["language"] in ("go", "python")
                self.assertEqual([(r["cmd"][-1], r["trigger"]) for r in runs[:len(hints["run"])]],
                                 [(h["cmd"], [os.path.join(REPO, t) for t in h["trigger"]]) for h in hints["run"]])
                self.assertEqual(len(runs), len(hints["run"]) + restart)
                self.assertEqual("/tmp/.restart-proc" in runs[-1]["cmd"][-1], restart)
                self.assertNotIn("restart_container", [s["type"] for s in steps])
                paths = steps[0]["files"] + [s["local_path"] for s in steps if s["type"] == "sync"]
                paths += [t for r in runs for t in r["trigger"]]
                for path in paths:
                    self.assertTrue(os.path.exists(path), path)

    def test_go_build_runs_on_a_go_change(self):
        doc = self.up()
        for app in [a for a in self.plan["apps"] if a["language"] == "go"]:
            build = [s for s in self.steps_of(doc, app["name"]) if s["type"] == "run" and "go build" in s["cmd"][-1]]
            src = os.path.join(REPO, app["source"])
            for changed in [os.path.join(src, "cmd", app["component"], "main.go"), os.path.join(src, "new.go")]:
                with self.subTest(app=app["name"], changed=changed):
                    self.assertEqual(len(build), 1)
                    self.assertTrue(trigger_fires(build[0]["trigger"], changed))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def write_exe(path, body):
    write(path, "#!/bin/sh\n" + textwrap.dedent(body))
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)


class Packages(TiltfileCase):
    def test_absent_packages_are_skipped_with_a_note(self):
        with tempfile.TemporaryDirectory() as tmp:
            doc = self.up(env={"AMEIDE_PACKAGES_DIR": os.path.join(tmp, "none")})
        self.assertEqual([n for n in names(doc) if n.startswith("packages:")], ["packages:health"])
        self.assertTrue(any("packages: skipped" in p and "does not exist" in p for p in doc["prints"]), doc["prints"])

    def test_packages_builds_lint_and_health(self):
        with tempfile.TemporaryDirectory() as tmp:
            pk = os.path.join(tmp, "packages")
            for d in ["ameide_core_proto/proto", "ameide_sdk_ts/scripts", "ameide_sdk_python", "ameide_sdk_go_extra"]:
                os.makedirs(os.path.join(pk, d))
            write(os.path.join(pk, "ameide_core_proto", "buf.gen.yaml"), "version: v2\n")
            write(os.path.join(pk, "ameide_sdk_ts", "package.json"), "{}\n")
            write(os.path.join(pk, "ameide_sdk_ts", "scripts", "lint.sh"), "exit 0\n")
            write(os.path.join(pk, "ameide_sdk_python", "pyproject.toml"), "[project]\n")
            write(os.path.join(pk, "ameide_sdk_go_extra", "go.mod"), "module x\n")
            doc = self.up(env={"AMEIDE_PACKAGES_DIR": pk,
                               "AMEIDE_PACKAGES": "ameide_core_proto,ameide_sdk_ts, ameide_sdk_python,ameide_sdk_go,"
                                                  "ameide_sdk_go_extra"})
            got = sorted(n for n in names(doc) if n.startswith("packages:"))
            self.assertEqual(got, sorted(["packages:core-proto", "packages:sdk-ts", "packages:sdk-python",
                                          "packages:sdk-go-extra", "packages:lint", "packages:health"]))
            self.assertTrue(any("ameide_sdk_go is absent" in p for p in doc["prints"]), doc["prints"])
            self.assertTrue(any("BUF_TOKEN is not set" in p for p in doc["prints"]), doc["prints"])
            health = res(doc, "packages:health")
            self.assertEqual(sorted(health["resource_deps"]), sorted(g for g in got if g != "packages:health"))
            for sdk in ["packages:sdk-ts", "packages:sdk-python", "packages:sdk-go-extra"]:
                self.assertEqual(res(doc, sdk)["resource_deps"], ["packages:core-proto"])
            self.assertEqual(res(doc, "packages:sdk-python")["cmd"], ["uv", "build"])
            self.assertEqual(res(doc, "packages:sdk-go-extra")["cmd"], ["go", "build", "./..."])
            # The proto build itself: a clear message without BUF_TOKEN, buf generate with it.
            proto = res(doc, "packages:core-proto")
            fake = os.path.join(tmp, "bin")
            os.makedirs(fake)
            write_exe(os.path.join(fake, "buf"), 'echo "buf $*" > "$PWD/buf.ran"\n')
            env = base_env(PATH=fake + os.pathsep + os.environ["PATH"])
            p = subprocess.run(proto["cmd"], cwd=proto["dir"], env=env, capture_output=True, text=True)
            self.assertEqual(p.returncode, 1)
            self.assertIn("BUF_TOKEN is not set", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(proto["dir"], "buf.ran")))
            env["BUF_TOKEN"] = "x"
            p = subprocess.run(proto["cmd"], cwd=proto["dir"], env=env, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(read(os.path.join(proto["dir"], "buf.ran")), "buf generate\n")
            lint = res(doc, "packages:lint")
            self.assertEqual(subprocess.run(lint["cmd"], capture_output=True).returncode, 0)
            write(os.path.join(pk, "ameide_sdk_ts", "scripts", "lint.sh"), "exit 4\n")
            self.assertNotEqual(subprocess.run(lint["cmd"], capture_output=True).returncode, 0)


class Services(TiltfileCase):
    """services/<component>: a Dockerfile in the component's language, hints on real files, and
    sources that build (Go, offline, standard library only) or parse (Node, Python), then answer
    /healthz on $PORT."""

    BUILD_TOOL = {"go": "go build", "node": "pnpm install", "python": "uv pip sync"}

    def test_dockerfiles_and_hint_paths_exist(self):
        for app in self.plan["apps"]:
            hints = app["live_update"]
            with self.subTest(app=app["name"]):
                for im in app["images"]:
                    dockerfile = os.path.join(REPO, im["dockerfile"] or os.path.join(im["context"], "Dockerfile"))
                    self.assertTrue(os.path.isfile(dockerfile), dockerfile)
                    self.assertIn(self.BUILD_TOOL[app["language"]], read(dockerfile))
                    port = [l.split(":")[1].strip() for l in read(os.path.join(
                        REPO, "values", "_shared", "apps", app["name"] + ".yaml")).splitlines()
                        if l.startswith("containerPort:")]
                    self.assertIn(f"ENV PORT={port[0]}", read(dockerfile))  # the chart's containerPort
                paths = hints["fall_back_on"] + [h["local"] for h in hints["sync"]]
                paths += [t for h in hints["run"] for t in h["trigger"]]
                self.assertTrue(paths)
                for p in paths:
                    self.assertTrue(os.path.exists(os.path.join(REPO, p)), p)

    def serve_and_probe(self, argv, cwd):
        import socket
        import time
        import urllib.request
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen(argv, cwd=cwd, env=base_env(PORT=str(port)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                        return r.read().decode().strip()
                except OSError:
                    if proc.poll() is not None:
                        return "exited: " + proc.stderr.read().decode()
                    time.sleep(0.1)
            return "no answer"
        finally:
            proc.kill()
            proc.wait()
            proc.stderr.close()

    def test_sources_build_and_answer_health(self):
        gocache = os.environ.get("GOCACHE") or tempfile.mkdtemp()
        with tempfile.TemporaryDirectory() as out:
            for app in self.plan["apps"]:
                src = os.path.join(REPO, app["source"])
                with self.subTest(app=app["name"], language=app["language"]):
                    if app["language"] == "go":
                        binary = os.path.join(out, app["component"])
                        # The live-update command's package path, built offline: no module outside std.
                        pkg = app["live_update"]["run"][0]["cmd"].split()[-1]
                        env = base_env(GOPROXY="off", GOFLAGS="-mod=mod", GO111MODULE="on", GOCACHE=gocache)
                        p = subprocess.run(["go", "build", "-o", binary, pkg], cwd=src, env=env,
                                           capture_output=True, text=True, timeout=300)
                        self.assertEqual(p.returncode, 0, p.stderr)
                        argv = [binary]
                    elif app["language"] == "node":
                        p = subprocess.run(["node", "--check", "server.js"], cwd=src, capture_output=True, text=True)
                        self.assertEqual(p.returncode, 0, p.stderr)
                        argv = ["node", "server.js"]
                    else:
                        p = subprocess.run(["python3", "-m", "py_compile", "app.py"], cwd=src, capture_output=True,
                                           text=True, env=base_env(PYTHONPYCACHEPREFIX=out))
                        self.assertEqual(p.returncode, 0, p.stderr)
                        argv = ["python3", "-B", "app.py"]
                    self.assertEqual(self.serve_and_probe(argv, src), "ok")


class Scripts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        self.log = os.path.join(self.tmp, "calls.log")
        # A kubectl that records its argv and answers as the cluster in $FAKE_STATE would.
        write_exe(os.path.join(self.bin, "kubectl"), r'''
            echo "$*" >> "$FAKE_LOG"
            case "$*" in
              *"create job"*"--dry-run=client"*) echo '{"kind":"Job","metadata":{"name":"x"}}' ;;
              *"set env --local"*) echo '{"kind":"Job","env":true}' ;;
              *"get job"*) [ "$FAKE_STATE" = pass ] && echo "1/" || echo "/1" ;;
              *"get pods"*) echo "${FAKE_EXIT:-}" ;;
              *"logs job/"*) echo "runner output" ;;
            esac
            exit 0
        ''')
        write_exe(os.path.join(self.bin, "pnpm"), 'echo "pnpm $* in $PWD" >> "$FAKE_LOG"; exit "${FAKE_EXIT:-0}"\n')

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_script(self, name, *args, **env):
        e = base_env(PATH=self.bin + os.pathsep + os.environ["PATH"], FAKE_LOG=self.log, **env)
        return subprocess.run([os.path.join(SCRIPTS, name), *args], capture_output=True, text=True, env=e,
                              timeout=60)

    def calls(self):
        return read(self.log).splitlines() if os.path.exists(self.log) else []

    def test_help_and_usage_errors(self):
        for s in ["tilt-e2e-run.sh", "integration-run.sh", "integration-cleanup.sh", "dev-up.sh"]:
            with self.subTest(script=s):
                p = self.run_script(s, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("Usage:", p.stdout)
                self.assertIn("Exit codes", p.stdout)
                self.assertEqual(self.run_script(s, "--bogus").returncode, 2)
        self.assertEqual(self.run_script("integration-run.sh", "--suite", "Bad_Name").returncode, 2)
        self.assertEqual(self.run_script("tilt-e2e-run.sh", "--feature", "a;rm -rf /").returncode, 2)
        self.assertEqual(self.calls(), [])

    def test_integration_run_passes_the_exit_code_through(self):
        p = self.run_script("integration-run.sh", "--suite", "integration", "--namespace", "tests",
                            "--context", "k3d-ameide", FAKE_STATE="pass")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("runner output", p.stdout)
        create = [c for c in self.calls() if "create job" in c][0]
        self.assertIn("-n tests --context k3d-ameide create job test-job-runner-integration-", create)
        self.assertIn("--from=cronjob/test-job-runner-integration", create)
        write(self.log, "")
        p = self.run_script("integration-run.sh", FAKE_STATE="fail", FAKE_EXIT="3")
        self.assertEqual(p.returncode, 3, p.stderr)
        p = self.run_script("integration-run.sh", FAKE_STATE="fail", FAKE_EXIT="")
        self.assertEqual(p.returncode, 1, p.stderr)
        p = self.run_script("integration-run.sh", SUITE="smoke", FAKE_STATE="pass")
        self.assertTrue(any("--from=cronjob/test-job-runner-smoke" in c for c in self.calls()))

    def test_e2e_feature_in_cluster_and_local(self):
        p = self.run_script("tilt-e2e-run.sh", FEATURE="checkout", FAKE_STATE="fail", FAKE_EXIT="5")
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertTrue(any("--from=cronjob/test-job-runner-e2e" in c for c in self.calls()), self.calls())
        self.assertTrue(any("set env --local" in c and "FEATURE=checkout" in c for c in self.calls()), self.calls())
        e2e_dir = os.path.join(self.tmp, "e2e")
        os.makedirs(e2e_dir)
        write(self.log, "")
        p = self.run_script("tilt-e2e-run.sh", "--local", e2e_dir, "--feature", "login", "--", "--workers=1",
                            FAKE_EXIT="7")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertEqual(self.calls(), [f"pnpm exec playwright test login --workers=1 in {e2e_dir}"])
        write(self.log, "")
        p = self.run_script("tilt-e2e-run.sh", "--local", e2e_dir, "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("+ pnpm exec playwright test", p.stdout)
        self.assertEqual(self.calls(), [])

    def test_integration_cleanup(self):
        p = self.run_script("integration-cleanup.sh", "--suite", "e2e")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.calls(), ["-n ameide delete jobs -l app.kubernetes.io/instance=test-job-runner,"
                                        "ameide.io/test-run=true,ameide.io/test-suite=e2e --cascade=foreground "
                                        "--ignore-not-found"])
        write_exe(os.path.join(self.bin, "kubectl"), "exit 6\n")
        self.assertEqual(self.run_script("integration-cleanup.sh").returncode, 6)

    def test_buttons_run_the_scripts_they_name(self):
        """Each test button's argv runs for real against the fake cluster."""
        code, doc = tilt_eval()
        self.assertEqual(code, 0, doc)
        by = {b["name"]: b for b in doc["buttons"]}
        e = base_env(PATH=self.bin + os.pathsep + os.environ["PATH"], FAKE_LOG=self.log, FAKE_STATE="pass")
        for name, inputs in [("integration-run", {"SUITE": "integration"}), ("e2e-run", {"FEATURE": "cart"}),
                             ("integration-cleanup", {})]:
            with self.subTest(button=name):
                cmd = by[name]["cmd"]
                p = subprocess.run(cmd["args"], cwd=cmd["dir"], env={**e, **inputs}, capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(any("FEATURE=cart" in c for c in self.calls()))



if __name__ == "__main__":
    unittest.main()
