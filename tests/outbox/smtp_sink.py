"""A local SMTP sink (aiosmtpd) on a free port, in this process: records each message's
Message-ID, so a test can count how often every message arrived."""

from __future__ import annotations

import asyncio
import collections
import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        if self.sink.refuse:
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        with self.sink.lock:
            self.sink.received[message["Message-ID"]] += 1
            self.sink.messages.append(message)
        return "250 OK"


class SmtpSink:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.refuse = False
        self.lock = threading.Lock()
        self.received: collections.Counter[str] = collections.Counter()
        self.messages: list = []
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def count(self) -> int:
        with self.lock:
            return sum(self.received.values())
