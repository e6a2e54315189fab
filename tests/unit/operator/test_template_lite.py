"""Templates of plain data are evaluated without jsonnet and give exactly what jsonnet gives; anything
else goes to jsonnet (its errors with line and column included)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from c8ylink.operator.template_lite import NotSimple, evaluate_simple
from c8ylink.operator.templates import Template, TemplateInput, native_functions, render_template

NOW = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


def middle(low: int, high: int) -> int:
    return (low + high) // 2  # deterministic, and independent of the order of the calls


SIMPLE = [
    "{type: 'c8y_Linux', created: _.Now(), serial: 'x'}",
    "{name: 'dev-' + input.index, value: input.value, nested: {b: 1, a: [1, 2.5, 'x', true, null]}}",
    '{"quoted key": "double \\"quoted\\" \\n text", z: -3, e: 1e3}',
    "{when: _.Now('-1h'), day: _.Date('-2d'), n: _.Int(), m: _.Int(10), o: _.Int(10, 5), f: _.Float(),"
    " b: _.Bool(), t: time.now, r: rand.int, rf: rand.float, rb: rand.bool}",
    "{type: var('type', 'none'), missing: var('nothing'), count: var('count') + 1}",
    "{id: input.value.id, deep: input.value.deep.er, text: 'n' + input.value.n}",
    "// a comment\n{a: 1, # another\n /* and a block */ b: 'x' + 2 + 'y'}",
    "[1, 'two', {three: 3}]",
    "{f: 0.1, g: -2.5e-3, h: 1 + 0.5, sum: 1 + 2, big: 9007199254740991}",
    "{unicode: '\\u00e9t\\u00e9', 'trailing': 1,}",
    "{out: output.name + '-' + output.id}",
]
NOT_SIMPLE = [
    "local x = 1; {a: x}",
    "{a: std.length([1])}",
    "{a: if true then 1 else 2}",
    "{a:: 1, b: 2}",
    "{a+: {b: 1}}",
    "{a: _.Int(max=5)}",
    "{a: 'x' + 0.1}",
    "{a: 12345678901234567890}",
    "{a: |||\n  text\n|||}",
    "{a: 1, a: 2}",
    "{a: input.value.missing}",
    "{a: [1] + [2]}",
    "{a: {b: 1} + {c: 2}}",
    "{a: _.Now('yesterday')}",
    "{if: 1}",
    "{a: 1} {",
]


def evaluate(source: str, *, lite: bool) -> Any:
    return render_template(
        Template(source, "inline"),
        TemplateInput({"id": "7", "n": 3, "deep": {"er": [1, {"z": 1, "a": 2.0}]}}, 4),
        variables={"type": "c8y_Linux", "count": 41},
        now=NOW,
        randint=middle,
        output={"name": "dev", "id": "9"},
        lite=lite,
    )


@pytest.mark.parametrize("source", SIMPLE)
def test_plain_templates_give_what_jsonnet_gives(source: str) -> None:
    natives = native_functions(NOW, middle)
    inputs = {"value": {"id": "7", "n": 3, "deep": {"er": [1, {"z": 1, "a": 2.0}]}}, "index": 4}
    evaluate_simple(
        source,
        template_input=inputs,
        variables={"type": "c8y_Linux", "count": 41},
        output={"name": "dev", "id": "9"},
        natives=natives,
    )  # fmt: skip  (no NotSimple)
    assert evaluate(source, lite=True) == evaluate(source, lite=False)


@pytest.mark.parametrize("source", NOT_SIMPLE)
def test_the_rest_goes_to_jsonnet(source: str) -> None:
    natives = native_functions(NOW, middle)
    with pytest.raises(NotSimple):
        evaluate_simple(source, template_input={"value": {}, "index": 1}, variables={}, output=None,
                        natives=natives)  # fmt: skip


def test_random_text_helpers_have_their_length_and_alphabet() -> None:
    result = evaluate("{c: _.Char(5), d: _.Digit(), h: _.Hex(8), p: _.Password(12)}", lite=True)
    assert len(result["c"]) == 5 and result["c"].isalpha()
    assert len(result["d"]) == 10 and result["d"].isdigit()
    assert len(result["h"]) == 8 and all(c in "0123456789abcdef" for c in result["h"])
    assert len(result["p"]) == 12
