#!/usr/bin/env python3
"""End-to-end checks of tilt-values-parity on the embedded workspace (values/):
  check   exits 0 in text, json and SARIF form; the SARIF is 2.1.0
  root    the default --root is found from the repository root and from inside values/
  plan    plan -o json lists the 12 apps; --app narrows it; an unknown app exits 2 naming the valid ones
  helm    every app of the plan renders with the real helm (chart + value files + image keys only),
          and every object carries app.kubernetes.io/instance=<release>
usage: workspace_cli.py TOOL REPO_ROOT {check|root|plan|helm} [HELM]
"""
import json
import os
import subprocess
import sys

APPS = ["agents", "agents-runtime", "inference", "inference-gateway", "platform", "graph", "threads",
        "transformation", "workflows", "workflows-runtime", "www-ameide", "www-ameide-platform"]


def run(argv, cwd=None, expect=0):
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert p.returncode == expect, f"{argv} exited {p.returncode}, expected {expect}\n{p.stdout}\n{p.stderr}"
    return p


def check(tool, repo):
    values = os.path.join(repo, "values")
    out = run([tool, "check", "--root", values]).stdout
    assert out.startswith("values parity ok: 12 apps"), out
    report = json.loads(run([tool, "check", "--root", values, "-o", "json"]).stdout)
    assert report["ok"] is True and report["findings"] == [] and len(report["apps"]) == 12, report
    sarif = json.loads(run([tool, "check", "--root", values, "-o", "sarif"]).stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == [], sarif
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert "value-files-mismatch" in rules and "auto-sync-on" in rules, rules
    bad = run([tool, "check", "--root", os.path.join(repo, "no-such-dir")], expect=2)
    assert "not a directory" in bad.stderr, bad.stderr


def root(tool, repo):
    for cwd in (repo, os.path.join(repo, "values", "argocd")):
        out = run([tool, "check"], cwd=cwd).stdout
        assert "values parity ok" in out, (cwd, out)
    plan = json.loads(run([tool, "plan", "-o", "json"], cwd=repo).stdout)
    assert plan["root"] == os.path.realpath(os.path.join(repo, "values")), plan["root"]


def plan(tool, repo):
    p = json.loads(run([tool, "plan", "--root", os.path.join(repo, "values"), "-o", "json"], cwd=repo).stdout)
    assert p["schema"] == "tilt-values-parity/plan/v1" and p["env"] == "dev" and p["errors"] == []
    assert sorted(a["component"] for a in p["apps"]) == sorted(APPS)
    for a in p["apps"]:
        c = a["component"]
        assert a["name"] == a["release"] == a["application"] == f"apps-{c}", a
        assert a["value_files"] == [f"values/_shared/apps/apps-{c}.yaml", f"values/dev/apps/apps-{c}.yaml"], a
        assert all(os.path.isfile(f) for f in a["value_files_abs"]), a
        assert a["image_keys"] == [{"image": c, "repository": "image.repository", "tag": "image.tag"}], a
        assert a["language"] in ("go", "node", "python") and a["live_update"]["sync"], a
        assert all(d.startswith("apps-") for d in a["resource_deps"]), a
    one = json.loads(run([tool, "plan", "--app", "apps-inference-gateway", "-o", "json"], cwd=repo).stdout)
    assert [a["name"] for a in one["apps"]] == ["apps-inference-gateway"]
    assert one["apps"][0]["resource_deps"] == ["apps-inference"]
    bad = run([tool, "plan", "--app", "apps-nope"], cwd=repo, expect=2)
    assert "unknown app 'apps-nope'" in bad.stderr and "apps-graph" in bad.stderr, bad.stderr


def helm(tool, repo, helm_bin):
    p = json.loads(run([tool, "plan", "-o", "json"], cwd=repo).stdout)
    for a in p["apps"]:
        argv = [helm_bin, "template", a["release"], a["chart_abs"], "--namespace", a["namespace"]]
        for f in a["value_files_abs"]:
            argv += ["-f", f]
        for k in a["image_keys"]:
            argv += ["--set", f"{k['repository']}=registry.localhost:32000/{k['image']}", "--set", f"{k['tag']}=tilt-1"]
        out = run(argv).stdout
        kinds = []
        for doc in out.split("\n---\n"):
            if "kind:" not in doc:
                continue
            kinds.append(next(l.split(":", 1)[1].strip() for l in doc.splitlines() if l.startswith("kind:")))
            assert f"app.kubernetes.io/instance: {a['release']}" in doc, doc
        assert sorted(kinds) == ["ConfigMap", "Deployment", "Service", "ServiceAccount"], (a["name"], kinds)
        assert f'image: "registry.localhost:32000/{a["images"][0]["name"]}:tilt-1"' in out, out


def main():
    tool, repo, what = sys.argv[1], sys.argv[2], sys.argv[3]
    if what == "helm":
        helm(tool, repo, sys.argv[4])
    else:
        {"check": check, "root": root, "plan": plan}[what](tool, repo)
    print(f"ok {what}")


if __name__ == "__main__":
    main()
