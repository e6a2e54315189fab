"""``c8y deviceregistration register-ca`` (go-c8y-cli.md §6.6): register a device that enrols with the
tenant's certificate authority, with a one-time password.

Per device: the one-time password (given, or generated: 32 characters, at least 2 digits and 2 symbols,
both cases, no character twice, nothing that needs quoting in a dotenv file) -> a 2-line tab-separated
bulk registration CSV with ``AUTH_TYPE=CERTIFICATES`` and ``ENROLLMENT_OTP`` -> ``POST
/devicecontrol/bulkNewDeviceRequests`` (multipart ``file``) -> the managed object's id from the external
id -> ``{id, externalId, name, username, password (only when generated), type}``, which is what the
device needs for ``tedge cert download c8y --device-id <externalId>``.

The password generator and the CSV are pure (randomness is a parameter); ``run_register_ca`` is the
command's handler, called by ``operator.api.execute`` for each job.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from c8ylink.core.errors import C8yLinkError, UsageError
from c8ylink.operator.api.plan import RequestPlan, encode_component

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

USER_ERROR = 101
OTP_LENGTH, OTP_MIN, OTP_MAX = 32, 8, 32
SYMBOLS = "!@%^()[]*+-_;,."  # no '#' (dotenv comments) and no '"'
LOWER, UPPER, DIGITS = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
FORBIDDEN = ('"', "#", "\t", "\n", "\r")
BULK_PATH = "/devicecontrol/bulkNewDeviceRequests"
MASK = "********"


class Sampler(Protocol):
    def sample(self, population: Sequence[str], k: int) -> list[str]: ...

    def shuffle(self, x: list[str]) -> None: ...


def generate_otp(rng: Sampler | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    chosen = rng.sample(DIGITS, 2) + rng.sample(SYMBOLS, 2) + rng.sample(LOWER, 1) + rng.sample(UPPER, 1)
    rest = [char for char in LOWER + UPPER + DIGITS + SYMBOLS if char not in chosen]
    chosen += rng.sample(rest, OTP_LENGTH - len(chosen))
    rng.shuffle(chosen)
    return "".join(chosen)


def check_otp(otp: str) -> str:
    if not OTP_MIN <= len(otp) <= OTP_MAX:
        raise UsageError(
            f"the one-time password must have {OTP_MIN} to {OTP_MAX} characters (it has {len(otp)})",
            exit_code=USER_ERROR,
        )
    bad = [char for char in FORBIDDEN if char in otp]
    if bad:
        shown = ", ".join(repr(char) for char in bad)
        raise UsageError(f"the one-time password must not contain {shown}", exit_code=USER_ERROR)
    return otp


def _flat_strings(document: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in document.items():
        if isinstance(value, Mapping):
            flat.update(_flat_strings(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value if isinstance(value, str) else json.dumps(value)
    return flat


def build_csv(values: Mapping[str, Any], external_id: str, otp: str, *, basic: bool = False) -> str:
    """The header line and the value line (tab separated, only the columns that have a value);
    ``basic``: a device that logs in with a password (``CREDENTIALS``) instead of a certificate."""
    columns: list[tuple[str, str]] = [
        ("ID", external_id),
        ("AUTH_TYPE", "BASIC" if basic else "CERTIFICATES"),
        ("CREDENTIALS" if basic else "ENROLLMENT_OTP", otp),
        ("NAME", str(values.get("name") or external_id)),
        ("TYPE", str(values.get("type") or "")),
        ("IDTYPE", str(values.get("external-type") or "")),
        ("ICCID", str(values.get("iccid") or "")),
        ("TENANT", str(values.get("tenant") or "")),
        ("PATH", str(values.get("group") or "")),
    ]
    columns += list(_flat_strings(values.get("data") or {}).items())
    columns.append(("com_cumulocity_model_Agent.active", "true"))
    kept = [(name, value) for name, value in columns if value]
    for name, value in kept:
        if any(char in value for char in "\t\n\r"):
            raise UsageError(f"{name} must not contain tabs or line breaks: {value!r}", exit_code=USER_ERROR)
    return "\t".join(name for name, _ in kept) + "\n" + "\t".join(value for _, value in kept) + "\n"


def bulk_plan(csv_text: str, label: str) -> RequestPlan:
    return RequestPlan(
        "POST",
        BULK_PATH,
        headers=(("Accept", "application/json"),),
        files=(("file", "devices.csv", csv_text.encode(), "text/csv"),),
        label=label,
    )


def failure_message(answer: Mapping[str, Any]) -> str | None:
    failed = answer.get("numberOfFailed") or 0
    if not failed:
        return None
    reasons = ", ".join(
        f"id={item.get('deviceId', '')}, reason={item.get('failureReason', '')}"
        for item in answer.get("failedCreationList") or []
    )
    return f"bulk registration has some failures. failed={failed}, reasons=[{reasons}]"


def run_register_ca(executor: Executor, values: dict[str, Any]) -> None:
    _register(executor, values, "one-time-password", basic=False)


def run_register_basic(executor: Executor, values: dict[str, Any]) -> None:
    """``register-basic``: the same bulk registration, for a device with a password (generated when
    none is given; printed either way, as upstream)."""
    _register(executor, values, "password", basic=True)


def _register(executor: Executor, values: dict[str, Any], secret_flag: str, *, basic: bool) -> None:
    ids = values.get("id") or []
    external_id = str(ids[0] if isinstance(ids, list) else ids)
    given = values.get(secret_flag)
    otp = check_otp(str(given)) if given else generate_otp()
    csv_text = build_csv(values, external_id, otp, basic=basic)
    plan = bulk_plan(csv_text, f"id={external_id}")
    dry = bulk_plan(csv_text.replace(otp, MASK), plan.label)
    executor.confirm(plan)
    if executor.run.dry:
        executor.print_dry(dry)
        return
    answer = executor.send(plan).json_or_none() or {}
    problem = failure_message(answer)
    if problem:
        raise UsageError(problem, exit_code=USER_ERROR)
    id_type = str(values.get("external-type") or "c8y_Serial")
    lookup = RequestPlan(
        "GET",
        "/identity/externalIds/"
        f"{encode_component(id_type, safe='')}/{encode_component(external_id, safe='')}",
        headers=(("Accept", "application/json"),),
    )
    identity = executor.get_json(lookup) or {}
    object_id = str((identity.get("managedObject") or {}).get("id", ""))
    if not object_id:
        raise C8yLinkError(f"the device {external_id} was registered but has no managed object yet")
    result: dict[str, Any] = {
        "id": object_id,
        "externalId": external_id,
        "name": str(values.get("name") or external_id),
        "username": f"device_{external_id}",
    }
    if basic or not given:
        result["password"] = otp
    result["type"] = str(values.get("type") or "")
    executor.printer.items([result])
    if not basic:
        executor.err.write(f'→ on the device: tedge cert download c8y --device-id "{external_id}"\n')
