#!/usr/bin/env python3
"""Runs one scripted tilt-eval case through the real wrapper (test/tiltfile/tilt-eval).

A case is a folder under testdata/ with a Tiltfile (plus whatever it loads) and case.json:
  args             options before TILTFILE, e.g. ["--local", "record"]
  tilt_args        args after `--`
  exit             expected exit code (0 or 1)
  stderr_contains  strings stderr must contain
  expect           [[PATH, VALUE], ...] checked against the JSON on stdout. PATH is dotted:
                   a number indexes a list, KEY=VALUE picks the list element whose KEY is VALUE,
                   and a final "#" takes the length. "$CASE" in VALUE strings is the case folder.
Exits 0 when every check holds, 1 otherwise, printing what differed.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def walk(doc, path):
    cur = doc
    for seg in path.split("."):
        if seg == "#":
            return len(cur)
        if isinstance(cur, list):
            if "=" in seg:
                key, val = seg.split("=", 1)
                matches = [e for e in cur if str(e.get(key)) == val]
                if len(matches) != 1:
                    raise KeyError(f"{seg}: {len(matches)} matches")
                cur = matches[0]
            else:
                cur = cur[int(seg)]
        else:
            cur = cur[seg]
    return cur


def subst(value, case_dir):
    if isinstance(value, str):
        return value.replace("$CASE", case_dir)
    if isinstance(value, list):
        return [subst(v, case_dir) for v in value]
    if isinstance(value, dict):
        return {k: subst(v, case_dir) for k, v in value.items()}
    return value


def main():
    case_dir = os.path.abspath(sys.argv[1])
    with open(os.path.join(case_dir, "case.json"), encoding="utf-8") as f:
        case = json.load(f)
    argv = [os.path.join(HERE, "tilt-eval"), *case.get("args", []), os.path.join(case_dir, "Tiltfile")]
    if "tilt_args" in case:
        argv += ["--", *case["tilt_args"]]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    failures = []
    want_exit = case.get("exit", 0)
    if proc.returncode != want_exit:
        failures.append(f"exit {proc.returncode}, want {want_exit}")
    for s in case.get("stderr_contains", []):
        if subst(s, case_dir) not in proc.stderr:
            failures.append(f"stderr lacks {s!r}")
    if want_exit == 0 and proc.returncode == 0:
        try:
            doc = json.loads(proc.stdout)
        except json.JSONDecodeError as e:
            failures.append(f"stdout is not one JSON document: {e}")
            doc = None
        for path, want in case.get("expect", []) if doc is not None else []:
            want = subst(want, case_dir)
            try:
                got = walk(doc, path)
            except (KeyError, IndexError, ValueError, TypeError) as e:
                failures.append(f"{path}: missing ({e})")
                continue
            if got != want:
                failures.append(f"{path}: got {json.dumps(got)}, want {json.dumps(want)}")
    elif proc.stdout:
        failures.append("stdout must be empty on failure")
    if failures:
        print(f"case {os.path.basename(case_dir)}: FAILED")
        for f in failures:
            print("  " + f)
        print("stderr:\n" + proc.stderr)
        return 1
    print(f"case {os.path.basename(case_dir)}: ok ({len(case.get('expect', []))} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
