#!/usr/bin/env python3
"""`tilt-values-parity check --isolated` (issue 18) with the real helm, on the embedded workspace
and on a copy whose chart names every object `fixed` (it cannot render distinct names):
  - the embedded chart derives its names from fullnameOverride: exit 0;
  - the fixed-name copy: exit 1, one `isolated-names` finding per app naming the colliding objects
    and the fix, before anything is deployed (no cluster is involved at all);
  - the same copy without --isolated (overlay mode needs no distinct names), or with Tilt's releases
    in a namespace of their own: exit 0;
  - --isolate-suffix names Tilt's release; a suffix over Helm's 53-character limit is a finding;
  - no helm: exit 2 naming AMEIDE_HELM_BIN; --isolate-suffix without --isolated: exit 2.
usage: isolated_check.py TOOL REPO_ROOT HELM
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

APPS = 12


def run(tool, values, *args, helm=None, expect=0):
    env = dict(os.environ)
    env.pop("AMEIDE_HELM_BIN", None)
    if helm:
        env["AMEIDE_HELM_BIN"] = helm
    p = subprocess.run([tool, "--root", values, *args], capture_output=True, text=True, timeout=300, env=env)
    assert p.returncode == expect, f"{args} exited {p.returncode}, expected {expect}\n{p.stdout}\n{p.stderr}"
    return p


def main(tool, repo, helm):
    values_src = os.path.join(repo, "values")
    out = run(tool, values_src, "check", "--isolated", helm=helm).stdout
    assert out.startswith(f"values parity ok: {APPS} apps"), out

    tmp = tempfile.mkdtemp(prefix="tvp-isolated-")
    try:
        values = os.path.join(tmp, "values")
        shutil.copytree(values_src, values)
        helpers = os.path.join(values, "charts", "app", "templates", "_helpers.tpl")
        with open(helpers, encoding="utf-8") as f:
            text = f.read()
        old = "default .Release.Name .Values.fullnameOverride"
        assert old in text, helpers
        with open(helpers, "w", encoding="utf-8") as f:
            f.write(text.replace(old, '"fixed"'))

        # Overlay mode renders nothing and needs no distinct names.
        run(tool, values, "check", helm=helm)
        report = json.loads(run(tool, values, "check", "--isolated", "-o", "json", helm=helm, expect=1).stdout)
        findings = report["findings"]
        assert all(f["rule"] == "isolated-names" for f in findings), findings
        assert sorted(f["app"] for f in findings) == sorted(report["apps"]) and len(findings) == APPS, findings
        graph = next(f for f in findings if f["app"] == "apps-graph")
        assert graph["file"] == "values/charts/app/Chart.yaml", graph
        for obj in ("Deployment ameide/fixed", "Service ameide/fixed", "ServiceAccount ameide/fixed", "ConfigMap ameide/fixed"):
            assert obj in graph["message"], graph["message"]
        assert "apps-graph-tilt" in graph["message"] and "fullnameOverride" in graph["fix"], graph
        text = run(tool, values, "check", "--isolated", "--isolate-suffix", "alice", helm=helm, expect=1).stdout
        assert "error[isolated-names]" in text and "apps-graph-alice" in text and "fix: " in text, text
        sarif = json.loads(run(tool, values, "check", "--isolated", "-o", "sarif", helm=helm, expect=1).stdout)
        assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"isolated-names"}, sarif["runs"][0]["results"]
        # In the developer's own namespace the same names are other objects.
        run(tool, values, "check", "--isolated", "--isolate-namespace", "dev-alice", helm=helm)
    finally:
        shutil.rmtree(tmp)

    long_suffix = run(tool, values_src, "check", "--isolated", "--isolate-suffix", "x" * 40, "-o", "json",
                      helm=helm, expect=1)
    hits = json.loads(long_suffix.stdout)["findings"]
    assert hits and all(f["rule"] == "isolated-names" and "53-character" in f["message"] for f in hits), hits
    missing = run(tool, values_src, "check", "--isolated", helm="/nonexistent/helm", expect=2)
    assert "AMEIDE_HELM_BIN=/nonexistent/helm" in missing.stderr, missing.stderr
    usage = run(tool, values_src, "check", "--isolate-suffix", "alice", helm=helm, expect=2)
    assert "need --isolated" in usage.stderr, usage.stderr
    print("ok isolated")


if __name__ == "__main__":
    main(*sys.argv[1:4])
