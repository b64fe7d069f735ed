#!/usr/bin/env python3
"""Differential test: `tilt-values-parity plan` against the Argo CD oracle (test/oracle/argo-render,
real Go text/template + sprig + YAML 1.1) on generated workspaces.

Each case is a small git repository: a workspace (values/), an ApplicationSet drawn from
template forms users write (template functions, control structures, missing keys, goTemplate
off, goTemplateOptions, value-file forms: $ref, absolute, relative, $ARGOCD_APP_* variables,
globs) and components drawn from YAML 1.1 scalars (on/off/yes/no/y/n, numbers, octal, hex),
normalized names (`graph_`, `-x-`, 254-byte folders), list files (one app per element) and
generators that match nothing. Hand-written regression cases run first (REGRESSIONS: what a
review or a full run found), then the hand-written template forms, then random ones.

For every app the oracle renders, `plan -o json` must show the same application name, release,
namespace, chart and value files, in order. A difference is allowed only when `check` reports a
finding for that app (its name, also among the `more_apps` of a finding on an ApplicationSet
line that several apps hit, or its component file) that explains it: for the name, release,
namespace or chart a finding that the app cannot be rendered or planned (RENDERING); for the
value files (the plan shows Tilt's list) also one that Tilt's list differs or names a missing
file (VALUE_FILES). C++ may say "I cannot" or "this differs", never differ silently; a
yaml-type-change says what Argo CD deploys, which the plan must then show, so it excuses
nothing. An app the oracle cannot render must not be planned without a RENDERING finding, and a
case where the oracle renders nothing must not pass `check`.

usage: differential.py TOOL ORACLE    (TVP_DIFF_SEED, TVP_DIFF_COUNT, TVP_DIFF_CASE, TVP_DIFF_KEEP)
  TVP_DIFF_SEED   seed of the random cases (default 1)
  TVP_DIFF_COUNT  number of cases including the hand-written ones (default 150, the CI smoke run)
  TVP_DIFF_CASE   run only this case number (replay)
  TVP_DIFF_KEEP   keep failing workspaces under this folder
Prints one line per failing case with its seed and number, and a summary with the findings that
explained the differences, by rule.
"""
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

# Component folder names, including ones SanitizeName changes.
DIRS = ["graph", "platform", "graph_", "Graph", "web.app", "-edge-", "a..b", "x_y_z", "Cap_Dir.", "svc-1",
        "on", "no", "012", "1e3", "Ünï", "L" * 255, "\u0130stanbul", "\u212aelvin", "a" * 252 + "_b", "a" * 252 + ".b",
        "x" * 250 + "\u00dc", "__", "v1.2"]
# Plain scalars that YAML 1.1 types differently from YAML 1.2, and harmless ones.
SCALARS = ["ameide", "core", "on", "off", "yes", "no", "y", "n", "true", "False", "~", "null", "12", "010",
           "0x1F", "1e3", "1.0", "1.50", "+5", "-0", "1_000", "09", "12345678", ".5", "0.0001", "0o17",
           "2001-12-14", "graph_", "Mixed Case", "a:b",
           # sexagesimal (YAML 1.1 spec, a string in go-yaml v2), binary, signs, exponents, overflow
           "190:20:30", "1:20", "0b101", "-0b11", "1.5e+3", "-.5", "+.5", "1e21", "123456789012", "0X1f", "0o8",
           "007", "12e03", "1e400", "9007199254740993", "-0.0", "TRUE", "Yes", "NO", "Off", "ON", "Y", "N",
           "2001-12-14t21:59:43.10-05:00", ".inf", ".NaN", "1_0.5", ".5_5", "0x_1F", "+0x10", "-010"]
QUOTED = ["'on'", '"off"', "'12'", '"yes"', "'010'", "'1.0'", '"~"', "''"]

NAME_FORMS = [
    "apps-{{.name}}",
    "{{printf \"apps-%s\" .name}}",
    "apps-{{.path.basenameNormalized}}",
    "apps-{{.name | lower}}",
    "{{ \"apps-\" }}{{ .name }}",
    "apps-{{ if .suffix }}{{.name}}-{{.suffix}}{{ else }}{{.name}}{{ end }}",
    "apps-{{ default .path.basename .alias }}",
    "apps-{{ .name | replace \"_\" \"-\" }}",
    "apps-{{ index . \"name\" }}",
    "apps-{{.name}}{{/* a comment with }} inside */}}",
    "{{- \"apps-\" -}}   {{- .name -}}",
    "apps-{{ trim .name }}",
    "apps-{{ upper .name | lower }}",
    "apps-{{ .path.basename }}",
    "apps-{{ normalize .path.basename }}",
    "apps-{{ $n := .name }}{{ $n }}",
    "apps-{{ with .alias }}{{ . }}{{ else }}{{ $.name }}{{ end }}",
    "apps-{{ if not .suffix }}{{ .name }}{{ end }}",
    "apps-{{ .name }}{{ if eq .tier \"core\" }}-c{{ end }}",
    "apps-{{ (index .path.segments 2) }}",
    "apps-{{ .missing }}",
    "apps-{{ .name }}-{{ .port }}",
    "{{ printf \"%s-%s\" \"apps\" .path.basename }}",
    "apps-{{ \"}}\" | trim }}{{ .name }}",
    "apps-{{ \"{{\" | replace \"{\" \"x\" }}{{ .name }}",
    "apps-{{ if .alias }}{{ .alias }}{{ else if .suffix }}{{ .suffix }}{{ else }}{{ .name }}{{ end }}",
    "apps-{{ range $i, $l := .labels }}{{ $i }}{{ $l }}{{ end }}{{ .name }}",
    "apps-{{ range .labels }}{{ . }}{{ else }}none{{ end }}",
    "apps-{{ printf \"%d\" .port }}",
    "apps-{{ printf \"%v-%s\" .port .name }}",
    "apps-{{ printf \"%q\" .name }}",
    "apps-{{ eq .name \"graph\" }}",
    "apps-{{ not .suffix }}-{{ .name }}",
    "apps-{{ and .name .tier }}",
    "apps-{{ or .alias .name }}",
    "apps-{{ index .labels 0 }}",
    "apps-{{ index .path.segments 9 }}",
    "apps-{{ .name | upper }}",
    "apps-{{ .name | quote | trim }}",
    "apps-{{ .name | b64enc }}",
    "apps-{{ if eq .port 8080.0 }}p{{ end }}{{ .name }}",
    "apps-{{ if eq .port 8080 }}p{{ end }}{{ .name }}",
    "apps-{{ if ne .tier \"core\" }}x-{{ end }}{{ .name }}",
    "apps-{{ default \"none\" .suffix }}",
    "apps-{{ .meta.team }}",
    "apps-{{ .path.filenameNormalized }}",
    "apps-{{ $.path.basename }}{{/* c */}}",
    "apps-{{- /* trimmed */ -}}{{ .name }}",
    "apps-{{ with $x := .suffix }}{{ $x }}{{ else }}{{ .name }}{{ end }}",
    "apps-{{ lower .path.basename }}",
    "apps-{{ toYaml .name }}",
    "apps-{{ .labels }}",
    "apps-{{ .name }}{{ \"\" }}",
]
NS_FORMS = [
    "{{.namespace}}",
    "{{ .namespace | default \"ameide\" }}",
    "{{ if eq .tier \"core\" }}core-ns{{ else }}{{ .namespace }}{{ end }}",
    "{{ if and .namespace (ne .namespace \"x\") }}{{ .namespace }}{{ else }}fallback{{ end }}",
    "{{ or .ns .namespace }}",
    "{{ index .path.segments 1 }}",
    "{{ .nsmissing }}",
    "{{ quote .namespace }}",
    "{{ .namespace }}{{ .labels }}",
    "{{ .meta }}",
    "{{ .meta.team }}",
    "{{ index .meta \"nokey\" }}",
    "{{ toYaml .namespace }}",
    "{{ .namespace | quote | upper }}",
    "{{ quote .namespace .tier }}",
    "{{ if or (eq .tier \"core\") (eq .tier \"services\") }}{{ .tier }}{{ else }}other{{ end }}",
    "{{ lower .namespace }}",
    "{{ .port }}",
    "{{ printf \"%v\" .port }}",
    "{{ printf \"%d\" 3 }}",
    "{{ default \"x\" .ns }}",
    "{{ .namespace | default \"\" }}",
    "{{ if ne .tier \"core\" }}{{ .namespace }}{{ else }}core{{ end }}",
    "{{ printf \"%s\" .port }}",
    "{{ printf \"%v-%v\" .namespace .tier }}",
    "{{ .labels }}",
    "{{ index .labels 1 }}",
    "{{ toYaml .labels }}",
    "{{ toYaml .meta }}",
    "{{ .meta | toYaml | lower }}",
    "{{ replace \"-\" \"_\" .namespace }}",
    "{{ .namespace | trim | lower }}",
    "{{ with .meta }}{{ .team }}{{ end }}",
    "{{ range .labels }}{{ . }}{{ end }}",
    "{{ .namespace }}-{{ .path.basenameNormalized }}",
    "{{ upper .namespace }}",
    "{{ quote }}",
    "{{ .Namespace }}",
    "{{ index . \"namespace\" }}",
]
CHART_FORMS = ["{{.chart}}", "values/charts/{{ .chartName | default \"app\" }}", "values/charts/app", "./values/charts/app",
               "values/charts/app/"]
RELEASE_FORMS = [None, "apps-{{.name}}", "{{ .path.basename }}", "rel-{{ .path.basenameNormalized }}"]
VALUE_FILE_FORMS = [
    ["$values/{{index .path.segments 0}}/_shared/apps/apps-{{.path.basename}}.yaml",
     "$values/{{index .path.segments 0}}/dev/apps/apps-{{.path.basename}}.yaml"],
    ["/values/_shared/apps/apps-{{.path.basename}}.yaml", "/values/dev/apps/apps-{{.path.basename}}.yaml"],
    ["../../_shared/apps/apps-{{.path.basename}}.yaml", "../../dev/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/$ARGOCD_APP_NAME.yaml", "$values/values/dev/apps/${ARGOCD_APP_NAME}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/apps-{{.path.basename}}*.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/$ARGOCD_APP_NAMESPACE/x.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/apps-{{.path.basename}}.yaml",
     "$values/values/_shared/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/$ARGOCD_APP_REVISION.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/apps-{{.path.basename}}.yaml$$"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/nomatch-*.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/$ARGOCD_APP_PROJECT_NAME.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/$ARGOCD_APP_SOURCE_PATH/../../dev/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/${ARGOCD_APP_NAME}-extra.yaml"],
    ["$values/values/*/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/apps-{{.path.basename}}?extra.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/[d]ev/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/**/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$UNSET_VARIABLE/values/dev/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "../../../../outside.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$other/values/dev/apps/apps-{{.path.basename}}.yaml"],
    ["values.yaml", "$values/values/dev/apps/apps-{{.path.basename}}.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/apps-{{.path.basename}}.yaml",
     "$values/values/dev/apps/apps-{{.path.basename}}*.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "https://example.com/values.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values/values/dev/apps/$ARGOCD_APP_REVISION_SHORT.yaml"],
    ["$values/values/_shared/apps/apps-{{.path.basename}}.yaml", "$values"],
]
FAST_NAME = ["apps-{{name}}", "apps-{{ path.basename }}", "apps-{{path.basenameNormalized}}", "{{path[1]}}-{{name}}",
             "apps-{{unknown}}", "apps-{{.name}}", "apps-{{name}}-{{tier}}", "apps-{{ name}", "apps-{{path.filename}}",
             "apps-{{\tname\n}}", "apps-{{}}{{name}}"]
FAST_NS = ["{{namespace}}", "{{ meta.team }}", "{{labels.0}}", "ns-{{port}}", "{{ns}}", "{{ suffix }}", "{{meta.size}}"]
OPTIONS = [["missingkey=error"], [], ["missingkey=zero"], ["missingkey=default"], ["missingkey=invalid"],
           ["missingkey=bogus"], ["missingkey=error", "missingkey=zero"], ["missingkey=zero", "missingkey=error"]]
# templatePatch bodies (None: none); Argo CD renders them, reads them as YAML 1.1 and merges them.
PATCH_FORMS = [
    None,
    "spec:\n  syncPolicy:\n    syncOptions:\n      - CreateNamespace=true\n",
    "spec:\n  destination:\n    namespace: '{{ .tier }}-patched'\n",
    "spec:\n  destination:\n    namespace: {{ .tier }}\n",
    "metadata:\n  name: patched-{{ .name }}\n",
    "{{ if eq .tier \"core\" }}spec:\n  destination:\n    namespace: core-only\n{{ end }}",
    "spec:\n  sources:\n    - repoURL: https://example.com/repo.git\n      path: values/charts/app\n"
    "      helm:\n        valueFiles: [$values/values/_shared/apps/apps-{{ .path.basename }}.yaml]\n"
    "    - repoURL: https://example.com/repo.git\n      ref: values\n",
    "spec:\n  project: patched\n  destination:\n    namespace: '{{ .namespace }}'\n",
    "spec:\n  source: {{ .meta }}\n",
    "- {{ .name }}\n",
]
FAST_PATCH_FORMS = [None, PATCH_FORMS[1], "spec:\n  destination:\n    namespace: {{tier}}\n", "metadata:\n  name: p-{{name}}\n"]


def q(s):
    """A YAML single-quoted scalar."""
    return "'" + s.replace("'", "''") + "'"


def component_yaml(rng, dirname, as_list):
    def one(index):
        name = rng.choice(SCALARS[:3] + [dirname.lower().strip("-._")[:20] or "x", rng.choice(SCALARS)])
        if rng.random() < 0.15:
            name = rng.choice(QUOTED)
        lines = [f"name: {name}" if index == 0 or name != "" else "name: x"]
        if index:
            lines[0] = f"name: {name}{index}" if name[0] not in "'\"" else f"name: e{index}"
        lines.append("namespace: " + (rng.choice(QUOTED) if rng.random() < 0.1 else rng.choice(SCALARS)))
        lines.append("chart: values/charts/app")
        if rng.random() < 0.7:
            lines.append("tier: " + rng.choice(["core", "services", "frontend", "on"]))
        extras = {
            "suffix": lambda: "suffix: " + rng.choice(["dev", "on", "''"]),
            "alias": lambda: "alias: " + rng.choice(["web", "''", "null"]),
            "port": lambda: "port: " + rng.choice(["8080", "1e6", "12345678", "0.5", "010"]),
            "meta": lambda: "meta: {team: " + rng.choice(["a", "on", "12"]) + ", size: 3}",
            "labels": lambda: "labels: [" + rng.choice(["a", "on"]) + ", b]",
            "ns": lambda: "ns: " + rng.choice(["''", "other", "no"]),
            "chartName": lambda: "chartName: " + rng.choice(["app", "''"]),
            "Namespace": lambda: "Namespace: " + rng.choice(["upper", "on"]),
        }
        for key, make in extras.items():
            if rng.random() < 0.3:
                lines.append(make())
        return lines
    if not as_list:
        return "\n".join(one(0)) + "\n"
    out = []
    for i in range(rng.choice([1, 2, 3])):
        item = one(i)
        out.append("- " + item[0])
        out.extend("  " + line for line in item[1:])
    return "\n".join(out) + "\n"


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def appset_yaml(rng, go_template, options, pattern, name, ns, chart, release, value_files, patch, single_source=False,
                ignore_missing=False, exclude=None):
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: ApplicationSet", "metadata:", "  name: apps-dev", "spec:"]
    if go_template is not None:
        lines.append(f"  goTemplate: {'true' if go_template else 'false'}")
    if options is not None:
        lines.append("  goTemplateOptions: [" + ", ".join(yaml_str(o) for o in options) + "]")
    lines += ["  generators:", "    - git:", "        repoURL: https://example.com/repo.git", "        revision: main",
              "        files:", f"          - path: {yaml_str(pattern)}"]
    if exclude:
        lines += [f"          - path: {yaml_str(exclude)}", "            exclude: true"]
    lines += ["  template:", "    metadata:", f"      name: {yaml_str(name)}", "    spec:", "      project: default"]
    if single_source:
        lines += ["      source:", "        repoURL: https://example.com/repo.git", "        targetRevision: main",
                  f"        path: {yaml_str(chart)}", "        helm:"]
        indent = "          "
    else:
        lines += ["      sources:", "        - repoURL: https://example.com/repo.git", "          targetRevision: main",
                  f"          path: {yaml_str(chart)}", "          helm:"]
        indent = "            "
    if release is not None:
        lines.append(f"{indent}releaseName: {yaml_str(release)}")
    if ignore_missing:
        lines.append(f"{indent}ignoreMissingValueFiles: true")
    lines.append(f"{indent}valueFiles:")
    lines += [f"{indent}  - {yaml_str(v)}" for v in value_files]
    if not single_source:
        lines += ["        - repoURL: https://example.com/repo.git", "          targetRevision: main", "          ref: values"]
    lines += ["      destination:", "        server: https://kubernetes.default.svc", f"        namespace: {yaml_str(ns)}"]
    if patch:
        lines += ["  templatePatch: |"] + ["    " + line for line in patch.splitlines()]
    return "\n".join(lines) + "\n"


def make_case(seed, number):
    """A workspace description: {path: text}. The first cases are hand-written."""
    if number < len(REGRESSIONS):
        return REGRESSIONS[number][1]()
    number -= len(REGRESSIONS)
    rng = random.Random(f"{seed}:{number}")
    go_template = rng.random() < 0.85
    options = rng.choice(OPTIONS)
    fixed = number < len(NAME_FORMS) + len(NS_FORMS)
    if go_template or fixed:
        go_template = True
        name = NAME_FORMS[number] if number < len(NAME_FORMS) else rng.choice(NAME_FORMS)
        k = number - len(NAME_FORMS)
        ns = NS_FORMS[k] if 0 <= k < len(NS_FORMS) else rng.choice(NS_FORMS)
        chart = rng.choice(CHART_FORMS)
        release = rng.choice(RELEASE_FORMS)
    else:
        options = None if rng.random() < 0.5 else options
        name, ns, chart = rng.choice(FAST_NAME), rng.choice(FAST_NS), "values/charts/app"
        release = rng.choice([None, "apps-{{name}}"])
    value_files = rng.choice(VALUE_FILE_FORMS) if not fixed else VALUE_FILE_FORMS[0]
    if not go_template:
        value_files = [v.replace("{{index .path.segments 0}}", "{{path[0]}}").replace("{{.path.basename}}", "{{path.basename}}")
                       for v in value_files]
    pattern = rng.choice(["values/components/*/component.yaml"] * 8 + ["values/components/**/component.yaml",
                                                                      "values/components/*/*.yaml"])
    if rng.random() < 0.04:
        pattern = "values/nothing/*/component.yaml"
    exclude = "values/components/nested/**" if rng.random() < 0.1 else None
    files = {"values/workspace.yaml": "repoRoot: ..\n", "values/charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
    dirs = rng.sample(DIRS, rng.choice([1, 2, 3, 4]))
    for d in dirs:
        files[f"values/components/{d}/component.yaml"] = component_yaml(rng, d, rng.random() < 0.12)
        for env in ("_shared", "dev", "staging", "prod") if len(d) < 200 else ():
            files[f"values/{env}/apps/apps-{d}.yaml"] = "image: {repository: ghcr.io/x/y, tag: t}\nimagePullSecrets: [{name: s}]\n"
            if rng.random() < 0.2:
                files[f"values/{env}/apps/apps-{d}-extra.yaml"] = "{}\n"
    if rng.random() < 0.2:
        files["values/components/nested/deeper/component.yaml"] = component_yaml(rng, "deeper", False)
    patch = rng.choice(PATCH_FORMS if go_template else FAST_PATCH_FORMS) if not fixed else None
    files["values/argocd/apps-dev.yaml"] = appset_yaml(rng, go_template if rng.random() < 0.97 or not go_template else None,
                                                       options, pattern, name, ns, chart, release, value_files, patch,
                                                       single_source=rng.random() < 0.1, ignore_missing=rng.random() < 0.1,
                                                       exclude=exclude)
    return files


def regression(component, name="apps-{{.name}}", ns="{{.namespace}}", patch=None, dirname="graph", options=("missingkey=error",),
               go_template=True, value_files=None, chart="values/charts/app", others=()):
    """A workspace around a hand-written component file (and `others`: (folder, component file))."""
    def make():
        files = {"values/workspace.yaml": "repoRoot: ..\n",
                 "values/charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
        for d, text in ((dirname, component),) + tuple(others):
            files[f"values/components/{d}/component.yaml"] = text
            for env in ("_shared", "dev", "staging", "prod"):
                files[f"values/{env}/apps/apps-{d}.yaml"] = "image: {repository: ghcr.io/x/y, tag: t}\nimagePullSecrets: [{name: s}]\n"
        vf = value_files or VALUE_FILE_FORMS[0]
        files["values/argocd/apps-dev.yaml"] = appset_yaml(None, go_template, list(options), "values/components/*/component.yaml",
                                                           name, ns, chart, None, vf, patch)
        return files
    return make


# Hand-written regression cases, first in every run: (what, workspace). Each is a case a review
# or a full differential run found; keep them when the generator changes.
REGRESSIONS = [
    # SanitizeName: Go's strings.ToLower maps U+0130 to plain "i" (no special casing); the plan
    # said "i-stanbul".
    ("U+0130 in a normalized folder name", regression("name: istanbul\nnamespace: ameide\nchart: values/charts/app\n",
                                                     name="apps-{{.path.basenameNormalized}}", dirname="\u0130stanbul")),
    # Argo CD reads the rendered templatePatch as YAML 1.1: `namespace: on` is a boolean and the
    # typed Application does not decode; the plan said namespace "".
    ("templatePatch typed by YAML 1.1", regression("name: graph\nnamespace: ameide\nchart: values/charts/app\ntier: 'on'\n",
                                                   patch=PATCH_FORMS[3])),
    ("templatePatch with a number", regression("name: graph\nnamespace: ameide\nchart: values/charts/app\ntier: '012'\n",
                                               patch=PATCH_FORMS[3])),
    # fasttemplate ignores goTemplateOptions: an unknown option breaks nothing without goTemplate
    # (check reported invalid-workspace and planned nothing).
    ("goTemplateOptions without goTemplate", regression("name: graph\nnamespace: ameide\nchart: values/charts/app\n",
                                                        name="apps-{{name}}", ns="{{namespace}}", go_template=False,
                                                        options=("missingkey=bogus",),
                                                        value_files=["$values/values/_shared/apps/apps-{{path.basename}}.yaml"])),
    # $ARGOCD_APP_SOURCE_PATH is the source path as written ("./values/charts/app/"), not cleaned.
    ("$ARGOCD_APP_SOURCE_PATH as written", regression(
        "name: graph\nnamespace: ameide\nchart: values/charts/app\n", chart="./values/charts/app/",
        value_files=["$values/values/_shared/apps/apps-graph.yaml", "$values/$ARGOCD_APP_SOURCE_PATH/../../dev/apps/apps-graph.yaml",
                     "$values/values/dev/apps/x$ARGOCD_APP_SOURCE_PATH.yaml"])),
    # A templatePatch that renders to nothing changes nothing (the oracle dropped the Application).
    ("templatePatch rendering to nothing", regression("name: graph\nnamespace: ameide\nchart: values/charts/app\ntier: core\n",
                                                      patch=PATCH_FORMS[5].replace('"core"', '"other"'))),
    # The project cannot be patched (patch.go:38), so $ARGOCD_APP_PROJECT_NAME stays "default".
    ("templatePatch setting the project", regression(
        "name: graph\nnamespace: ameide\nchart: values/charts/app\n", patch="spec:\n  project: patched\n",
        value_files=["$values/values/_shared/apps/apps-graph.yaml", "$values/values/dev/apps/$ARGOCD_APP_PROJECT_NAME.yaml"])),
    # A source whose path renders empty is no chart source (Go's zero value), as is helm: null.
    ("empty chart path", regression("name: graph\nnamespace: ameide\nchart: values/charts/app\n",
                                    chart="{{ .nochart | default \"\" }}", options=())),
    # A finding on an ApplicationSet line is reported once for all the apps it hits; it named only
    # the first, so the second app's value-file difference looked silent (full run, seed 7: case 311).
    ("one ApplicationSet finding for two apps", regression(
        "name: graph\nnamespace: ameide\nchart: values/charts/app\n", patch=PATCH_FORMS[6],
        others=(("platform", "name: platform\nnamespace: ameide\nchart: values/charts/app\n"),))),
    # toYaml of a date-like text: go-yaml v2 decodes it as text but writes it quoted (encode.go
    # stringv, resolve.go parseTimestamp); the plan said namespace 2001-12-14 (full run, seed 7:
    # case 1290).
    ("toYaml of a date", regression("name: graph\nnamespace: 2001-12-14\nchart: values/charts/app\n",
                                    ns="{{ toYaml .namespace }}")),
]


def write_repo(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
    subprocess.run(["git", "init", "-q", root], check=True)
    subprocess.run(["git", "-C", root, "add", "-A"], check=True)


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


FIELDS = ("name", "release", "namespace", "chart", "value_files")
# Findings that say "this app cannot be rendered or planned as Argo CD does": they excuse any
# difference of that app.
RENDERING = {"template-error", "invalid-component", "duplicate-component", "malformed-yaml", "invalid-workspace"}
# The plan's value files are Tilt's list: these say Tilt's list is not Argo CD's (or names a
# missing file), so they excuse a value-file difference too. (unknown-field, pull secrets,
# yaml-type-change and the like say nothing the plan may differ on, so they excuse nothing.)
VALUE_FILES = RENDERING | {"value-files-mismatch", "missing-values-file", "missing-dev-overlay"}
GLOBAL = {"invalid-workspace", "malformed-yaml"}
APPSET = "values/argocd/apps-dev.yaml"


def compare(tool, oracle, root):
    """Returns (verdict, details): verdict in match | explained | silent | oracle-failed."""
    code, out, err = run([oracle, root, "values/argocd/apps-dev.yaml"])
    if code != 0:
        return "oracle-failed", err, set()
    truth, failures, global_errors = {}, {}, []
    for s in json.loads(out)["application_sets"]:
        if s.get("error"):
            global_errors.append(s["error"])
        for a in s["apps"]:
            key = (a["file"], max(a["element"], 0))
            if a.get("error"):
                failures[key] = a["error"]
            else:
                truth[key] = {k: a[k] for k in FIELDS}
    pcode, pout, perr = run([tool, "plan", "--root", os.path.join(root, "values"), "-o", "json"])
    ccode, cout, cerr = run([tool, "check", "--root", os.path.join(root, "values"), "-o", "json"])
    if pcode == 2 or ccode == 2:
        if ccode == 2 and pcode == 2:
            return "explained", f"exit 2: {cerr.strip()}", {"exit 2"}
        return "silent", f"plan exit {pcode}, check exit {ccode}: {perr.strip()} {cerr.strip()}", set()
    plan = json.loads(pout)
    findings = [f for f in json.loads(cout)["findings"] if f["rule"] in VALUE_FILES]
    unplanned = set(plan["errors"])
    planned = {}
    for a in plan["apps"]:
        planned[(a["component_file"], a.get("element", 0))] = (a["name"], {
            "name": a["application"], "release": a["release"], "namespace": a["namespace"], "chart": a["chart"],
            "value_files": a["value_files"]})
    problems, explained, used = [], [], set()

    def says_so(app, file, allowed):
        # A finding on the ApplicationSet itself that is not about one app (a bad option, a
        # generator not modelled) concerns every app of it; `plan` exits 1 on it too.
        return sorted({f["rule"] for f in findings
                       if f["rule"] in allowed and ((app and app in [f["app"]] + f["more_apps"]) or f["file"] == file or
                                                    (f["file"] == APPSET and not f["app"] and f["rule"] in GLOBAL))})

    for key, (app, got) in planned.items():
        want = truth.get(key)
        if want == got:
            continue
        only_value_files = want is not None and all(want[k] == got[k] for k in FIELDS if k != "value_files")
        rules = says_so(app, key[0], VALUE_FILES if only_value_files else RENDERING)
        used.update(rules)
        why = f"Argo fails: {failures[key]}" if key in failures else f"Argo {want}"
        what = f"{key[0]}[{key[1]}]: plan {got} vs {why}"
        (explained if rules else problems).append(what + (f" (findings: {rules})" if rules else ""))
    for key in truth:
        if key not in planned:
            rules = says_so(None, key[0], RENDERING)
            used.update(rules)
            ok = (key[0] in unplanned and pcode == 1) or bool(rules)
            (explained if ok else problems).append(f"{key[0]}[{key[1]}]: Argo renders it; plan " +
                                                   ("says it cannot" if ok else "leaves it out silently"))
    if (global_errors or failures or not truth) and ccode == 0:
        problems.append("Argo fails or generates nothing (" + "; ".join(global_errors + list(failures.values()))[:300] +
                        ") but check passes")
    if problems:
        return "silent", "\n    ".join(problems + explained), used
    return ("explained" if explained else "match"), "\n    ".join(explained), used


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tool, oracle = sys.argv[1], sys.argv[2]
    seed = int(os.environ.get("TVP_DIFF_SEED", "1"))
    count = int(os.environ.get("TVP_DIFF_COUNT", "150"))
    only = os.environ.get("TVP_DIFF_CASE")
    keep = os.environ.get("TVP_DIFF_KEEP")
    numbers = [int(only)] if only else range(count)
    tally, why = collections.Counter(), collections.Counter()
    failed = []
    for n in numbers:
        root = tempfile.mkdtemp(prefix=f"tvp-diff-{n}-")
        try:
            write_repo(root, make_case(seed, n))
            verdict, details, used = compare(tool, oracle, root)
            tally[verdict] += 1
            if verdict == "explained":
                why.update(used)
            if verdict in ("silent", "oracle-failed"):
                failed.append(n)
                print(f"FAIL case {n} (replay: TVP_DIFF_SEED={seed} TVP_DIFF_CASE={n}): {verdict}\n    {details}")
                if keep:
                    shutil.copytree(root, os.path.join(keep, f"case-{n}"), dirs_exist_ok=True)
            elif only:
                print(f"case {n}: {verdict}\n    {details}")
        finally:
            shutil.rmtree(root, ignore_errors=True)
    print(f"differential: seed {seed}, {len(numbers)} cases: {tally['match']} identical, "
          f"{tally['explained']} with a finding that says so, {tally['silent']} silent mismatches, "
          f"{tally['oracle-failed']} oracle failures")
    print("differences explained by (cases): " + (", ".join(f"{r} {n}" for r, n in sorted(why.items())) or "-"))
    if failed:
        print(f"replay with TVP_DIFF_SEED={seed} TVP_DIFF_CASE=<n> for n in {failed[:20]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
