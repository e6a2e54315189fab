"""``c8y template execute``: evaluate a jsonnet template (``operator.templates``) and print the JSON,
once, or once per piped line (``input.value``, ``input.index``)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click

from c8ylink.operator.cli.surroundings import isatty

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(name="template", context_settings=CONTEXT)
def template_cmd() -> None:
    """jsonnet templates: try one out."""


@template_cmd.command(name="execute", context_settings=CONTEXT)
@click.option("--template", "template_value", required=True, help="Inline jsonnet or a template file")
@click.option(
    "--templateVars", "template_vars", multiple=True, help="Variables, var('name'): a=1,b=x or JSON"
)
@click.option("--input", "input_value", default=None, help="The input.value (default: each piped line)")
@click.option("--compact", "-c", is_flag=True, help="One line of JSON (the default when piped)")
def execute_cmd(
    template_value: str, template_vars: tuple[str, ...], input_value: str | None, compact: bool
) -> None:
    """Evaluate a template and print the JSON it makes.

    \b
    Examples:
      c8y template execute --template "{name: 'dev-' + _.Char(5), created: _.Now()}"
      echo sensor | c8y template execute --template "{name: input.value + '-' + input.index}"
      c8y template execute --template device.jsonnet --templateVars type=c8y_Linux
    """
    from c8ylink.operator.cli.surroundings import current_surroundings
    from c8ylink.operator.extensions.location import DATADIR_KEY, extensions_dir
    from c8ylink.operator.settings import SettingsLayers
    from c8ylink.operator.templates import (
        TemplateInput,
        load_template,
        parse_template_vars,
        piped_value,
        render_template,
    )

    where = current_surroundings("none")
    settings = SettingsLayers(env=where.env, session={}, global_file=where.global_settings())
    extensions = extensions_dir(settings.text(DATADIR_KEY), str(where.session_home))
    template = load_template(template_value, [settings.text("template.path") or ""], extensions)
    variables = parse_template_vars(template_vars)
    if input_value is not None or isatty(sys.stdin):
        inputs: list[str | None] = [input_value]
    else:
        inputs = [line.rstrip("\r\n") for line in sys.stdin if line.strip()] or [None]
    now = datetime.now(UTC)
    one_line = compact or not isatty(sys.stdout)
    for number, text in enumerate(inputs, 1):
        document = render_template(
            template, TemplateInput(piped_value(text), number), variables=variables, now=now
        )
        sys.stdout.write(
            json.dumps(document, separators=(",", ":")) if one_line else json.dumps(document, indent=2)
        )
        sys.stdout.write("\n")
