"""go-c8y-cli's global flags as processes against the local tenant (issue 18): ``--filter``,
``--outputFile``/``--outputFileRaw``, ``--verbose``/``--debug`` request logs, boolean flags with
``=true/false``, ``-d``/``--data`` from a file and repeated, ``--noLog``/``--logMessage``, and
``--proxy``/``--noProxy``/``HTTPS_PROXY`` through a real proxy (Debian tinyproxy on loopback)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from tests.support.tinyproxy import PROXY_PASSWORD, run_tinyproxy
from tests.support.tinyproxy import free_port as _free_port

from c8ylink.tenant.background import BackgroundTenant

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def lines(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def create_devices(rest: C8y, prefix: str, count: int) -> list[str]:
    names = "".join(f"{prefix}{n:02d}\n" for n in range(count))
    return [item["id"] for item in lines(rest("devices", "create", "--force", "--select", "id", stdin=names))]


# -- --filter ------------------------------------------------------------------------------------------
def test_filter_keeps_what_every_filter_allows(rest: C8y) -> None:
    prefix = unique("filt-")
    ids = create_devices(rest, prefix, 3)
    rest("inventory", "update", "--id", ids[1], "--data", "battery=80,c8y_Hardware.serialNumber=SN-1", "-f")
    listed = ["devices", "list", "--name", f"{prefix}*", "--pageSize", "100", "--select", "id"]
    assert [d["id"] for d in lines(rest(*listed, "--filter", f"name like {prefix}0*"))] == ids
    assert [d["id"] for d in lines(rest(*listed, "--filter", "battery gt 50"))] == [ids[1]]
    assert [d["id"] for d in lines(rest(*listed, "--filter", "has c8y_Hardware.serialNumber"))] == [ids[1]]
    both = rest(*listed, "--filter", f"name notlike {prefix}01", "--filter", "nothas battery")
    assert [d["id"] for d in lines(both)] == [ids[0], ids[2]]
    assert [d["id"] for d in lines(rest(*listed, "--filter", "name match 0[02]$"))] == [ids[0], ids[2]]
    assert lines(rest(*listed, "--filter", "creationTime datelt -1h")) == []


def test_an_unknown_filter_operator_is_a_user_error_before_anything_is_sent(rest: C8y) -> None:
    run = rest("devices", "list", "--filter", "name resembles sensor")
    assert run.code == 101 and run.stdout == ""
    assert run.stderr.startswith("userError: invalid --filter 'name resembles sensor' (no operator)")


# -- output files --------------------------------------------------------------------------------------
def test_output_file_holds_the_output_and_stdout_nothing(rest: C8y, tmp_path: Path) -> None:
    prefix = unique("outf-")
    ids = create_devices(rest, prefix, 2)
    target = tmp_path / "devices.json"
    run = rest("devices", "list", "--name", f"{prefix}*", "--select", "id", "--outputFile", str(target))
    assert run.code == 0 and run.stdout == ""
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == ids
    csv = tmp_path / "devices.csv"
    assert rest("devices", "list", "--name", f"{prefix}*", "--select", "id", "-o", "csv",
                "--outputFile", str(csv)).code == 0  # fmt: skip
    assert csv.read_text().splitlines() == ids


def test_output_file_raw_holds_the_server_answer(rest: C8y, tmp_path: Path) -> None:
    prefix = unique("raw-")
    [device] = create_devices(rest, prefix, 1)
    target = tmp_path / "raw.json"
    run = rest("devices", "get", "--id", device, "--select", "id", "--outputFileRaw", str(target))
    assert run.code == 0 and json.loads(run.stdout) == {"id": device}  # the output as usual
    saved = json.loads(target.read_text())
    assert saved["id"] == device and saved["name"] == f"{prefix}00" and "self" in saved  # before --select


def test_output_file_in_a_missing_directory_writes_nothing_and_sends_nothing(
    rest: C8y, tmp_path: Path
) -> None:
    name = unique("never-")
    missing = tmp_path / "no-such-dir" / "out.json"
    for flag in ("--outputFile", "--outputFileRaw"):
        run = rest("devices", "create", "--name", name, "-f", flag, str(missing))
        assert run.code == 101, run.stderr
        assert f"invalid {flag}" in run.stderr and "does not exist" in run.stderr
    assert not missing.parent.exists()
    assert lines(rest("devices", "list", "--name", name)) == []


# -- request logs --------------------------------------------------------------------------------------
def test_verbose_and_debug_log_requests_with_the_credentials_masked(
    rest: C8y, rest_user: tuple[str, str], tenant: BackgroundTenant
) -> None:
    verbose = rest("devices", "list", "--pageSize", "1", "--verbose")
    assert verbose.code == 0
    assert f"Sending request: GET {tenant.info.https_url}/inventory/managedObjects?" in verbose.stderr
    assert "Request header: Authorization: Basic {base64 tenant/username:password}" in verbose.stderr
    assert "Status code: 200" in verbose.stderr and "Response time: " in verbose.stderr
    assert "Response body" not in verbose.stderr
    name = unique("dbg-")
    debug = rest("devices", "create", "--name", name, "-f", "--debug")
    assert debug.code == 0
    assert "Request body: {" in debug.stderr and f'"name": "{name}"' in debug.stderr
    assert "Status code: 201" in debug.stderr and "Response body: " in debug.stderr
    for run in (verbose, debug):
        assert rest_user[1] not in run.stderr  # never the password
        assert "Basic " + "dX" not in run.stderr  # nor its base64
    assert json.loads(debug.stdout)["name"] == name  # stdout is the data only


def test_no_log_and_log_message_are_accepted(rest: C8y) -> None:
    run = rest("devices", "list", "--noLog", "--logMessage", "nightly check", "--pageSize", "1")
    assert run.code == 0, run.stderr


# -- booleans, --data ----------------------------------------------------------------------------------
def test_boolean_flags_take_true_and_false(rest: C8y) -> None:
    name = unique("bool-")
    dry = rest("devices", "create", "--name", name, "--dry=true", "--dryFormat", "json")
    assert dry.code == 0 and json.loads(dry.stdout)["method"] == "POST"
    assert lines(rest("devices", "list", "--name", name)) == []  # nothing sent
    sent = rest("devices", "create", "--name", name, "--dry=false", "--force=true", "--select", "name")
    assert lines(sent) == [{"name": name}]
    assert rest("devices", "list", "--dry=maybe").code == 2  # not a boolean: a usage error


def test_data_short_from_a_file_and_repeated_is_merged(rest: C8y, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"c8y_Hardware": {"model": "RPi"}, "level": 1}, indent=2))
    name = unique("data-")
    data = ("-d", str(body), "-d", "c8y_Hardware.serial=S1", "--data", '{"level": 2}')
    created = lines(rest("inventory", "create", "--name", name, *data, "-f"))
    [device] = created
    assert device["c8y_Hardware"] == {"model": "RPi", "serial": "S1"} and device["level"] == 2
    bad = rest("inventory", "create", "--name", name, "-d", str(tmp_path / "missing.json"), "-f")
    assert bad.code == 101 and "--data" in bad.stderr  # not a file, not JSON, not key=value


# -- exit codes ------------------------------------------------------------------------------------------
def test_a_blank_host_is_no_session(c8y: C8y) -> None:
    run = c8y("devices", "list", env={"C8Y_HOST": "", "C8Y_SESSION": None})
    assert run.code == 102 and "no session loaded" in run.stderr


# -- proxies ---------------------------------------------------------------------------------------------
class Proxy(NamedTuple):
    url: str  # with credentials
    log: Path

    def connects(self) -> int:
        return self.log.read_text(errors="replace").count("CONNECT")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    with run_tinyproxy(tmp_path_factory.mktemp("tinyproxy"), log_level="Connect", max_clients=20) as running:
        yield Proxy(running.url, running.log)


def _wait_for_log(proxy: Proxy, more_than: int) -> int:
    deadline = time.monotonic() + 5
    while proxy.connects() <= more_than and time.monotonic() < deadline:
        time.sleep(0.05)  # tinyproxy writes its log line after the tunnel closes
    return proxy.connects()


def test_proxy_flag_sends_every_request_through_the_proxy(rest: C8y, proxy: Proxy) -> None:
    before = proxy.connects()
    run = rest("devices", "list", "--pageSize", "1", "--proxy", proxy.url)
    assert run.code == 0, run.stderr
    assert _wait_for_log(proxy, before) > before  # a CONNECT tunnel for the HTTPS request
    refused = rest("devices", "list", "--proxy", proxy.url.replace(PROXY_PASSWORD, "wrong"))
    assert refused.code != 0 and "proxy" in refused.stderr.lower() and "Traceback" not in refused.stderr


def test_no_proxy_wins_and_the_environment_leaves_loopback_alone(rest: C8y, proxy: Proxy) -> None:
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    # as Go's ProxyFromEnvironment: a loopback host is never sent to HTTPS_PROXY (the proxy of the
    # environment for other hosts is covered by tests/integration/infra/test_http_contract.py)
    assert rest("devices", "list", "--pageSize", "1", env={"HTTPS_PROXY": dead}).code == 0
    assert rest("devices", "list", "--pageSize", "1", "--proxy", dead, "--noProxy").code == 0
    assert rest("devices", "list", "--pageSize", "1", "--proxy", dead, "--noProxy=false").code != 0


def test_a_refusing_proxy_is_one_line(rest: C8y) -> None:
    dead = f"http://127.0.0.1:{_free_port()}"
    run = rest("devices", "list", "--proxy", dead)
    assert run.code != 0 and "Traceback" not in run.stderr
    assert run.stderr.count("\n") <= 2 and "127.0.0.1" in run.stderr


def test_login_goes_through_the_proxy(
    c8y: C8y, proxy: Proxy, tenant: BackgroundTenant, rest_user: tuple[str, str]
) -> None:
    env = {
        "C8Y_HOST": tenant.info.https_url,
        "C8Y_USERNAME": rest_user[0],
        "C8Y_PASSWORD": rest_user[1],
        "C8Y_TENANT": tenant.info.tenant,
    }
    before = proxy.connects()
    run = c8y("sessions", "login", "--from-env", "--shell", "bash", "--proxy", proxy.url, env=env)
    assert run.code == 0, run.stderr
    assert _wait_for_log(proxy, before) > before
    dead = f"http://127.0.0.1:{_free_port()}"
    failed = c8y("sessions", "login", "--from-env", "--shell", "bash", "--proxy", dead, env=env)
    assert failed.code != 0 and "Traceback" not in failed.stderr


# -- c8y api ---------------------------------------------------------------------------------------------
def test_api_fills_percent_s_with_piped_values_and_patch_is_a_method(rest: C8y) -> None:
    ids = create_devices(rest, unique("api-"), 2)
    piped = "".join(f"{device}\n" for device in ids)
    updated = rest("api", "PUT", "/inventory/managedObjects/%s", "--data", "api_Marker=1", "-f", stdin=piped)
    assert [item["id"] for item in lines(updated)] == ids
    for device in ids:
        assert lines(rest("api", f"/inventory/managedObjects/{device}", "--select", "api_Marker")) == [
            {"api_Marker": 1}
        ]
    braces = rest("api", "GET", "/inventory/managedObjects/{url}", "--select", "id", stdin=ids[0] + "\n")
    assert lines(braces) == [{"id": ids[0]}]
    patch = rest("api", "PATCH", "/inventory/managedObjects/1", "-d", "a=1", "--dry", "--dryFormat", "json")
    assert json.loads(patch.stdout)["method"] == "PATCH" and json.loads(patch.stdout)["body"] == {"a": 1}


def test_api_host_sends_to_another_host(
    c8y: C8y, sessions: Path, tenant: BackgroundTenant, rest_user: tuple[str, str]
) -> None:
    from .conftest import write_session

    path = write_session(sessions, "elsewhere", tenant, rest_user)
    document = json.loads(path.read_text())
    document["host"] = f"https://127.0.0.1:{_free_port()}"  # nothing listens there
    path.write_text(json.dumps(document))
    env = {"C8Y_SESSION": str(path)}
    assert c8y("api", "/inventory/managedObjects", env=env).code != 0
    run = c8y("api", "/tenant/currentTenant", "--host", tenant.info.https_url, "--select", "name", env=env)
    assert lines(run) == [{"name": tenant.info.tenant}]


def test_api_keep_properties_false_strips_what_the_server_sets(rest: C8y) -> None:
    [device] = create_devices(rest, unique("keep-"), 1)
    got = rest("devices", "get", "--id", device)
    args = ("api", "POST", "/inventory/managedObjects", "--dry", "--dryFormat", "json")
    dry = rest(*args, "--keepProperties=false", stdin=got.stdout)
    body = json.loads(dry.stdout)["body"]
    assert (
        "id" not in body
        and "self" not in body
        and "lastUpdated" not in body
        and body["name"].startswith("keep-")
    )
    kept = rest(*args, stdin=got.stdout)
    assert json.loads(kept.stdout)["body"]["id"] == device


def test_api_content_type_sends_text_as_is(rest: C8y) -> None:
    dry = rest("api", "POST", "/service/raw", "--contentType", "text/plain", "--data", "a=1 plain, text",
               "--dry", "--dryFormat", "json")  # fmt: skip
    document = json.loads(dry.stdout)
    assert document["body"] == "a=1 plain, text" and document["headers"]["Content-Type"] == "text/plain"


# -- templates -------------------------------------------------------------------------------------------
def test_template_builds_the_body_with_piped_input_and_variables(rest: C8y, tmp_path: Path) -> None:
    prefix = unique("tpl-")
    template = "{label: 'x-' + input.value, type: var('type', 'none'), index: input.index, at: _.Now()}"
    args = ("devices", "create", "--template", template, "--templateVars", "type=c8y_Linux", "-f")
    created = lines(rest(*args, stdin=f"{prefix}a\n{prefix}b\n"))
    assert [(d["name"], d["label"], d["type"], d["index"]) for d in created] == [
        (f"{prefix}a", f"x-{prefix}a", "c8y_Linux", 1), (f"{prefix}b", f"x-{prefix}b", "c8y_Linux", 2),
    ]  # fmt: skip
    assert all(d["at"].endswith("Z") for d in created)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "device.jsonnet").write_text("{\n  type: 'from-file',\n  c8y_Hardware: {model: 'RPi'},\n}\n")
    env = {"C8Y_SETTINGS_TEMPLATE_PATH": str(folder)}
    [device] = lines(
        rest("devices", "create", "--name", f"{prefix}file", "--template", "device", "-f", env=env)
    )
    assert device["type"] == "from-file" and device["c8y_Hardware"] == {"model": "RPi"}
    assert device["name"] == f"{prefix}file"  # the command's own values win


def test_template_errors(rest: C8y, tmp_path: Path) -> None:
    broken = rest("devices", "create", "--name", "x", "--template", "{\n  name: ,\n}", "-f")
    assert broken.code == 101 and "template:2:9" in broken.stderr and "Traceback" not in broken.stderr
    missing = rest("devices", "create", "--name", "x", "--template", str(tmp_path / "none.jsonnet"), "-f")
    assert missing.code == 101 and "does not exist" in missing.stderr


def test_template_execute(c8y: C8y) -> None:
    run = c8y("template", "execute", "--template", "{name: input.value + '-' + input.index}", stdin="a\nb\n")
    assert lines(run) == [{"name": "a-1"}, {"name": "b-2"}]


def test_output_template_shapes_each_result(rest: C8y) -> None:
    [device] = create_devices(rest, unique("otpl-"), 1)
    run = rest(
        "devices", "get", "--id", device, "--outputTemplate", "{device: output.id, label: 'n-' + output.name}"
    )
    [shaped] = lines(run)
    assert shaped["device"] == device and shaped["label"].startswith("n-otpl-")
    shape = "{device: output.id, note: input.value.note, n: input.index}"
    piped = rest(
        "devices",
        "get",
        "--outputTemplate",
        shape,
        stdin=json.dumps({"id": device, "note": "from the pipe"}) + "\n",
    )
    assert lines(piped) == [{"device": device, "note": "from the pipe", "n": 1}]
    text = rest("devices", "get", "--outputTemplate", "{line: input.value}", stdin=f"{device}\n")
    assert lines(text) == [{"line": device}]
    given = rest("devices", "get", "--id", device, "--outputTemplate", "{given: input.value}")
    assert lines(given) == [{"given": device}]  # a value of the pipeline flag is an input too
    listed = rest("devices", "list", "--pageSize", "1", "--outputTemplate", "{nothing: input.value}")
    assert lines(listed) == [{"nothing": None}]
