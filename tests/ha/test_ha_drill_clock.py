"""The drills' clock (issue 21): how soon writes resume after a fault is timed from attempts sent after it.

The full shuffled run of 2026-12-07 (r2) failed the partition drill with "first write 1.5 ms after the cut": an
insert sent just before the cut, committed with its synchronous standby and acknowledged just after, was timed
as the first write of the new leader. These tests need no cluster (no ``ha`` marker): the recorder alone."""

from __future__ import annotations

import time

from promptsales.drills.clients import Client, Recorder


def test_an_attempt_in_flight_at_the_fault_is_not_the_first_write_after_it() -> None:
    recorder = Recorder("writer")
    recorder.attempt_started = time.monotonic()
    fault_at = time.monotonic()
    recorder.ok(1)  # sent before the fault, acknowledged after it
    assert recorder.first_ok_after(fault_at) is None
    recorder.attempt_started = time.monotonic()
    recorder.ok(2)
    first = recorder.first_ok_after(fault_at)
    assert first is not None and first >= 0
    assert recorder.keys() == [1, 2]  # both acknowledged writes are still checked for loss


def test_the_client_loop_stamps_each_attempt_when_it_is_sent() -> None:
    class Stamping(Client):
        def __init__(self) -> None:
            super().__init__("stamping", 0.01)
            self.stamps: list[float] = []

        def attempt(self, sequence: int) -> None:
            self.stamps.append(self.recorder.attempt_started)
            time.sleep(0.02)
            self.recorder.ok(sequence)

    client = Stamping()
    client.start()
    time.sleep(0.15)
    client.stop()
    assert len(client.stamps) >= 2
    assert client.recorder.sent == client.stamps[: len(client.recorder.sent)]
    assert all(sent < acked for sent, (acked, _) in zip(client.recorder.sent, client.recorder.acked))
