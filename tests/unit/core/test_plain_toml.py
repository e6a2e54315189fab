"""The plain-TOML reader agrees with tomllib wherever it gives an answer, and answers for tedge.toml files."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from c8ylink.core.plain_toml import parse_plain_toml

TEDGE_TOML = """\
# written by tedge config set
[config]
version = "2"

[device]
type = "thin-edge.io"   # the device type

[c8y]
url = "mytenant.cumulocity.com"
root_cert_path = '/etc/ssl/certs'

[c8y.smartrest]
templates = [
    "tmplA", # first
    "tmplB",
]

[c8y.profiles.second]
url = "other.cumulocity.com"
[c8y.profiles.second.proxy.bind]
port = 8002

[mqtt.bind]
port = 1883
enabled = true
"name with space" = "a\\tb \\u00e9 \\U0001F600"
"""


def test_a_tedge_toml_reads_as_tomllib_reads_it() -> None:
    assert parse_plain_toml(TEDGE_TOML) == tomllib.loads(TEDGE_TOML)


@pytest.mark.parametrize(
    "text",
    [
        "a = 1.5",  # float
        "a = 1979-05-27",  # date
        "a = { b = 1 }",  # inline table
        "a.b = 1",  # dotted key
        'a = """x"""',  # multi-line string
        "a = '''x'''",
        "[[a]]\nb = 1",  # array of tables
        "a = [[1], [2]]",  # nested array
        "a = 0x1f",
        "a = 1_000",
        "a = inf",
        "a = 1\r\n",
    ],
    ids=lambda text: text.splitlines()[0],
)
def test_outside_the_plain_subset_it_leaves_the_text_to_tomllib(text: str) -> None:
    tomllib.loads(text)  # valid TOML ...
    assert parse_plain_toml(text) is None  # ... but not plain: tomllib does it


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2",  # duplicate key
        "[a]\n[a]",  # duplicate table
        "[a]\nb = 1\n[a.b]",  # table over a value
        "[a.b]\n[a]\nb = 1",  # value over a table
        "a = 01",
        "a = 1 2",
        'a = "x',
        "a = 'x\n'",
        'a = "\\q"',
        'a = "\\ud800"',
        "a =",
        "= 1",
        "[a] b = 1",
        "a = [1 2]",
        "a = [1,",
        "a = truex",
        "a = 1 # \x01",
        'a = "\x01"',
        "[a",
    ],
)
def test_invalid_toml_is_never_accepted(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    assert parse_plain_toml(text) is None


KEYS = st.text(alphabet="abcxyz_-019", min_size=1, max_size=6) | st.text(min_size=0, max_size=5)
SCALARS = st.text(max_size=12) | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.booleans()
VALUES = SCALARS | st.lists(SCALARS, max_size=4)
TABLES = st.dictionaries(KEYS, VALUES, max_size=4)
DOCUMENTS = st.dictionaries(KEYS, TABLES | VALUES, max_size=4) | st.dictionaries(
    KEYS, st.dictionaries(KEYS, TABLES | VALUES, max_size=3), max_size=3
)


@given(DOCUMENTS)
@settings(max_examples=300, deadline=None)
def test_documents_written_by_tomlkit_read_back_the_same(document: dict[str, Any]) -> None:
    text = tomlkit.dumps(document)
    expected = tomllib.loads(text)
    assert parse_plain_toml(text) in (expected, None)
    assert parse_plain_toml(text) is not None or _uses_more_than_plain(text)


def _uses_more_than_plain(text: str) -> bool:
    """tomlkit may write dotted keys or multi-line strings, which the plain reader leaves to tomllib."""
    return (
        '"""' in text
        or "'''" in text
        or "\r" in text
        or any(
            "=" in line and "." in line.split("=", 1)[0] and not line.lstrip().startswith(("[", '"'))
            for line in text.splitlines()
        )
    )


TOMLISH = st.text(alphabet="abc019 \t\n#=[],.\"'\\+-_utrfe{}:\x01é", max_size=40)


@given(TOMLISH)
@settings(max_examples=2000, deadline=None)
def test_whatever_it_accepts_tomllib_accepts_with_the_same_result(text: str) -> None:
    result = parse_plain_toml(text)
    if result is not None:
        assert tomllib.loads(text) == result
