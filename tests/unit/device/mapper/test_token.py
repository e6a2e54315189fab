"""The device JWT the proxy gets over MQTT: one request at a time, reused until half its life, asked
for again when refused, and a clear error when the cloud never answers."""

from __future__ import annotations

import asyncio

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.core.errors import AuthError
from c8ylink.core.jwt import encode_jwt
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.token import JwtTokenSource


def make_token(clock: FixedClock, lifetime: int = 3600) -> str:
    issued = int(clock.now().timestamp())
    return encode_jwt({"iat": issued, "exp": issued + lifetime, "sub": "device_dev1"}, b"k")


class Cloud:
    """Answers each s/uat request (published through the source's publish function) with a token."""

    def __init__(self, clock: FixedClock, *, answer: bool = True) -> None:
        self.clock = clock
        self.answer = answer
        self.requests: list[Message] = []
        self.source = JwtTokenSource(self.publish, "c8y", clock, wait_seconds=0.05, attempts=3)

    def publish(self, message: Message) -> None:
        self.requests.append(message)
        if self.answer:
            token = make_token(self.clock)
            asyncio.get_running_loop().call_soon(self.source.on_dat, f"71,{token}".encode())


async def test_the_token_is_requested_once_and_reused() -> None:
    clock = FixedClock()
    cloud = Cloud(clock)
    first, second = await asyncio.gather(cloud.source.token(), cloud.source.token())
    assert first == second
    assert [(m.topic, m.payload) for m in cloud.requests] == [("c8y/s/uat", b"")]
    clock.advance(1700)
    assert await cloud.source.token() == first
    clock.advance(200)  # past half of the hour
    await cloud.source.token()
    assert len(cloud.requests) == 2


async def test_a_refused_token_is_fetched_again() -> None:
    cloud = Cloud(FixedClock())
    token = await cloud.source.token()
    cloud.source.invalidate(token)
    await cloud.source.token()
    assert len(cloud.requests) == 2


async def test_no_answer_after_three_attempts_is_an_auth_error() -> None:
    cloud = Cloud(FixedClock(), answer=False)
    with pytest.raises(AuthError, match=r"No JWT received from Cumulocity on c8y/s/dat after 3 attempts"):
        await cloud.source.token()
    assert len(cloud.requests) == 3


def test_other_records_on_s_dat_are_ignored() -> None:
    cloud = Cloud(FixedClock())
    cloud.source.on_dat(b'70,x\n71,\nnot,csv,"')
    assert cloud.source._token is None
