#!/usr/bin/env python3
"""The broken-copies corpus: each case copies the embedded workspace (values/), breaks one
thing, runs `tilt-values-parity check -o json` and expects exactly one finding: that rule, at
that file and line (found by a marker in the broken file, so the expectation is exact).

usage: broken_copies.py TOOL VALUES_DIR [CASE...]   (no CASE: run all; --list: print names)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def replace(path, old, new):
    text = read(path)
    assert old in text, f"{path}: marker {old!r} not found"
    write(path, text.replace(old, new, 1))


def line_of(path, needle):
    for i, line in enumerate(read(path).splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{path}: {needle!r} not found")


APPSET = "values/argocd/apps-dev.yaml"


def comp(c):
    return f"values/components/{c}/component.yaml"


def at_name(c):
    return (comp(c), lambda w: line_of(w + "/" + comp(c), "name:"))


# name -> (mutation(workspace_dir), rule, file, line(workspace_dir))
def cases():
    c = {}

    def case(name, rule, file, line):
        def register(mutate):
            c[name] = (mutate, rule, file, line)
            return mutate
        return register

    @case("missing-shared-values", "missing-values-file", *at_name("graph"))
    def _(w):
        os.remove(f"{w}/values/_shared/apps/apps-graph.yaml")

    @case("missing-prod-values", "missing-values-file", *at_name("threads"))
    def _(w):
        os.remove(f"{w}/values/prod/apps/apps-threads.yaml")

    @case("missing-dev-overlay", "missing-dev-overlay", *at_name("inference"))
    def _(w):
        os.remove(f"{w}/values/dev/apps/apps-inference.yaml")

    @case("argo-extra-value-file", "value-files-mismatch", APPSET, lambda w: line_of(f"{w}/{APPSET}", "/staging/apps/"))
    def _(w):
        dev_line = "              - '$values/{{index .path.segments 0}}/dev/apps/apps-{{.path.basename}}.yaml'\n"
        replace(f"{w}/{APPSET}", dev_line, dev_line + dev_line.replace("/dev/", "/staging/"))

    @case("argo-value-file-order", "value-files-mismatch", APPSET, lambda w: line_of(f"{w}/{APPSET}", "/dev/apps/"))
    def _(w):
        shared = "              - '$values/{{index .path.segments 0}}/_shared/apps/apps-{{.path.basename}}.yaml'\n"
        dev = shared.replace("/_shared/", "/dev/")
        replace(f"{w}/{APPSET}", shared + dev, dev + shared)

    @case("tilt-value-files", "value-files-mismatch", comp("graph"), lambda w: line_of(f"{w}/{comp('graph')}", "valueFiles:"))
    def _(w):
        with open(f"{w}/{comp('graph')}", "a") as f:
            f.write("tilt:\n  valueFiles: [values/_shared/apps/apps-graph.yaml]\n")

    @case("tilt-override", "tilt-override", comp("threads"), lambda w: line_of(f"{w}/{comp('threads')}", "replicaCount:"))
    def _(w):
        with open(f"{w}/{comp('threads')}", "a") as f:
            f.write("tilt:\n  set:\n    image.tag: dev\n    replicaCount: 3\n")

    @case("underscore-image-name", "image-underscore", comp("inference-gateway"),
          lambda w: line_of(f"{w}/{comp('inference-gateway')}", "- name: inference_gateway"))
    def _(w):
        replace(f"{w}/{comp('inference-gateway')}", "  - name: inference-gateway", "  - name: inference_gateway")

    staging_gw = "values/staging/apps/apps-inference-gateway.yaml"

    @case("underscore-repository", "image-underscore", staging_gw, lambda w: line_of(f"{w}/{staging_gw}", "repository:"))
    def _(w):
        replace(f"{w}/{staging_gw}", "ameideio/inference-gateway", "ameideio/inference_gateway")

    prod_graph = "values/prod/apps/apps-graph.yaml"

    @case("prod-dev-registry", "dev-registry", prod_graph, lambda w: line_of(f"{w}/{prod_graph}", "repository:"))
    def _(w):
        replace(f"{w}/{prod_graph}", "ghcr.io/ameideio/graph", "k3d-ameide.localhost:5001/ameide/graph")

    staging_platform = "values/staging/apps/apps-platform.yaml"

    @case("staging-localhost-registry", "dev-registry", staging_platform,
          lambda w: line_of(f"{w}/{staging_platform}", "repository:"))
    def _(w):
        replace(f"{w}/{staging_platform}", "ghcr.io/ameideio/platform", "localhost:5001/platform")

    @case("staging-pull-secrets-empty", "pull-secrets-disabled", staging_platform,
          lambda w: line_of(f"{w}/{staging_platform}", "imagePullSecrets:"))
    def _(w):
        replace(f"{w}/{staging_platform}", "imagePullSecrets:\n  - name: ghcr-pull\n", "imagePullSecrets: []\n")

    prod_wf = "values/prod/apps/apps-workflows.yaml"

    @case("prod-without-tag", "missing-explicit-image", prod_wf, lambda w: line_of(f"{w}/{prod_wf}", "repository:"))
    def _(w):
        replace(f"{w}/{prod_wf}", '  tag: "1.3.2"\n', "")

    @case("template-auto-sync", "auto-sync-on", APPSET, lambda w: line_of(f"{w}/{APPSET}", "automated: {prune: true"))
    def _(w):
        replace(f"{w}/{APPSET}", "      destination:\n",
                "      syncPolicy:\n        automated: {prune: true, selfHeal: true}\n      destination:\n")

    @case("patch-auto-sync", "auto-sync-on", APPSET, lambda w: line_of(f"{w}/{APPSET}", "automated:"))
    def _(w):
        replace(f"{w}/{APPSET}", "          - ApplyOutOfSyncOnly=true\n",
                "          - ApplyOutOfSyncOnly=true\n        automated:\n          selfHeal: true\n")

    # graph2 sorts after graph, so graph2 is the redeclaration.
    @case("duplicate-component", "duplicate-component", *at_name("graph2"))
    def _(w):
        shutil.copytree(f"{w}/values/components/graph", f"{w}/values/components/graph2")

    @case("unknown-field", "unknown-field", comp("agents"), lambda w: line_of(f"{w}/{comp('agents')}", "replicas:"))
    def _(w):
        replace(f"{w}/{comp('agents')}", "namespace: ameide\n", "namespace: ameide\nreplicas: 2\n")

    dev_agents = "values/dev/apps/apps-agents.yaml"

    @case("malformed-yaml", "malformed-yaml", dev_agents, lambda w: 2)
    def _(w):
        write(f"{w}/{dev_agents}", "image:\n  tag: a: b\n")

    @case("template-missing-field", "template-error", APPSET, lambda w: line_of(f"{w}/{APPSET}", "tier: '{{.tier}}'"))
    def _(w):
        replace(f"{w}/{comp('threads')}", "tier: services\n", "")

    @case("template-typo", "template-error", APPSET, lambda w: line_of(f"{w}/{APPSET}", "{{.nmae}}"))
    def _(w):
        replace(f"{w}/{APPSET}", "namespace: '{{.namespace}}'", "namespace: '{{.nmae}}'")

    @case("unknown-dependency", "invalid-component", comp("graph"), lambda w: line_of(f"{w}/{comp('graph')}", "dependsOn:"))
    def _(w):
        replace(f"{w}/{comp('graph')}", "dependsOn: [platform]", "dependsOn: [platfrom]")

    @case("workspace-unknown-field", "invalid-workspace", "values/workspace.yaml",
          lambda w: line_of(f"{w}/values/workspace.yaml", "sharedValue:"))
    def _(w):
        with open(f"{w}/values/workspace.yaml", "a") as f:
            f.write("sharedValue: typo.yaml\n")

    @case("empty-component", "invalid-component", comp("www-ameide"), lambda w: 0)
    def _(w):
        write(f"{w}/{comp('www-ameide')}", "")

    @case("binary-values", "malformed-yaml", "values/_shared/apps/apps-graph.yaml", lambda w: 1)
    def _(w):
        with open(f"{w}/values/_shared/apps/apps-graph.yaml", "wb") as f:
            f.write(b"\x7fELF\x02\x01\x01\x00\x00\x00" + os.urandom(256))

    @case("ten-megabyte-values", "malformed-yaml", "values/prod/apps/apps-graph.yaml", lambda w: 0)
    def _(w):
        with open(f"{w}/values/prod/apps/apps-graph.yaml", "a") as f:
            f.write("# " + "x" * (10 << 20) + "\n")

    return c


def run_case(tool, values, name, mutate, rule, file, line_fn):
    with tempfile.TemporaryDirectory(prefix="tvp-broken-") as tmp:
        shutil.copytree(values, f"{tmp}/values")
        mutate(tmp)
        proc = subprocess.run([tool, "check", "--root", f"{tmp}/values", "-o", "json"],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 1:
            return f"{name}: exit {proc.returncode}, expected 1\n{proc.stdout}{proc.stderr}"
        findings = json.loads(proc.stdout)["findings"]
        got = [(f["rule"], f["file"], f["line"]) for f in findings]
        want = (rule, file, line_fn(tmp))
        if got != [want]:
            return f"{name}: expected exactly {want}, got:\n" + "\n".join(
                f"  {f['rule']} {f['file']}:{f['line']}: {f['message']}" for f in findings)
        if not findings[0]["fix"]:
            return f"{name}: the finding says no fix"
        print(f"ok {name}: {rule} at {file}:{want[2]}")
        return None


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--list":
        print("\n".join(cases()))
        return 0
    tool, values, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    all_cases = cases()
    failures = []
    for name in names or list(all_cases):
        if name not in all_cases:
            failures.append(f"unknown case {name}")
            continue
        err = run_case(tool, values, name, *all_cases[name])
        if err:
            failures.append(err)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
