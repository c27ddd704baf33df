"""The garbage collector's pause: restored once, by the last of overlapping audits, as the first found it."""

import gc
import threading

from checker.bulk import bulk


def test_restored_after_an_error():
    assert gc.isenabled()
    try:
        with bulk():
            assert not gc.isenabled()
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_restore_it_when_the_last_ends():
    """A ends while B is still inside: the collector stays paused for B, and is back on after B (before, an
    interleaving could leave it off for good: B saw it off, A turned it on, B turned it off and kept it off)."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with bulk():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b():
        a_in.wait(5)
        with bulk():
            b_in.set()
            a_out.wait(5)
            seen["during"] = gc.isenabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["during"] is False
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    try:
        with bulk():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
