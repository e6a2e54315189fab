"""``c8y assert text`` as a process: matching lines pass through, ``--strict`` fails (exit 112) on one
that does not match ``--exact``, ``--regex`` or a JSON ``--schema``; bad patterns and schemas are user
errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import C8Y, Run

pytestmark = pytest.mark.e2e


def c8y(*args: str, stdin: str = "") -> Run:
    done = subprocess.run([C8Y, *args], input=stdin, capture_output=True, text=True, env=dict(os.environ),
                          timeout=60, check=False)  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr)


def test_matching_lines_pass_and_strict_fails_on_the_others(isolation: Path) -> None:
    assert c8y("assert", "text", "--exact", "myname", stdin="myname\n").stdout == "myname\n"
    assert c8y("assert", "text", "--regex", ".*name$", stdin="myname\nother\n").stdout == "myname\n"
    strict = c8y("assert", "text", "--regex", "^my", "--strict", stdin="myname\nother\n")
    assert (strict.code, strict.stdout) == (112, "myname\n")
    assert "input does not match pattern. got=other" in strict.stderr
    assert c8y("assert", "text", "--input", "abc", "--exact", "abd", "--strict").code == 112


def test_json_schemas_inline_and_from_a_file(isolation: Path, tmp_path: Path) -> None:
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    piped = '{"name": "device01"}\n{"id": 1}\n'
    inline = c8y("assert", "text", "--schema", json.dumps(schema), "--strict", stdin=piped)
    assert (inline.code, inline.stdout) == (112, '{"name": "device01"}\n')
    assert "does not match json schema" in inline.stderr
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    assert c8y("assert", "text", "--schema", str(path), stdin=piped).stdout == '{"name": "device01"}\n'


def test_bad_patterns_and_schemas_are_user_errors(isolation: Path, tmp_path: Path) -> None:
    for args in (["--regex", "("], ["--schema", '{"type": 12}'], ["--schema", str(tmp_path / "none.json")]):
        run = c8y("assert", "text", *args, stdin="x\n")
        assert (
            run.code == 101 and run.stderr.startswith("userError: ") and len(run.stderr.splitlines()) == 1
        ), run.stderr
