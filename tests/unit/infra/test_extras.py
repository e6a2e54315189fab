"""A command whose pip extra is missing says so in one line naming the extra, never "internal error".

The missing library is simulated with ``None`` in ``sys.modules`` (what ``import`` then refuses with
``ModuleNotFoundError``), in a subprocess for the real command line.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from c8ylink.infra.cli.run import run_plain
from c8ylink.infra.extras import extra_for


def run_without(module: str, code: str) -> subprocess.CompletedProcess[str]:
    program = f"import sys\nsys.modules[{module!r}] = None\n" + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )


def test_tenant_serve_without_aiohttp_names_the_tenant_extra(tmp_path: Path) -> None:
    result = run_without(
        "aiohttp",
        f"""
        from c8ylink.cli.root import main
        main(["tenant", "serve", "--data-dir", {str(tmp_path / "tenant")!r}, "--https-port", "0"])
        """,
    )
    assert (
        result.stderr == "Error: c8ylink tenant serve needs the tenant extra: pip install 'c8ylink[tenant]'\n"
    )
    assert result.returncode == 1


def test_a_library_of_two_extras_is_named_with_the_extra_of_the_product_that_imports_it() -> None:
    # pyotp is in the operator and the tenant extras: c8y's TOTP codes need the operator one
    result = run_without(
        "pyotp",
        """
        from c8ylink.infra.cli.run import run_plain
        from c8ylink.operator.auth.totp import totp_code
        from c8ylink.operator.cli.errors import render_c8y_error
        code = lambda: int(totp_code("JBSWY3DPEHPK3PXP", 0.0))
        run_plain(code, render_c8y_error, lambda: "c8y sessions login")
        """,
    )
    assert result.stderr == (
        "systemError: c8y sessions login needs the operator extra: pip install 'c8ylink[operator]'\n"
    )
    assert result.returncode == 1


def test_the_extra_follows_the_importing_product() -> None:
    assert extra_for("pyotp", ["importlib._bootstrap", "c8ylink.tenant.state.users"]) == "tenant"
    assert extra_for("pyotp", ["c8ylink.infra.x", "c8ylink.operator.auth.totp"]) == "operator"
    assert extra_for("questionary", ["c8ylink.infra.prompts", "c8ylink.operator.cli.login"]) == "operator"
    assert extra_for("aiohttp", []) == "tenant"
    assert extra_for("somethingelse", ["c8ylink.tenant.server"]) is None


def test_another_missing_module_is_still_an_internal_error(capsys: pytest.CaptureFixture[str]) -> None:
    def main() -> int:
        raise ModuleNotFoundError("No module named 'nowhere'", name="nowhere")

    with pytest.raises(SystemExit) as exit_info:
        run_plain(main)
    assert exit_info.value.code == 100
    assert capsys.readouterr().err.startswith("Error: internal error: ModuleNotFoundError")
