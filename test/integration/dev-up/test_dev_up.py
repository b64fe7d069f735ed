#!/usr/bin/env python3
"""scripts/dev-up.sh (issue 17): the laptop flow, as far as it can run without k3d and docker.

- DryRun: every command line of the flow, in order, with the pins (k3s, registry, Argo CD).
- Render: the dev ApplicationSet rendered for Argo CD's real source passes the parity check and
  leaves the tracked file untouched.
- Preflight / Down: missing tools are each named with their fix; tear-down is idempotent.
- Bootstrap: against the API server fixture with real kubectl and the real tilt-argocd-sync:
  one sync of each app carrying its own sync options, the wait for Synced + Healthy, a second
  run that changes nothing, and a timeout that names the app and shows its conditions.
Run: AMEIDE_BIN_DIR=build/bin python3 -m unittest -v test_dev_up
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEV_UP = os.path.join(REPO, "scripts", "dev-up.sh")
BIN = os.path.abspath(os.environ.get("AMEIDE_BIN_DIR", os.path.join(REPO, "build", "bin")))
APPSET = os.path.join(REPO, "values", "argocd", "apps-dev.yaml")
sys.path.insert(0, os.environ.get("CLUSTER_FIXTURE_DIR", os.path.join(REPO, "test", "cluster")))
sys.path.insert(0, os.environ.get("ARGOCD_FAKE_DIR", os.path.join(REPO, "test", "argocd")))
from fixture import cluster  # noqa: E402
from world import World, deployment  # noqa: E402

CLEAN_ENV = ["AMEIDE_REGISTRY_HOST", "AMEIDE_REGISTRY_HOST_FROM_CLUSTER", "AMEIDE_REGISTRY_PUSH_HOST",
             "AMEIDE_ARGOCD_VERSION", "ARGOCD_VERSION"]


def env(**extra):
    e = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    e["AMEIDE_BIN_DIR"] = BIN
    e.update(extra)
    return e


def dev_up(*args, environ=None, timeout=180):
    return subprocess.run([DEV_UP, *args], capture_output=True, text=True, env=environ or env(), timeout=timeout,
                          stdin=subprocess.DEVNULL)


def commands(p):
    return [line[2:] for line in p.stdout.splitlines() if line.startswith("+ ")]


def plan():
    p = subprocess.run([os.path.join(BIN, "tilt-values-parity"), "--root", os.path.join(REPO, "values"),
                        "plan", "-o", "json"], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class DryRun(unittest.TestCase):
    def run_dry(self, *args, **extra):
        p = dev_up("--dry-run", *args, environ=env(**extra))
        self.assertEqual(p.returncode, 0, p.stderr)
        return commands(p), p

    def test_every_step_in_order_with_pins(self):
        cmds, p = self.run_dry()
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True)
        images = [i["name"] for a in plan()["apps"] for i in a["images"]]

        def index(prefix):
            found = [i for i, c in enumerate(cmds) if c.startswith(prefix)]
            self.assertTrue(found, f"no command starting with {prefix!r} in:\n" + "\n".join(cmds))
            return found[0]
        order = [index("k3d registry create ameide.localhost --port 5001 --image docker.io/library/registry:2.8.3"),
                 index("k3d cluster create ameide --image docker.io/rancher/k3s:v1.32.5-k3s1 "
                       "--registry-use k3d-ameide.localhost:5001"),
                 index("git daemon --detach --reuseaddr --export-all"),
                 index("docker build -t localhost:5001/ameide/"),
                 index("kubectl --context k3d-ameide apply -n argocd --server-side --force-conflicts "
                       "-f https://raw.githubusercontent.com/argoproj/argo-cd/v3.3.1/manifests/install.yaml"),
                 index("kubectl --context k3d-ameide apply -n argocd -f "),
                 index("kubectl --context k3d-ameide -n argocd get application "),
                 index(os.path.join(BIN, "tilt-argocd-sync") + " --context k3d-ameide --argocd-namespace argocd sync "),
                 index("tilt up --context k3d-ameide")]
        self.assertEqual(order, sorted(order))
        for im in images:
            self.assertIn(f"docker push localhost:5001/ameide/{im}:dev", cmds)
        daemon = cmds[order[2]]
        self.assertIn(f"--base-path={os.path.dirname(REPO)} {REPO}", daemon)
        self.assertIn("--port=9418", daemon)
        if head.returncode == 0:
            self.assertIn(f"as git://host.k3d.internal/{os.path.basename(REPO)} at {head.stdout.strip()}", p.stderr)
        # The file applied is the rendered copy, never the tracked one, and it is still there.
        applied = cmds[order[5]].split(" -f ", 1)[1]
        self.assertNotEqual(os.path.realpath(applied), os.path.realpath(APPSET))
        with open(applied) as f:
            self.assertIn("git://host.k3d.internal/", f.read())
        sync = cmds[order[7]]
        for a in plan()["apps"]:
            self.assertIn(f" {a['name']} ", sync + " ")
        self.assertTrue(sync.endswith("--wait --timeout 600"), sync)

    def test_version_override_and_deprecated_alias(self):
        cmds, _ = self.run_dry(AMEIDE_ARGOCD_VERSION="v2.14.0")
        self.assertTrue(any("argo-cd/v2.14.0/manifests/install.yaml" in c for c in cmds))
        cmds, p = self.run_dry(ARGOCD_VERSION="v3.2.1")
        self.assertTrue(any("argo-cd/v3.2.1/manifests/install.yaml" in c for c in cmds))
        self.assertIn("ARGOCD_VERSION is deprecated", p.stderr)
        p = dev_up("--dry-run", environ=env(AMEIDE_ARGOCD_VERSION="stable"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a release tag", p.stderr)

    def test_remote_repo_serves_nothing_and_tilt_args_pass_through(self):
        cmds, p = self.run_dry("--skip-cluster", "--skip-argocd", "--repo-url", "https://git.example.com/o/r.git",
                               "--revision", "main", "--", "--only=apps-graph",
                               AMEIDE_REGISTRY_PUSH_HOST="127.0.0.1:5002")
        self.assertFalse(any(c.startswith(("k3d ", "git daemon")) for c in cmds), cmds)
        self.assertIn("docker push 127.0.0.1:5002/ameide/graph:dev", cmds)
        self.assertEqual(cmds[-1], "tilt up --context k3d-ameide -- --only=apps-graph")
        self.assertIn("AMEIDE_REGISTRY_HOST=127.0.0.1:5002 AMEIDE_REGISTRY_HOST_FROM_CLUSTER=k3d-ameide.localhost:5001",
                      cmds)

    def test_ci_runs_tilt_ci_on_one_app(self):
        cmds, _ = self.run_dry("--ci")
        first = plan()["apps"][0]["name"]
        self.assertEqual(cmds[-1], f"tilt ci --context k3d-ameide -- --only={first}")
        cmds, _ = self.run_dry("--ci", "--ci-app", "apps-graph")
        self.assertEqual(cmds[-1], "tilt ci --context k3d-ameide -- --only=apps-graph")
        p = dev_up("--dry-run", "--ci", "--ci-app", "apps-nope")
        self.assertEqual(p.returncode, 2)
        self.assertIn("apps-nope is not in the catalog", p.stderr)

    def test_usage_errors(self):
        for args, text in [(["--repo-url", "https://x/r.git"], "go together"),
                           (["--repo-url", "file:///etc", "--revision", "main"], "not a git URL"),
                           (["--revision", "main;rm", "--repo-url", "https://x/r.git"], "not a branch"),
                           (["--cluster", "Bad_Name"], "invalid cluster"),
                           (["--ci", "--no-tilt"], "contradict"),
                           (["--context", "prod-aks"], "not a k3d cluster"),
                           (["--bogus"], "unknown argument")]:
            with self.subTest(args=args):
                p = dev_up("--dry-run", *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(text, p.stderr)


class Render(unittest.TestCase):
    def test_rendered_appset_points_at_the_source_and_passes_parity(self):
        before = sha(APPSET)
        p = dev_up("--render-appset", "--repo-url", "https://git.example.com/team/gitops.git", "--revision", "v1.2.3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sha(APPSET), before, "the tracked ApplicationSet was edited")
        text = p.stdout
        self.assertEqual(text.count("repoURL: https://git.example.com/team/gitops.git"), 3, text)
        self.assertEqual(text.count("evision: v1.2.3"), 3, text)
        self.assertNotIn("github.com/ameideio", text)
        self.assertIn("values parity ok", p.stderr)
        # The same check, run here on a workspace holding exactly what was printed.
        with tempfile.TemporaryDirectory() as d:
            shutil.copytree(os.path.join(REPO, "values"), os.path.join(d, "values"))
            with open(os.path.join(d, "values", "argocd", "apps-dev.yaml"), "w") as f:
                f.write(text)
            c = subprocess.run([os.path.join(BIN, "tilt-values-parity"), "--root", os.path.join(d, "values"), "check"],
                               capture_output=True, text=True)
            self.assertEqual(c.returncode, 0, c.stdout + c.stderr)

    def test_default_source_is_this_checkout(self):
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.returncode != 0:
            self.fail("the repository under test must be a git checkout")
        p = dev_up("--render-appset")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count(f"repoURL: git://host.k3d.internal/{os.path.basename(REPO)}"), 3)
        self.assertEqual(p.stdout.count(f"evision: {head.stdout.strip()}"), 3)


class Preflight(unittest.TestCase):
    def test_each_missing_tool_is_named_with_its_fix(self):
        # A PATH holding only what the script itself needs: no docker, k3d, helm or tilt.
        with tempfile.TemporaryDirectory() as d:
            for tool in ["bash", "env", "python3", "git", "cat", "cut", "awk", "basename", "dirname", "cp", "rm",
                         "mkdir", "grep", "paste", "head", "kubectl"]:
                os.symlink(shutil.which(tool), os.path.join(d, tool))
            p = dev_up(environ=env(PATH=d))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for tool, fix in [("docker", "docs.docker.com"), ("k3d", "k3d.io"), ("helm", "helm.sh"),
                          ("tilt", "docs.tilt.dev")]:
            self.assertIn(f"missing {tool}: install", p.stderr)
            self.assertIn(fix, p.stderr)
        self.assertNotIn("missing kubectl", p.stderr)
        self.assertIn("preflight failed: 4 tool(s) missing", p.stderr)
        self.assertEqual(commands(p), [], "nothing may run after a failed preflight")


class Down(unittest.TestCase):
    def test_down_deletes_cluster_registry_and_daemon_and_is_idempotent(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "k3d.log")
            state = os.path.join(d, "state")
            k3d = os.path.join(d, "k3d")
            # A k3d that knows one cluster and one registry until they are deleted.
            with open(k3d, "w") as f:
                f.write(f"""#!/usr/bin/env bash
echo "$*" >> {log}
case "$1 $2" in
  "cluster get") [ -e {state}/cluster ] ;;
  "registry get") [ -e {state}/registry ] ;;
  "cluster delete") rm -f {state}/cluster ;;
  "registry delete") rm -f {state}/registry ;;
esac
""")
            os.chmod(k3d, 0o755)
            os.makedirs(state)
            open(os.path.join(state, "cluster"), "w").close()
            open(os.path.join(state, "registry"), "w").close()
            e = env(PATH=d + os.pathsep + os.environ["PATH"])
            p = dev_up("--down", environ=e)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(commands(p), ["k3d cluster delete ameide", "k3d registry delete k3d-ameide.localhost"])
            p = dev_up("--down", environ=e)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(commands(p), [])
            self.assertIn("cluster ameide is already gone", p.stderr)
            self.assertIn("registry k3d-ameide.localhost is already gone", p.stderr)
            with open(log) as f:
                self.assertEqual(sum(1 for line in f if "delete" in line), 2)


def application(name, sync_options, automated=None):
    spec = {"project": "default",
            "source": {"repoURL": "https://git.example.com/team/gitops.git", "targetRevision": "main",
                       "path": f"apps/{name}"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "ameide"},
            "syncPolicy": {"syncOptions": sync_options}}
    if automated is not None:
        spec["syncPolicy"]["automated"] = automated
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"}, "spec": spec}


class Bootstrap(unittest.TestCase):
    OPTIONS = ["CreateNamespace=true", "ApplyOutOfSyncOnly=true"]

    def setUp(self):
        self.apps = [a["name"] for a in plan()["apps"]]

    def start(self, c):
        for name in self.apps:
            c.kubectl("apply", "-f", "-", input=json.dumps(application(name, self.OPTIONS)))
        context = c.kubectl("config", "current-context").stdout.strip()
        return env(KUBECONFIG=c.kubeconfig, HOME=c.env["HOME"]), context

    def bootstrap(self, e, context, *extra):
        return dev_up("--context", context, "--skip-build", "--skip-argocd", "--no-tilt",
                      "--repo-url", "https://git.example.com/team/gitops.git", "--revision", "main", *extra,
                      environ=e, timeout=240)

    def test_one_sync_each_with_the_apps_options_then_a_second_run_changes_nothing(self):
        # The one fake Application controller (test/argocd/fake_argocd.py --only app): it carries
        # out each operation with the operation's own options; the apps have no automated.
        with World(only="app") as w:
            c = w.c
            for name in self.apps:
                w.repo_write(f"apps/{name}", [deployment(name, "nginx:1")])
            e, context = self.start(c)
            operations = lambda: [(ev["name"], ev["operation"]) for ev in w.events()  # noqa: E731
                                  if ev["event"] == "operation-started"]
            p = self.bootstrap(e, context, "--timeout", "60")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr + w.fake_stderr()[-2000:])
            self.assertEqual(sorted(n for n, _ in operations()), sorted(self.apps))
            for name, op in operations():
                self.assertEqual(op["sync"].get("syncOptions"), self.OPTIONS, name)
                self.assertFalse(op["sync"].get("prune", False), f"{name}: no policy asked for prune")
                self.assertEqual(op.get("retry"), {"limit": 5}, name)
            appset = json.loads(c.kubectl("-n", "argocd", "get", "applicationset", "apps-dev", "-o", "json").stdout)
            self.assertEqual(appset["spec"]["generators"][0]["git"]["repoURL"],
                             "https://git.example.com/team/gitops.git")
            for name in self.apps:
                self.assertIn(name, p.stdout + p.stderr)

            n = len(operations())
            p = self.bootstrap(e, context, "--timeout", "60")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            time.sleep(0.5)
            self.assertEqual(len(operations()), n, "a second run triggered syncs")
            for name in self.apps:
                self.assertIn(f"{name} is already Synced and Healthy", p.stderr)
            self.assertIn("unchanged", p.stdout)
            self.assertFalse(any("sync" in c.split() for c in commands(p)), commands(p))

    def test_timeout_names_the_app_and_shows_its_conditions(self):
        with cluster("--argocd") as c:
            e, context = self.start(c)
            c.call("PATCH", f"/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/{self.apps[0]}",
                   {"status": {"conditions": [{"type": "ComparisonError",
                                               "message": "repository not accessible: host.k3d.internal"}]}},
                   content_type="application/merge-patch+json")
            p = self.bootstrap(e, context, "--timeout", "3")
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            out = p.stdout + p.stderr
            self.assertIn(self.apps[0], out)
            self.assertIn("repository not accessible: host.k3d.internal", out)
            self.assertIn("did not all become Synced and Healthy", p.stderr)


if __name__ == "__main__":
    unittest.main()
