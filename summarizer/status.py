"""A status line on standard error while one article is worked on (never on stdout).

On a terminal: one line rewritten in place, "x.txt: part 2/5, 14 s", ticking every second, wiped at
the end. Otherwise (a pipe, a log, a test): no ticking; a plain line only when a request has been
waiting PLAIN_EVERY seconds, so quick runs print nothing and a hung server is not silent.

    status = StatusLine("x.txt")
    session.pipeline.progress = status.update
    async with status: await session.arun(...)
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

PLAIN_EVERY = 15.0  # seconds between plain "still waiting" lines when stderr is not a terminal
TICK = 1.0


class StatusLine:
    def __init__(self, name: str, stream: TextIO | None = None) -> None:
        self.name = name
        self.stream = stream or sys.stderr
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.step = "starting"
        self._since = self.started  # when the current step began
        self._told = self.started
        self._task: asyncio.Task | None = None

    def update(self, what: str, number: int, count: int) -> None:
        """The pipeline's progress hook: a request for `what` ("part", "summary") k of n is leaving."""
        self.step = f"{what} {number}/{count}" if count > 1 or what == "part" else what
        self._since = self._told = time.monotonic()
        self._draw()

    def text(self) -> str:
        return f"{self.name}: {self.step}, {time.monotonic() - self.started:.0f} s"

    def _draw(self) -> None:
        if self.terminal:
            self.stream.write("\r\x1b[2K" + self.text())
            self.stream.flush()

    def tick(self) -> None:
        """Once a second: redraw on a terminal; elsewhere a plain line after PLAIN_EVERY of waiting."""
        now = time.monotonic()
        if self.terminal:
            self._draw()
        elif now - self._told >= PLAIN_EVERY:
            self._told = now
            print(f"still working: {self.text()}", file=self.stream, flush=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            self.tick()

    async def __aenter__(self) -> "StatusLine":
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.terminal:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
