"""The tenant's MQTT decoders (``core.mqtt.server_decoder``, used by ``tenant.mqtt.connection``): any byte
stream frames into packets whose bodies decode to CONNECT/PUBLISH/SUBSCRIBE/UNSUBSCRIBE/packet ids or
``MqttProtocolError``."""

from __future__ import annotations

import harness

with harness.instrumented():
    from c8ylink.core.errors import MqttProtocolError
    from c8ylink.core.mqtt.server_decoder import (
        PacketReader,
        decode_connect,
        decode_packet_id,
        decode_publish,
        decode_subscribe,
        decode_unsubscribe,
    )

SEEDS = [
    b"\x10\x1a\x00\x04MQTT\x04\xc2\x00\x3c\x00\x03dev\x00\x04user\x00\x04pass",  # CONNECT
    b"\x10\x0c\x00\x06MQIsdp\x03\x02\x00\x3c",  # MQTT 3.1
    b"\x30\x0c\x00\x04s/us100,dev",  # PUBLISH
    b"\x82\x08\x00\x01\x00\x03s/#\x01",  # SUBSCRIBE
    b"\xa2\x07\x00\x02\x00\x03s/e",  # UNSUBSCRIBE
    b"\x40\x02\x00\x01\x62\x02\x00\x02\xc0\x00\xe0\x00",  # PUBACK, PUBREL, PINGREQ, DISCONNECT
]

DECODERS = {
    1: lambda flags, body: decode_connect(body),
    3: decode_publish,
    4: lambda flags, body: decode_packet_id(body),
    6: lambda flags, body: decode_packet_id(body),
    8: decode_subscribe,
    10: decode_unsubscribe,
}


def one_input(data: bytes) -> None:
    reader = PacketReader(max_size=4096)
    with harness.expected(MqttProtocolError):
        for kind, flags, body in reader.feed(data):
            decode = DECODERS.get(kind)
            if decode is not None:
                with harness.expected(MqttProtocolError):
                    decode(flags, body)


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
