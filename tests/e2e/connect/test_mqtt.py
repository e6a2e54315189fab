"""`tedge mqtt pub|sub` as processes against a real mosquitto (the device's local broker)."""

from __future__ import annotations

import signal
import subprocess

from .conftest import Device, start_running


def sub(device: Device, *args: str) -> subprocess.Popen[str]:
    return device.start_sub(*args)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


def test_pub_and_sub_with_count_qos_and_topics(shared_running: Device) -> None:
    watcher = sub(shared_running, "demo/#", "-C", "3", "-q", "1")
    for topic, message, extra in (
        ("demo/a", "one", ()),
        ("demo/b", "two", ("-q", "1")),
        ("demo/c", "3", ("-q", "2")),
    ):
        result = shared_running.run("mqtt", "pub", topic, message, *extra)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert finish(watcher) == (0, "[demo/a] one\n[demo/b] two\n[demo/c] 3\n", "")


def test_retained_messages_no_topic_and_base64(shared_running: Device) -> None:
    assert shared_running.run("mqtt", "pub", "keep/it", "kept", "-r", "-q", "1").returncode == 0
    assert (
        shared_running.run("mqtt", "pub", "keep/raw", "AAE=", "--retain", "--base64", "-q", "1").returncode
        == 0
    )
    code, stdout, _ = finish(sub(shared_running, "keep/#", "--retained-only", "--no-topic", "-W", "2s"))
    assert (code, sorted(stdout.splitlines())) == (0, ["\0\x01", "kept"])
    code, stdout, _ = finish(sub(shared_running, "keep/raw", "--base64", "-C", "1"))
    assert (code, stdout) == (0, "[keep/raw] AAE=\n")


def test_duration_ends_a_quiet_subscription(shared_running: Device) -> None:
    assert finish(sub(shared_running, "nothing/here", "-W", "1s")) == (0, "", "")


def test_repeat(shared_running: Device) -> None:
    watcher = sub(shared_running, "again", "-C", "3")
    assert shared_running.run("mqtt", "pub", "again", "x", "--repeat", "3", "--sleep", "0s").returncode == 0
    assert finish(watcher)[1] == "[again] x\n" * 3


def test_bad_input(shared_running: Device) -> None:
    bad_qos = shared_running.run("mqtt", "pub", "a", "x", "-q", "3")
    assert bad_qos.returncode == 2
    assert "invalid value '3' for '--qos <QOS>': The input QoS should be 0, 1, or 2" in bad_qos.stderr
    wildcard = shared_running.run("mqtt", "pub", "a/#", "x")
    assert (wildcard.returncode, wildcard.stderr) == (
        1,
        'Error: failed to publish the message "x" on the topic "a/#" with QoS "AtMostOnce".\n\nCaused by:\n'
        "    Invalid topic name: 'a/#' (publish to a topic without + or #)\n",
    )
    bad_filter = shared_running.run("mqtt", "sub", "a/#/b")
    assert bad_filter.returncode == 1 and "Invalid topic filter: 'a/#/b'" in bad_filter.stderr


def test_no_broker_after_the_connection_timeout(device: Device) -> None:
    result = device.run("mqtt", "pub", "a", "x", "--connection-timeout", "500ms")
    assert result.returncode == 1
    assert result.stderr == (
        'Error: failed to publish the message "x" on the topic "a" with QoS "AtMostOnce".\n\nCaused by:\n'
        f"    Failed to connect to the MQTT broker at 127.0.0.1:{device.port}: Connection refused\n"
    )


def test_sub_ends_when_the_broker_goes_away(device: Device) -> None:
    start_running(device)
    watcher = sub(device, "bye")
    device.ctl("stop", "mosquitto")
    code, stdout, stderr = finish(watcher)
    assert (code, stdout, stderr) == (0, "", "INFO: Disconnected\n")


def test_ctrl_c_ends_a_subscription_cleanly(shared_running: Device) -> None:
    watcher = sub(shared_running, "ctrl/c")
    assert shared_running.run("mqtt", "pub", "ctrl/c", "before").returncode == 0
    assert watcher.stdout is not None and watcher.stdout.readline() == "[ctrl/c] before\n"
    watcher.send_signal(signal.SIGINT)
    assert finish(watcher) == (130, "", "\nAborted!\n")
