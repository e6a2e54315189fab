"""SmartREST 2.0 static templates on ``s/us[/<child>]`` (and ``t/``, ``q/``, ``c/``): PURE.

``handle_static(state, identity, child, payload)`` applies every line of one publish in order and
returns what goes back to the publishing session: replies on ``s/ds`` (106, 124, 601, 603, the
operations re-sent by 500) and one error line per failing line on ``s/e`` in the upstream form
``<code>,<reference>,<message>`` (cumulocity-api.md §2.5): 42 malformed line (reference = line
number), 43 unknown template, 45 wrong arity or value, 41 a line that cannot be applied (e.g.
``41,100,Device already existing``, ``41,501,No PENDING operation with fragment c8y_Restart``).
A failing line never stops the lines after it.
"""

from __future__ import annotations

from c8ylink.core.c8y_topics import SMARTREST_ERRORS
from c8ylink.core.smartrest.codec import SmartRestDecodeError, decode_record, encode_record, split_records
from c8ylink.core.smartrest.messages import error_record, parse_record
from c8ylink.core.smartrest.templates import Direction
from c8ylink.core.smartrest.validation import SmartRestValidationError
from c8ylink.tenant.mqtt import data_templates, inventory_templates, operation_templates
from c8ylink.tenant.mqtt.auth import DeviceIdentity
from c8ylink.tenant.mqtt.devices import DeviceMessageError
from c8ylink.tenant.mqtt.lines import Handler, Line, Outgoing
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.tenant import TenantState

HANDLERS: dict[int, Handler] = {
    **inventory_templates.HANDLERS,
    **data_templates.HANDLERS,
    **operation_templates.HANDLERS,
}


def _error(code: int | str, reference: str, message: str) -> Outgoing:
    record = error_record(int(code), reference, message)
    return (SMARTREST_ERRORS, encode_record(record).encode("utf-8"))


def handle_static(
    state: TenantState, identity: DeviceIdentity, child: str | None, payload: bytes
) -> list[Outgoing]:
    replies: list[Outgoing] = []
    try:
        lines = split_records(payload)
    except SmartRestDecodeError as exc:
        return [_error(*exc.to_record())]
    for number, text in lines:
        if not text.strip():
            replies.append(_error(42, str(number), "Empty line (one SmartREST message per line)"))
            continue
        try:
            parsed = parse_record(decode_record(text, line=number), Direction.UPSTREAM)
        except (SmartRestDecodeError, SmartRestValidationError) as exc:
            replies.append(_error(*exc.to_record()))
            continue
        handler = HANDLERS.get(parsed.spec.id)
        reference = str(parsed.spec.id)
        if handler is None:
            message = f"Template {reference} is not supported by the local tenant"
            replies.append(_error(41, reference, message))
            continue
        try:
            handler(Line(state, identity, child, parsed, replies))
        except DeviceMessageError as exc:
            replies.append(_error(exc.code, reference, exc.message))
        except TenantApiError as exc:
            replies.append(_error(41, reference, exc.message))
    return replies
