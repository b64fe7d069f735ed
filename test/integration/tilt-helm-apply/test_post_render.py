#!/usr/bin/env python3
"""The post-renderer half of the render handoff (native/tilt-helm-apply/render_handoff.hpp), both
programs: the small `tilt-helm-apply-post-render` helm runs on every apply, and the fallback
`tilt-helm-apply post-render`. Each must hand helm the manifest back byte for byte only on the
apply's "ok", and otherwise fail with the apply's reason, so that helm writes nothing.

AMEIDE_BIN_DIR: the built helpers.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
BIN = os.environ.get('AMEIDE_BIN_DIR', os.path.join(REPO, 'build', 'bin'))
PROGRAMS = {'small': [os.path.join(BIN, 'tilt-helm-apply-post-render'), 'post-render'],
            'fallback': [os.path.join(BIN, 'tilt-helm-apply'), 'post-render']}
ENV = 'AMEIDE_HELM_APPLY_HANDOFF'
# Larger than a pipe's and a socket's buffers, with bytes of every value but no NUL surprises lost.
MANIFEST = (b'---\n# Source: app/templates/deployment.yaml\n' + bytes(range(1, 256)) * 4000 + b'\nend\n')


class Apply:
    """A stand-in for the waiting apply: accepts one post-renderer, reads to EOF, answers."""

    def __init__(self, folder, reply):
        self.path = os.path.join(folder, 'handoff.sock')
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.reply, self.received = reply, None
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _ = self.server.accept()
        with conn:
            chunks = []
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                chunks.append(b)
            self.received = b''.join(chunks)
            if self.reply is not None:
                conn.sendall(self.reply)

    def close(self):
        self.thread.join(10)
        self.server.close()


def run(program, env_value, stdin=MANIFEST):
    env = dict(os.environ)
    env.pop(ENV, None)
    if env_value is not None:
        env[ENV] = env_value
    return subprocess.run(PROGRAMS[program], input=stdin, env=env, capture_output=True, timeout=60)


class PostRender(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix='post-render-')
        self.addCleanup(shutil.rmtree, self.folder, True)

    def each(self):
        for program in PROGRAMS:
            with self.subTest(program=program):
                yield program

    def against(self, program, reply):
        """Runs `program` against a stand-in apply answering `reply`: (result, bytes it got)."""
        apply = Apply(tempfile.mkdtemp(dir=self.folder), reply)
        res = run(program, apply.path)
        apply.close()
        return res, apply.received

    def test_ok_gives_the_manifest_back_byte_for_byte(self):
        for program in self.each():
            res, received = self.against(program, b'ok\n')
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(received, MANIFEST)
            self.assertEqual(res.stdout, MANIFEST)

    def test_a_failed_handoff_fails_with_the_reason_and_prints_nothing(self):
        cases = {b'refused\nobjects of apps-graph could not be adopted': b'objects of apps-graph could not be adopted',
                 None: b'no verdict from tilt-helm-apply'}  # None: reads, then closes without a word
        for program in self.each():
            for reply, reason in cases.items():
                res, received = self.against(program, reply)
                self.assertEqual(received, MANIFEST)
                self.assertEqual(res.returncode, 1)
                self.assertEqual(res.stdout, b'')
                self.assertIn(reason, res.stderr)

    def test_no_apply_listening_fails(self):
        for program in self.each():
            res = run(program, os.path.join(self.folder, 'nobody.sock'))
            self.assertEqual(res.returncode, 1)
            self.assertEqual(res.stdout, b'')
            self.assertIn(b'lost the apply that started helm', res.stderr)

    def test_outside_an_apply_is_a_usage_error(self):
        for program in self.each():
            res = run(program, None)
            self.assertEqual(res.returncode, 2)
            self.assertIn(ENV.encode(), res.stderr)

    def test_the_small_program_loads_no_shared_library(self):
        # Its start is the point: helm runs it on every apply (README, Speed).
        res = subprocess.run(['ldd', PROGRAMS['small'][0]], capture_output=True, text=True)
        for lib in ('libstdc++', 'libssl', 'libcrypto', 'libspdlog', 'libyaml-cpp', 'libboost', 'libcpp-httplib'):
            self.assertNotIn(lib, res.stdout + res.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
