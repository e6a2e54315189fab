"""The click-free answers of the `tedge` script (``device.cli.main``) say exactly what the click CLI says.

``tedge --help`` and ``tedge config get KEY`` are answered before click is imported; every other
invocation, and every error or warning, is left to the click CLI. The other tests in this folder run
through the same entry point, so each `config get` case there exercises the quick path too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from c8ylink.device.cli import root
from c8ylink.device.cli.main import quick_answer, render_root_help
from c8ylink.infra.cli.help import help_width

from .conftest import Tedge


def click_output(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(root.tedge, args, env=env, prog_name="tedge", catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("width", [50, 51, 59, 60, 66, 78, 100, 200])
def test_help_is_the_page_click_renders(width: int) -> None:
    context = click.Context(
        root.tedge, info_name="tedge", terminal_width=width, **root.tedge.context_settings
    )
    assert render_root_help(width) == root.tedge.get_help(context) + "\n"


@pytest.mark.parametrize("columns", ["50", "61", "80", "100", "200", "0", "-3", "junk", None])
def test_help_width_is_clicks(columns: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    clicks = max(min(shutil.get_terminal_size().columns, 80) - 2, 50)
    assert help_width({"COLUMNS": columns} if columns is not None else {}) == clicks


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_flags_are_answered_quickly(flag: str) -> None:
    assert quick_answer([flag], {"COLUMNS": "80"}) == render_root_help(78)


def write_config(config_dir: Path, text: str) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "tedge.toml").write_text(text)


CONFIG = """\
[c8y]
url = "mytenant.cumulocity.com"
[c8y.smartrest]
templates = ["b", "a"]
[c8y.profiles.second]
url = "second.cumulocity.com"
[mqtt.bind]
port = 1884
"""


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["config", "get", "c8y.url"], {}),
        (["config", "get", "c8y.mqtt"], {}),
        (["config", "get", "c8y.smartrest.templates"], {}),
        (["config", "get", "mqtt.client.port"], {}),
        (["config", "get", "device.cert_path"], {}),
        (["config", "get", "c8y.url", "--profile", "second"], {}),
        (["config", "get", "c8y.url", "--profile=SECOND"], {}),
        (["config", "get", "c8y.profiles.second.url"], {}),
        (["config", "get", "c8y.url"], {"TEDGE_CLOUD_PROFILE": "second"}),
        (["config", "get", "mqtt.bind.port"], {"TEDGE_CLOUD_PROFILE": "second"}),
        (["config", "get", "c8y.url"], {"TEDGE_C8Y_URL": "env.cumulocity.com"}),
        (["config", "get", "mqtt.bind.port"], {"TEDGE_MQTT_BIND_PORT": ""}),
    ],
)
def test_plain_values_are_answered_quickly_and_as_click_answers(
    config_dir: Path, args: list[str], env: dict[str, str]
) -> None:
    write_config(config_dir, CONFIG)
    env = {"TEDGE_CONFIG_DIR": str(config_dir), **env}
    code, stdout, stderr = click_output(args, env)
    assert (code, stderr) == (0, "")
    assert quick_answer(args, env) == stdout
    assert (
        quick_answer(
            ["--config-dir", str(config_dir), *args],
            {k: v for k, v in env.items() if k != "TEDGE_CONFIG_DIR"},
        )
        == stdout
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["config", "get", "c8y.http"], {}),  # not set: an error on stderr
        (["config", "get", "c8y_url"], {}),  # deprecated spelling: a warning
        (["config", "get", "no.such.key"], {}),
        (["config", "get", "c8y.url", "--profile", "bad name"], {}),
        (["config", "get", "c8y.url", "--profile", "third"], {}),  # unknown profile
        (["config", "get", "mqtt.bind.port"], {"TEDGE_CLOUD_PROFILE": "bad name"}),
        (["config", "get", "c8y.url"], {"TEDGE_UNKNOWN_KEY": "x"}),  # a warning
        (["config", "get", "c8y.url"], {"TEDGE_MQTT_BIND_PORT": "not-a-port"}),
        (["--debug", "config", "get", "c8y.url"], {}),
        (["config", "get", "c8y.url", "extra"], {}),
        (["config", "set", "c8y.url", "x.com"], {}),
        (["config", "get", "--help"], {}),
        (["--help", "config"], {}),
    ],
)
def test_everything_else_is_left_to_the_click_cli(
    config_dir: Path, args: list[str], env: dict[str, str]
) -> None:
    write_config(config_dir, CONFIG.replace('url = "mytenant.cumulocity.com"\n', ""))
    assert quick_answer(args, {"TEDGE_CONFIG_DIR": str(config_dir), **env}) is None


def test_a_file_outside_the_plain_toml_subset_is_read_as_click_reads_it(config_dir: Path) -> None:
    write_config(config_dir, '[c8y]\nurl = """mytenant.cumulocity.com"""\n')
    env = {"TEDGE_CONFIG_DIR": str(config_dir)}
    assert (
        quick_answer(["config", "get", "c8y.url"], env) == click_output(["config", "get", "c8y.url"], env)[1]
    )


def test_a_corrupt_file_is_reported_by_the_click_cli(config_dir: Path, tedge: Tedge) -> None:
    write_config(config_dir, "[c8y\n")
    assert quick_answer(["config", "get", "c8y.url"], {"TEDGE_CONFIG_DIR": str(config_dir)}) is None
    result = tedge("config", "get", "c8y.url")
    assert result.exit_code == 1
    assert "TOML parse error at line 1" in result.stderr


def test_a_config_dir_that_is_not_normalised_is_left_to_the_click_cli(config_dir: Path) -> None:
    write_config(config_dir, CONFIG)
    odd = f"{config_dir}/../{config_dir.name}/"
    assert quick_answer(["--config-dir", odd, "config", "get", "device.cert_path"], {}) is None
