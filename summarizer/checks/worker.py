"""The checks worker process (`python -m summarizer.checks.worker`), started by `pool.CheckPool`.

Reads (id, check_article arguments) frames on stdin until it closes, answers (id, ok, findings and
seconds, or the error's text) on stdout. Anything else printed goes to stderr, so a stray print
never breaks a frame.
"""

from __future__ import annotations

import sys

from summarizer.checks.pool import check_article, load_resources, read_frame, write_frame


def main() -> int:
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    load_resources()
    write_frame(outbox, "ready")
    while (message := read_frame(inbox)) is not None:
        ident, arguments = message
        try:
            answer = (ident, True, check_article(*arguments))
        except Exception as err:  # noqa: BLE001 - one article's failure is reported, the worker goes on
            answer = (ident, False, f"{type(err).__name__}: {err}")
        write_frame(outbox, answer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
