"""Shared by the extensions' test/test_*.py: evaluate a Tiltfile with the Starlark harness
(test/tiltfile/tilt-eval) and pick declared objects out of its JSON document.

Environment: AMEIDE_BIN_DIR (the built helpers, default <repo>/build/bin), TILT_EVAL (the harness
wrapper, default <repo>/test/tiltfile/tilt-eval).
"""
import json
import os
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
BIN = os.path.abspath(os.environ.get('AMEIDE_BIN_DIR', os.path.join(REPO, 'build', 'bin')))
TILT_EVAL = os.environ.get('TILT_EVAL', os.path.join(REPO, 'test', 'tiltfile', 'tilt-eval'))


def tilt_eval(tiltfile, *env, subcommand='up', context='k3d-ameide', args=()):
    """Returns (exit code, JSON document or None, stderr); env holds 'K=V' strings."""
    argv = [TILT_EVAL, '--local', 'allow', '--subcommand', subcommand, '--context', context,
            '--env', f'AMEIDE_BIN_DIR={BIN}']
    for e in env:
        argv += ['--env', e]
    proc = subprocess.run(argv + [tiltfile, '--', *args], capture_output=True, text=True, timeout=300)
    return proc.returncode, json.loads(proc.stdout) if proc.returncode == 0 else None, proc.stderr


def by_name(items, name, key='name'):
    found = [i for i in items if i[key] == name]
    assert len(found) == 1, f'{name}: {len(found)} matches in {[i[key] for i in items]}'
    return found[0]
