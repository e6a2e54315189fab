"""SmartREST 2.0 custom template collections (cumulocity-api.md §2.6): PURE.

A collection (X-Id) holds request templates (``10``: a CSV line -> a REST call) and response templates
(``11``: JSON paths read out of an object -> a CSV line). It arrives in two shapes, both read here into
one ``TemplateCollection``:

- over MQTT, all lines in one publish to ``s/ut/<xid>`` (``parse_collection``):
  ``10,<msgId>,<method>,<api>,[response],<mandatory values...>,(<path>,[<type>],[<value>])*`` and
  ``11,<msgId>,[base],[condition],<pattern>...``;
- over REST, as Cumulocity stores it (``from_fragment``/``to_fragment``): a managed object of type
  ``c8y_SmartRest2Template`` whose ``com_cumulocity_model_smartrest_csv_CsvSmartRestTemplate`` lists
  ``requestTemplates`` (``msgId, method, api, response, byId, externalIdType, mandatoryValues,
  customValues``) and ``responseTemplates`` (``msgId, base, condition, pattern``).

Which mandatory values an (api, method) pair takes, and which pairs exist, is the table ``MANDATORY``.
A value fixed in the template is used as is; an empty one is a placeholder filled from the message
(``apply_request``), except ``FLAG`` (always ``{}``). Definition problems raise
``TemplateDefinitionError`` (``41``, Cumulocity's texts); a message that does not fit its template
raises ``SmartRestValidationError`` (``45``: wrong number of arguments, a value not of its type).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import SmartRestError
from c8ylink.core.smartrest.codec import Record
from c8ylink.core.smartrest.templates import ValueKind
from c8ylink.core.smartrest.validation import SmartRestValidationError, trim_trailing_empty, value_matches

TEMPLATE_TYPE = "c8y_SmartRest2Template"
TEMPLATE_FRAGMENT = "com_cumulocity_model_smartrest_csv_CsvSmartRestTemplate"
TEMPLATE_ID_TYPE = "c8y_SmartRest2DeviceIdentifier"
REQUEST, RESPONSE = "10", "11"
EXISTS, NOT_FOUND = "20", "41"  # on s/dt: 20,<xid>,<object id> | 41,<xid>


class ValueType(enum.Enum):
    STRING = "STRING"
    DATE = "DATE"
    NUMBER = "NUMBER"
    INTEGER = "INTEGER"
    UNSIGNED = "UNSIGNED"
    FLAG = "FLAG"
    SEVERITY = "SEVERITY"
    ALARMSTATUS = "ALARMSTATUS"
    OPERATIONSTATUS = "OPERATIONSTATUS"


_CHOICES: dict[ValueType, frozenset[str]] = {
    ValueType.SEVERITY: frozenset({"CRITICAL", "MAJOR", "MINOR", "WARNING"}),
    ValueType.ALARMSTATUS: frozenset({"ACTIVE", "ACKNOWLEDGED", "CLEARED"}),
    ValueType.OPERATIONSTATUS: frozenset({"PENDING", "EXECUTING", "SUCCESSFUL", "FAILED"}),
}
_KINDS = {
    ValueType.NUMBER: ValueKind.NUMBER,
    ValueType.INTEGER: ValueKind.INTEGER,
    ValueType.DATE: ValueKind.TIME,
}

S, D, SEV, AST = ValueType.STRING, ValueType.DATE, ValueType.SEVERITY, ValueType.ALARMSTATUS
# (api, method) -> the mandatory values after the response field, in template order; INVENTORY GET/PUT
# take ``byId,[externalIdType]`` instead, INVENTORY POST ``externalIdType`` (see ``_inventory_lookup``)
MANDATORY: dict[tuple[str, str], tuple[tuple[str, ValueType], ...]] = {
    ("MEASUREMENT", "POST"): (("type", S), ("time", D)),
    ("EVENT", "POST"): (("type", S), ("text", S), ("time", D)),
    ("ALARM", "POST"): (("type", S), ("text", S), ("status", AST), ("severity", SEV), ("time", D)),
    ("ALARM", "PUT"): (("type", S),),
    ("OPERATION", "PUT"): (("fragment", S),),
    ("INVENTORY", "GET"): (),
    ("INVENTORY", "PUT"): (),
    ("INVENTORY", "POST"): (),
}
_PATH = re.compile(r"(?:\$\.)?[^.\[\]?*,\s]+(?:\.[^.\[\]?*,\s]+)*")
_PATTERN = re.compile(r"(?:\$\.)?[^.\[\]?*,\s]+(?:\[\*\])?(?:\.[^.\[\]?*,\s]+(?:\[\*\])?)*")


class TemplateDefinitionError(SmartRestError):
    """A template collection that cannot be created or used: ``41,<reference>,<reason>`` on ``s/e``."""

    code = 41

    def __init__(self, reference: str, reason: str) -> None:
        super().__init__(f"SmartREST template {reference}: {reason}")
        self.reference = reference
        self.reason = reason

    def to_record(self) -> tuple[str, str, str]:
        return (str(self.code), self.reference, self.reason)


@dataclass(frozen=True, slots=True)
class TemplateValue:
    """One value a request sets: ``path`` (dotted, no ``$.``), its type, fixed ``value`` or ``""``."""

    path: str
    type: ValueType = ValueType.STRING
    value: str = ""

    @property
    def placeholder(self) -> bool:
        return self.value == "" and self.type is not ValueType.FLAG


@dataclass(frozen=True, slots=True)
class RequestTemplate:
    msg_id: str
    method: str
    api: str
    response: bool
    values: tuple[TemplateValue, ...] = ()  # mandatory values first, then custom ones
    by_id: bool = False  # INVENTORY GET/PUT: the object is addressed by its id
    external_id_type: str = ""  # INVENTORY: fixed external id type ("" = from the message)
    mandatory: int = 0  # how many of ``values`` are mandatory (stored apart in the fragment)

    @property
    def addressed(self) -> bool:
        """INVENTORY GET/PUT: the message starts with the object's id or external id."""
        return self.api == "INVENTORY" and self.method in ("GET", "PUT")


@dataclass(frozen=True, slots=True)
class ResponseTemplate:
    msg_id: str
    base: str
    condition: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TemplateCollection:
    requests: tuple[RequestTemplate, ...]
    responses: tuple[ResponseTemplate, ...]

    def request(self, msg_id: str) -> RequestTemplate | None:
        return next((template for template in self.requests if template.msg_id == msg_id), None)


@dataclass(frozen=True, slots=True)
class Request:
    """One message applied to its template: what to address and the JSON body to send."""

    template: RequestTemplate
    body: dict[str, Any]
    id_type: str = ""  # INVENTORY: external id type, or "" when addressed by id / none is created
    object_ref: str = ""  # INVENTORY GET/PUT: the id or external id; POST: the external id to create


# ------------------------------------------------------------------------------------ definitions


def _flag(text: str, reference: str, what: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise TemplateDefinitionError(
            reference, f"Bad request template definition: {what} must be true or false"
        )
    return text.lower() == "true"


def _value_type(text: str, reference: str) -> ValueType:
    try:
        return ValueType(text or "STRING")
    except ValueError:
        raise TemplateDefinitionError(reference, f"Bad value type: {text}") from None


def _path(text: str, reference: str, pattern: re.Pattern[str] = _PATH) -> str:
    if "?" in text:
        raise TemplateDefinitionError(reference, "Using Filters (?) in JsonPath is not allowed for SmartRest")
    if pattern is _PATH and "[*]" in text:
        raise TemplateDefinitionError(
            reference, "Using JsonPath to refer to a list of objects is not allowed for SmartRest"
        )
    if not pattern.fullmatch(text):
        raise TemplateDefinitionError(reference, f"Invalid JsonPath: {text}")
    return text.removeprefix("$.")


def _value(path: str, kind: str, value: str, reference: str) -> TemplateValue:
    checked = TemplateValue(_path(path, reference), _value_type(kind, reference), value)
    if value and checked.type is not ValueType.FLAG and not value_fits(checked.type, value):
        raise TemplateDefinitionError(reference, f"Bad value type: {value} is not a {checked.type.value}")
    return checked


def _kind(method: str, api: str, reference: str) -> tuple[tuple[str, ValueType], ...]:
    mandatory = MANDATORY.get((api, method))
    if mandatory is None:
        raise TemplateDefinitionError(
            reference, f"Bad request template definition: {method} {api} is not supported"
        )
    return mandatory


def parse_request_line(fields: Sequence[str], reference: str) -> RequestTemplate:
    """A ``10,...`` line (without the ``10``) as a template; ``reference`` names it in errors."""
    if len(fields) < 3 or not fields[0]:
        raise TemplateDefinitionError(
            reference, "Bad request template definition: msgId, method and api are needed"
        )
    msg_id, method, api = fields[0], fields[1].upper(), fields[2].upper()
    mandatory = _kind(method, api, reference)
    response = _flag(fields[3], reference, "response") if len(fields) > 3 and fields[3] else method == "GET"
    rest = list(fields[4:])
    by_id, id_type = False, ""
    if api == "INVENTORY":
        if method in ("GET", "PUT"):
            by_id = _flag(rest.pop(0) if rest else "", reference, "byId")
        id_type = rest.pop(0) if rest else ""
        if method == "GET" and any(rest):
            raise TemplateDefinitionError(reference, "Bad request template definition: GET takes no values")
    padded = rest + [""] * max(0, len(mandatory) - len(rest))
    values = [
        _value(path, kind.value, text, reference)
        for (path, kind), text in zip(mandatory, padded, strict=False)
    ]
    custom = trim_trailing_empty(padded[len(mandatory) :])
    for start in range(0, len(custom), 3):
        path, kind, value = (*custom[start : start + 3], "", "")[:3]
        values.append(_value(path, kind, value, reference))
    return RequestTemplate(msg_id, method, api, response, tuple(values), by_id, id_type, len(mandatory))


def parse_response_line(fields: Sequence[str], reference: str) -> ResponseTemplate:
    """A ``11,...`` line (without the ``11``) as a template."""
    patterns = [field for field in fields[3:] if field]
    if len(fields) < 4 or not fields[0] or not patterns:
        raise TemplateDefinitionError(
            reference, "Bad response template definition: msgId and a pattern are needed"
        )
    base = _path(fields[1], reference, _PATTERN) if fields[1] else ""
    condition = _path(fields[2], reference, _PATTERN) if fields[2] else ""
    return ResponseTemplate(
        fields[0], base, condition, tuple(_path(p, reference, _PATTERN) for p in patterns)
    )


def parse_collection(records: Sequence[tuple[int, Record]]) -> TemplateCollection:
    """The lines of one ``s/ut/<xid>`` publish (line number, decoded record) as a collection."""
    requests: list[RequestTemplate] = []
    responses: list[ResponseTemplate] = []
    for number, record in records:
        kind, fields = (record[0] if record else ""), record[1:]
        if kind == REQUEST:
            requests.append(parse_request_line(fields, str(number)))
        elif kind == RESPONSE:
            responses.append(parse_response_line(fields, str(number)))
        else:
            raise TemplateDefinitionError(str(number), "Not a valid message identifier for template creation")
    return _checked(TemplateCollection(tuple(requests), tuple(responses)))


def _checked(collection: TemplateCollection) -> TemplateCollection:
    ids = [t.msg_id for t in collection.requests] + [t.msg_id for t in collection.responses]
    duplicates = sorted({msg_id for msg_id in ids if ids.count(msg_id) > 1})
    if duplicates:
        raise TemplateDefinitionError(duplicates[0], "Duplicate message identifiers are not allowed")
    if not ids:
        raise TemplateDefinitionError("1", "Bad request template definition: the collection is empty")
    return collection


# ------------------------------------------------------------------------- the stored representation


def _stored_values(values: Sequence[TemplateValue]) -> list[dict[str, str]]:
    return [{"path": value.path, "type": value.type.value, "value": value.value} for value in values]


def to_fragment(collection: TemplateCollection) -> dict[str, Any]:
    """The ``com_cumulocity_model_smartrest_csv_CsvSmartRestTemplate`` fragment of a collection."""
    requests = [
        {
            "msgId": t.msg_id, "name": t.msg_id, "method": t.method, "api": t.api, "response": t.response,
            "byId": t.by_id, "externalIdType": t.external_id_type,
            "mandatoryValues": _stored_values(t.values[: t.mandatory]),
            "customValues": _stored_values(t.values[t.mandatory :]),
        }
        for t in collection.requests
    ]  # fmt: skip
    responses = [
        {
            "msgId": t.msg_id,
            "name": t.msg_id,
            "base": t.base,
            "condition": t.condition,
            "pattern": list(t.patterns),
        }
        for t in collection.responses
    ]
    return {"requestTemplates": requests, "responseTemplates": responses}


def _text(item: Mapping[str, Any], key: str, reference: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        raise TemplateDefinitionError(reference, f"Bad request template definition: '{key}' is not text")
    return str(value)


def _values(item: Mapping[str, Any], key: str, reference: str) -> list[TemplateValue]:
    raw = item.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(value, Mapping) for value in raw):
        raise TemplateDefinitionError(
            reference, f"Bad request template definition: '{key}' is not a list of values"
        )
    return [
        _value(
            _text(value, "path", reference),
            _text(value, "type", reference),
            _text(value, "value", reference),
            reference,
        )
        for value in raw
    ]


def from_fragment(fragment: Any) -> TemplateCollection:
    """A collection stored as Cumulocity does (see the module docstring); checked like MQTT's."""
    if not isinstance(fragment, Mapping):
        raise TemplateDefinitionError(TEMPLATE_FRAGMENT, "Bad request template definition: not an object")
    requests, responses = fragment.get("requestTemplates") or [], fragment.get("responseTemplates") or []
    if not isinstance(requests, list) or not isinstance(responses, list):
        raise TemplateDefinitionError(
            TEMPLATE_FRAGMENT, "Bad request template definition: templates are not lists"
        )
    parsed: list[RequestTemplate] = []
    for item in requests:
        if not isinstance(item, Mapping):
            raise TemplateDefinitionError(TEMPLATE_FRAGMENT, "Bad request template definition: not an object")
        reference = _text(item, "msgId", TEMPLATE_FRAGMENT) or TEMPLATE_FRAGMENT
        method, api = _text(item, "method", reference).upper(), _text(item, "api", reference).upper()
        _kind(method, api, reference)
        mandatory = _values(item, "mandatoryValues", reference)
        response = _text(item, "response", reference)
        template = RequestTemplate(
            msg_id=_text(item, "msgId", reference), method=method, api=api,
            response=_flag(response, reference, "response") if response else method == "GET",
            values=(*mandatory, *_values(item, "customValues", reference)),
            by_id=_flag(_text(item, "byId", reference) or "false", reference, "byId"),
            external_id_type=_text(item, "externalIdType", reference), mandatory=len(mandatory),
        )  # fmt: skip
        if not template.msg_id:
            raise TemplateDefinitionError(reference, "Bad request template definition: no msgId")
        parsed.append(template)
    answers: list[ResponseTemplate] = []
    for item in responses:
        if not isinstance(item, Mapping) or not isinstance(item.get("pattern") or [], list):
            raise TemplateDefinitionError(TEMPLATE_FRAGMENT, "Bad response template definition")
        reference = _text(item, "msgId", TEMPLATE_FRAGMENT) or TEMPLATE_FRAGMENT
        fields = [_text(item, key, reference) for key in ("msgId", "base", "condition")]
        patterns = [str(pattern) for pattern in item.get("pattern") or []]
        answers.append(parse_response_line([*fields, *patterns], reference))
    return _checked(TemplateCollection(tuple(parsed), tuple(answers)))


# ----------------------------------------------------------------------------------------- requests


def value_fits(kind: ValueType, text: str) -> bool:
    """Whether a non-empty ``text`` is a value of ``kind``."""
    if kind in _CHOICES:
        return text.upper() in _CHOICES[kind]
    if kind is ValueType.UNSIGNED:
        return text.isascii() and text.isdigit()
    if kind in _KINDS:
        return value_matches(_KINDS[kind], text)
    return True


def _json_value(kind: ValueType, text: str) -> Any:
    if kind is ValueType.FLAG:
        return {}
    if kind in (ValueType.INTEGER, ValueType.UNSIGNED):
        return int(text)
    if kind is ValueType.NUMBER:
        number = float(text)
        return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else number
    if kind in _CHOICES:
        return text.upper()
    return text


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = body
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child
    node[leaf] = value


def apply_request(template: RequestTemplate, fields: Sequence[str]) -> Request:
    """A message's fields (after its msgId) applied to ``template``.

    INVENTORY GET/PUT messages start with the object's id (``byId``) or external id (preceded by its
    type when the template fixes none); INVENTORY POST messages with the external id to create (and
    its type when the template fixes none). Then one field per placeholder, in template order;
    trailing empty fields may be left out. An empty DATE is the server's time (left out of the body);
    other empty placeholders are left out of the body.
    """
    reference = template.msg_id
    given = list(trim_trailing_empty(fields))
    id_type, object_ref = "", ""
    if template.api == "INVENTORY":
        lead = 1 if template.by_id or template.external_id_type else 2
        head = [*given[:lead], "", ""][:lead]
        given = given[lead:]
        object_ref = head[-1]
        id_type = "" if template.by_id else (template.external_id_type or head[0])
        if template.addressed and not object_ref:
            raise SmartRestValidationError(45, reference, "Missing mandatory argument 'id'")
    placeholders = [value for value in template.values if value.placeholder]
    if len(given) > len(placeholders):
        raise SmartRestValidationError(45, reference, "Wrong number of arguments")
    supplied = iter(given + [""] * (len(placeholders) - len(given)))
    body: dict[str, Any] = {}
    for position, value in enumerate(template.values):
        text = next(supplied) if value.placeholder else value.value
        if text == "" and value.type is not ValueType.FLAG:
            if position < template.mandatory and value.type is not ValueType.DATE:
                raise SmartRestValidationError(45, reference, f"Missing mandatory argument '{value.path}'")
            continue
        if value.type is not ValueType.FLAG and not value_fits(value.type, text):
            raise SmartRestValidationError(45, reference, f"Value is not a {value.type.value}: {text}")
        _put(body, value.path, _json_value(value.type, text))
    return Request(template, body, id_type, object_ref)


# ---------------------------------------------------------------------------------------- responses


def _resolve(document: Any, path: str) -> list[Any]:
    """The values at a dotted path; ``name[*]`` spreads a list. Missing -> ``[]``."""
    found = [document]
    for step in path.split(".") if path else []:
        spread = step.endswith("[*]")
        name = step.removesuffix("[*]")
        following: list[Any] = []
        for node in found:
            if isinstance(node, Mapping) and name in node:
                value = node[name]
                if spread:
                    following.extend(value if isinstance(value, list) else [])
                else:
                    following.append(value)
        found = following
    return found


def _field(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    import json

    return json.dumps(value, separators=(",", ":"))


def response_records(
    collection: TemplateCollection, document: Mapping[str, Any], *, target: str | None = None
) -> list[Record]:
    """The response lines of every template whose condition holds in ``document``; ``target`` (the
    device's external id) leads the values for operations. An unresolved pattern is one empty field."""
    records: list[Record] = []
    for template in collection.responses:
        if template.condition and not _resolve(document, template.condition):
            continue
        fields: list[str] = [template.msg_id, *([target] if target is not None else [])]
        for pattern in template.patterns:
            path = f"{template.base}.{pattern}" if template.base else pattern
            values = _resolve(document, path)
            fields.extend([_field(value) for value in values] or [""])
        records.append(tuple(fields))
    return records
