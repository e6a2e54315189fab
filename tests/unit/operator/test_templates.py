"""jsonnet templates (``--template``): upstream's helpers, input, variables, and the errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.operator.templates import (
    Template,
    TemplateInput,
    load_template,
    parse_template_vars,
    piped_value,
    render_template,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def render(source: str, value: object = None, number: int = 1, **variables: object) -> object:
    return render_template(
        Template(source, "inline"), TemplateInput(value, number), variables=variables, now=NOW,
        randint=lambda low, high: high,
    )  # fmt: skip


def test_helpers_as_upstream() -> None:
    assert render("{t: _.Now(), before: _.Now('-1h'), d: _.Date('-1d'), n: time.now}") == {
        "t": "2024-05-01T12:00:00.000Z", "before": "2024-05-01T11:00:00.000Z", "d": "2024-04-30",
        "n": "2024-05-01T12:00:00.000Z",
    }  # fmt: skip
    assert render("{a: _.Int(), b: _.Int(10), c: _.Int(10, 5), f: _.Float(2), b2: _.Bool()}") == {
        "a": 100, "b": 10, "c": 10, "f": 2.0, "b2": True,
    }  # fmt: skip
    values = render("{c: _.Char(8), h: _.Hex(6), d: _.Digit(4), p: _.Password(20)}")
    assert isinstance(values, dict)
    assert len(values["c"]) == 8 and values["c"].isalpha()
    assert len(values["h"]) == 6 and all(ch in "0123456789abcdef" for ch in values["h"])
    assert len(values["d"]) == 4 and values["d"].isdigit()
    assert len(values["p"]) == 20


def test_input_and_variables() -> None:
    assert render("{name: input.value + '-' + input.index}", "sensor", 3) == {"name": "sensor-3"}
    assert render("{id: input.value.id}", {"id": "12"}) == {"id": "12"}
    assert render("{t: var('type'), d: var('missing', 'dflt')}", type="c8y_Linux") == {
        "t": "c8y_Linux", "d": "dflt",
    }  # fmt: skip
    assert parse_template_vars(["a=1,b=x", '{"c": true}']) == {"a": 1, "b": "x", "c": True}
    assert piped_value('{"id": "1"}') == {"id": "1"} and piped_value("text") == "text"


def test_a_syntax_error_names_the_templates_line_and_column() -> None:
    with pytest.raises(UsageError) as caught:
        render("{\n  a: 1,\n  b: ,\n}")
    assert caught.value.exit_code == 101
    assert "template:3:6" in str(caught.value) and "STATIC ERROR" in str(caught.value)
    with pytest.raises(UsageError, match="template:2:6-13: Unknown variable: missing"):
        render("{\n  a: missing\n}")
    with pytest.raises(UsageError, match="'soon' is not a relative time"):
        render("{a: _.Now('soon')}")


def test_templates_come_from_files_or_the_template_path(tmp_path: Path) -> None:
    (tmp_path / "device.jsonnet").write_text("{type: 'c8y_Linux'}")
    assert load_template(str(tmp_path / "device.jsonnet")).source == "{type: 'c8y_Linux'}"
    assert load_template("device", [str(tmp_path)]).origin == str(tmp_path / "device.jsonnet")
    assert load_template("device.jsonnet", [str(tmp_path)]).source == "{type: 'c8y_Linux'}"
    assert load_template("{name: 'x'}").origin == "inline"
    with pytest.raises(UsageError, match=r"template file 'nothere\.jsonnet' does not exist"):
        load_template("nothere.jsonnet", [str(tmp_path)])
    broken = tmp_path / "broken.jsonnet"
    broken.write_text("{\n a: ]\n}")
    with pytest.raises(UsageError, match=re.escape(f"{broken}:2:")):
        render_template(load_template(str(broken)), TemplateInput())


def test_output_is_the_result_for_output_templates() -> None:
    result = render_template(
        Template("{device: output.name, n: input.index}", "inline"),
        TemplateInput(None, 2),
        output={"name": "d"},
    )
    assert result == {"device": "d", "n": 2}
