"""`buscheck` and `python -m checker`: SIGINT and SIGTERM are handled alike from the first moment, before the CLI
and its libraries are imported. The first signal raises `Interrupted` where the program is, so that open work is
cleaned up (staging folders removed, batch workers ended) and the exit status is 130 or 143, with one line and no
traceback. A second signal during that cleanup ends the process at once (a later run removes what it left)."""

from __future__ import annotations

import os
import signal
import sys

from checker.errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _exit_now(signum: int, frame: object) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(128 + signum)


def _interrupt(signum: int, frame: object) -> None:
    for each in SIGNALS:
        signal.signal(each, _exit_now)
    raise Interrupted(signum)


def main() -> None:
    for each in SIGNALS:
        if signal.getsignal(each) is not signal.SIG_IGN:  # ignored (a background job, nohup): stays ignored
            signal.signal(each, _interrupt)
    try:
        from checker.cli import main as cli

        cli()
    except Interrupted as stop:
        sys.stderr.write("\n已中断 / Interrupted\n")
        sys.stderr.flush()
        sys.exit(stop.exit_code)
    finally:  # a signal while the interpreter shuts down ends it quietly (no "Exception ignored in ...")
        for each in SIGNALS:
            if signal.getsignal(each) is not signal.SIG_IGN:
                signal.signal(each, _exit_now)


if __name__ == "__main__":
    main()
