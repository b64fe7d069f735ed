#!/usr/bin/env python3
"""Every environment variable the sources read is in README.md's environment table.

Reads are found where they are written: C++ getenv/process_env/env_with_alias and `k...Env`
constants (native/), Starlark os.getenv and the *_env('NAME') helpers (Tiltfile,
tilt_extensions/), shell ${NAME...} expansions of names the script does not set itself and
env_alias calls (scripts/). Test code is not scanned: its variables are the tests' own.
"""
import os
import re
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Defined by others (kubectl, helm, the OS); README.md names them below the table.
STANDARD = {"KUBECONFIG", "HOME", "USER", "TMPDIR", "PATH", "XDG_CACHE_HOME", "XDG_DATA_HOME",
            "XDG_STATE_HOME", "HELM_DRIVER", "HELM_PLUGINS", "HELM_DATA_HOME"}

CPP = [re.compile(r'\b(?:getenv|process_env)\("([A-Za-z_][A-Za-z0-9_]*)"'),
       re.compile(r'\benv_with_alias\("([A-Z0-9_]+)",\s*"([A-Z0-9_]+)"'),
       re.compile(r'\bk\w*Env\s*=\s*"([A-Z0-9_]+)"')]
STARLARK = [re.compile(r"""\b\w*env\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")]
SHELL_USE = re.compile(r'\$\{!?([A-Z][A-Z0-9_]*)(?=[:}#%/-])')
SHELL_ALIAS = re.compile(r'^\s*env_alias\s+([A-Z0-9_]+)\s+([A-Z0-9_]+)', re.M)
# A name the script sets itself is not read from the environment.
SHELL_SET = re.compile(r'^\s*(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)?)?([A-Z][A-Z0-9_]*)=', re.M)


def is_test_path(path):
    parts = path.split(os.sep)
    return "test" in parts or os.path.basename(path).endswith("_test.cpp")


def sources():
    for top in ("native", "tilt_extensions", "scripts"):
        for d, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs[:] = [x for x in dirs if x not in ("test", "fuzz")]
            for f in files:
                yield os.path.join(d, f)
    yield os.path.join(REPO, "Tiltfile")


def reads(path, text):
    """{name: where} for every variable `path` reads."""
    found = {}
    name = os.path.basename(path)
    if name.endswith((".cpp", ".hpp")):
        pats = CPP
    elif name == "Tiltfile":
        pats = STARLARK
    elif name.endswith(".sh"):
        set_here = set(SHELL_SET.findall(text))
        for n in SHELL_USE.findall(text):
            if n not in set_here:
                found[n] = path
        pats = [SHELL_ALIAS]
    else:
        return found
    for pat in pats:
        for m in pat.finditer(text):
            for n in m.groups():
                found[n] = path
    return found


def table_names():
    text = open(os.path.join(REPO, "README.md")).read()
    section = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)", line))
    return names


class EnvTable(unittest.TestCase):
    def test_every_variable_read_is_in_the_readme_table(self):
        read = {}
        for path in sources():
            if is_test_path(os.path.relpath(path, REPO)) or not os.path.isfile(path):
                continue
            with open(path, errors="replace") as f:
                read.update(reads(path, f.read()))
        self.assertIn("AMEIDE_KUBECTL", read, "the scan found nothing: are its patterns still right?")
        missing = sorted(f"{n} (read in {os.path.relpath(p, REPO)})" for n, p in read.items()
                         if n not in STANDARD and n not in table_names())
        self.assertEqual(missing, [], "add these to README.md's environment table")

    def test_the_table_lists_nothing_that_is_not_read(self):
        read = set()
        for path in sources():
            if is_test_path(os.path.relpath(path, REPO)) or not os.path.isfile(path):
                continue
            with open(path, errors="replace") as f:
                read.update(reads(path, f.read()))
        self.assertEqual(sorted(table_names() - read), [], "README.md lists variables nothing reads")

    def test_the_scan_sees_each_kind_of_read(self):
        self.assertEqual(set(reads("x.cpp", 'a = std::getenv("A1"); env_with_alias("A2", "B2");')), {"A1", "A2", "B2"})
        self.assertEqual(set(reads("Tiltfile", "os.getenv('A3', '') + _registry_env('A4', x)")), {"A3", "A4"})
        self.assertEqual(set(reads("x.sh", 'A5=1\necho "${A5:-} ${A6:-x} ${A7}"\nenv_alias A8 B8\n')),
                         {"A6", "A7", "A8", "B8"})


if __name__ == "__main__":
    sys.exit(unittest.main())
