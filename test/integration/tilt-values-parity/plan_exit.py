#!/usr/bin/env python3
"""Regression tests on copies of the embedded workspace:
  malformed-workspace  plan exits 1 (not 0) naming workspace.yaml when check reports it broken (issue 12, defect 10)
  unknown-key          likewise for a workspace.yaml key check rejects
  no-match             a git files generator that matches no file: check and plan exit 1 (issue 15)
  yaml11               `namespace: off` deploys to `false` in Argo CD: plan says so, check reports yaml-type-change
  list-file            a component.yaml holding a YAML list makes one app per item (issue 15)
usage: plan_exit.py TOOL VALUES_DIR CASE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def run(tool, values, *args):
    return subprocess.run([tool, *args, "--root", values], capture_output=True, text=True, timeout=120)


def edit(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert old in text, (path, old)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def main(tool, values_src, case):
    tmp = tempfile.mkdtemp(prefix="tvp-plan-exit-")
    try:
        values = os.path.join(tmp, "values")
        shutil.copytree(values_src, values)
        ws = os.path.join(values, "workspace.yaml")
        if case in ("malformed-workspace", "unknown-key"):
            if case == "malformed-workspace":
                edit(ws, "argoOnlyEnvs: [staging, prod]", "argoOnlyEnvs: [staging, prod")
            else:
                edit(ws, "repoRoot: ..", "repoRoot: ..\nsharedValue: oops")
            plan, check = run(tool, values, "plan", "-o", "json"), run(tool, values, "check")
            assert check.returncode == 1, check
            assert plan.returncode == 1, f"plan exited {plan.returncode} on a workspace.yaml check rejects\n{plan.stderr}"
            assert "values/workspace.yaml" in plan.stderr, plan.stderr
        elif case == "no-match":
            edit(os.path.join(values, "argocd/apps-dev.yaml"), "- path: values/components/*/component.yaml",
                 "- path: values/component/*/component.yaml")
            plan, check = run(tool, values, "plan", "-o", "json"), run(tool, values, "check")
            assert check.returncode == 1 and "matches no file" in check.stdout, check
            assert plan.returncode == 1 and "matches no file" in plan.stderr, plan
            assert json.loads(plan.stdout)["apps"] == []
        elif case == "yaml11":
            comp = os.path.join(values, "components/graph/component.yaml")
            edit(comp, "namespace: ameide", "namespace: off")
            plan = run(tool, values, "plan", "--app", "apps-graph", "-o", "json")
            assert plan.returncode == 0, plan
            assert json.loads(plan.stdout)["apps"][0]["namespace"] == "false", plan.stdout
            report = json.loads(run(tool, values, "check", "-o", "json").stdout)
            hits = [f for f in report["findings"] if f["rule"] == "yaml-type-change"]
            assert len(hits) == 1 and hits[0]["line"] == 4 and "false" in hits[0]["message"], report["findings"]
        elif case == "list-file":
            comp = os.path.join(values, "components/graph/component.yaml")
            with open(comp, encoding="utf-8") as f:
                body = f.read()
            item = "".join(("- " if i == 0 else "  ") + line + "\n"
                           for i, line in enumerate(l for l in body.splitlines() if l and not l.startswith("#")))
            with open(comp, "w", encoding="utf-8") as f:
                f.write(item + item.replace("- name: graph", "- name: graph2", 1))
            plan = json.loads(run(tool, values, "plan", "-o", "json").stdout)
            apps = {a["application"]: a for a in plan["apps"] if a["component_file"].endswith("graph/component.yaml")}
            assert sorted(apps) == ["apps-graph", "apps-graph2"], sorted(apps)
            assert apps["apps-graph2"]["element"] == 1
        else:
            raise SystemExit(f"unknown case {case}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"ok: {case}")


if __name__ == "__main__":
    main(*sys.argv[1:])
