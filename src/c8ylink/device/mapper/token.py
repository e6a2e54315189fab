"""The device's Cumulocity JWT, obtained over MQTT for the local proxy (tedge.md §6.8, cumulocity-api §1.7).

``token()`` publishes an empty message on ``c8y/s/uat`` and waits for ``71,<jwt>`` on ``c8y/s/dat``
(the mapper service hands those messages to ``on_dat``): 20 s per attempt, 3 attempts. The token is
reused until half its lifetime (``iat``..``exp``) has passed, or until the proxy reports that the
cloud refused it (``invalidate``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from c8ylink.core.c8y_topics import TOKEN_DOWNSTREAM, TOKEN_REQUEST
from c8ylink.core.clock import Clock
from c8ylink.core.errors import AuthError, ProtocolError
from c8ylink.core.jwt import decode_jwt_claims
from c8ylink.core.smartrest.codec import decode_record, split_records
from c8ylink.device.mapper.message import Message

log = logging.getLogger("c8ylink.mapper.proxy")

WAIT_SECONDS = 20.0
ATTEMPTS = 3
JWT_TEMPLATE = "71"


class JwtTokenSource:
    def __init__(
        self,
        publish: Callable[[Message], None],
        topic_prefix: str,
        clock: Clock,
        *,
        wait_seconds: float = WAIT_SECONDS,
        attempts: int = ATTEMPTS,
    ) -> None:
        self._publish = publish
        self.request_topic = f"{topic_prefix}/{TOKEN_REQUEST}"
        self.response_topic = f"{topic_prefix}/{TOKEN_DOWNSTREAM}"
        self._clock = clock
        self._wait = wait_seconds
        self._attempts = attempts
        self._token: str | None = None
        self._refresh_at = 0.0
        self._waiters: list[asyncio.Future[str]] = []
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token is not None and self._clock.now().timestamp() < self._refresh_at:
            return self._token
        async with self._lock:  # one request in flight; the others wait for its answer
            if self._token is not None and self._clock.now().timestamp() < self._refresh_at:
                return self._token
            for attempt in range(1, self._attempts + 1):
                future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
                self._waiters.append(future)
                self._publish(Message(self.request_topic, b"", qos=1))
                try:
                    return await asyncio.wait_for(future, self._wait)
                except TimeoutError:
                    log.warning("No JWT from Cumulocity after %g s (attempt %d of %d)", self._wait, attempt,
                                self._attempts)  # fmt: skip
                finally:
                    if future in self._waiters:
                        self._waiters.remove(future)
        raise AuthError(
            f"No JWT received from Cumulocity on {self.response_topic} after {self._attempts} attempts: "
            "is the device connected (tedge connect c8y)?"
        )

    def on_dat(self, payload: bytes) -> None:
        """A message on ``c8y/s/dat``: remember the token and wake up whoever waits for one."""
        for _, text in split_records(payload):
            try:
                record = decode_record(text)
            except ProtocolError:
                continue
            if len(record) >= 2 and record[0] == JWT_TEMPLATE and record[1]:
                self._accept(record[1])

    def _accept(self, token: str) -> None:
        now = self._clock.now().timestamp()
        try:
            claims = decode_jwt_claims(token)
            issued, expires = float(claims.get("iat", now)), float(claims.get("exp", now + 600))
        except (ProtocolError, TypeError, ValueError):
            issued, expires = now, now + 600
        self._token = token
        self._refresh_at = issued + (expires - issued) / 2
        for future in self._waiters:
            if not future.done():
                future.set_result(token)
        self._waiters.clear()

    def invalidate(self, token: str) -> None:
        """The cloud refused ``token``: the next request fetches a new one."""
        if self._token == token:
            self._token = None
