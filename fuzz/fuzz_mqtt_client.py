"""The MQTT decoder of c8ylink's client (``core.mqtt.client_decoder``, used by ``infra.net.mqtt_session``):
any byte stream, fed in arbitrary slices, yields packets or ``MqttProtocolError``."""

from __future__ import annotations

import harness

with harness.instrumented():
    from c8ylink.core.errors import MqttProtocolError
    from c8ylink.core.mqtt.client_decoder import PacketDecoder

SEEDS = [
    b"\x20\x02\x00\x00",  # CONNACK
    b"\x30\x0c\x00\x03a/bpayload",  # PUBLISH QoS 0
    b"\x32\x0a\x00\x03a/b\x00\x01hi",  # PUBLISH QoS 1
    b"\x40\x02\x00\x01\x50\x02\x00\x02\x62\x02\x00\x03\x70\x02\x00\x04",  # PUBACK, PUBREC, PUBREL, PUBCOMP
    b"\x90\x03\x00\x05\x01\xb0\x02\x00\x06\xd0\x00",  # SUBACK, UNSUBACK, PINGRESP
    b"\x30\xff\xff\xff\x7f",  # a length at the limit
]


def one_input(data: bytes) -> None:
    cut = data[0] if data else 0
    stream = data[1:]
    decoder = PacketDecoder(max_size=4096)
    with harness.expected(MqttProtocolError):
        step = max(1, cut)
        for start in range(0, len(stream), step):
            decoder.feed(stream[start : start + step])


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
