"""A socket's outbox, without a socket: frames in order, held until the snapshot, newest-wins slots, and a client
that stops reading is closed with 1013 without anyone ever waiting for it."""

import asyncio

from realtime.outbox import Outbox
from realtime.protocol import CLOSE_TRY_AGAIN_LATER
from tests.waiting import let_ready_tasks_run, wait_until


class Client:
    """Stands in for the ASGI send of one connection; `reading` cleared is a client that stopped reading."""

    def __init__(self, *, direct: bool = False):
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self.written: list[bytes] = []
        self.reading = asyncio.Event()
        self.reading.set()
        self.direct = direct
        self.stalled = asyncio.Event()
        self.sending = asyncio.Event()  # the outbox's writer is inside send

    async def send(self, message: dict) -> None:
        self.sending.set()
        await self.reading.wait()
        if message["type"] == "websocket.close":
            self.closed_with = message["code"]
        else:
            self.sent.append(message["text"])

    def write(self, frame: bytes) -> bool:
        if not self.direct or not self.reading.is_set():
            return False
        self.written.append(frame)
        return True

    async def on_stalled(self) -> None:
        self.stalled.set()


def read_texts(wire: bytes) -> list[str]:
    """The texts of the unmasked, unfragmented text frames in these bytes, as a client reads them."""
    texts = []
    while wire:
        assert wire[0] == 0x81  # FIN and the text opcode
        length, start = wire[1], 2
        if length == 126:
            length, start = int.from_bytes(wire[2:4]), 4
        texts.append(wire[start : start + length].decode())
        wire = wire[start + length :]
    return texts


async def first_frame_in_flight(client: Client, outbox: Outbox) -> None:
    """Put "first" while the client takes no data (queued; the writer waits in send), then let the client read
    again: writable, with "first" still in flight."""
    client.reading.clear()
    outbox.put("first")
    await client.sending.wait()
    client.reading.set()


def outbox_for(client: Client, **options) -> Outbox:
    return Outbox(
        client.send,
        stall_limit=options.pop("stall_limit", 5),
        direct_write=client.write,
        on_stalled=client.on_stalled,
        **options,
    )


async def test_frames_go_out_in_the_order_they_were_put():
    client = Client()
    outbox = outbox_for(client)
    for number in range(5):
        outbox.put(f"frame {number}")
    await outbox.drain()
    assert client.sent == [f"frame {number}" for number in range(5)]


async def test_frames_put_while_the_snapshot_is_read_follow_the_snapshot():
    client = Client()
    outbox = outbox_for(client)
    outbox.put("before")
    outbox.hold()
    outbox.put("during")
    await let_ready_tasks_run()
    assert client.sent == ["before"]
    outbox.release("snapshot")
    await outbox.drain()
    assert client.sent == ["before", "snapshot", "during"]


async def test_a_snapshot_and_what_was_held_behind_it_go_out_in_one_direct_write():
    client = Client(direct=True)
    outbox = outbox_for(client)
    outbox.hold()
    outbox.put("round.opened")
    outbox.put("results 1", slot="results")
    outbox.put("results 2", slot="results")
    assert client.written == []
    outbox.release("snapshot")
    [written] = client.written
    assert read_texts(written) == ["snapshot", "round.opened", "results 2"]
    assert client.sent == []
    outbox.put("after")  # nothing waits any more: straight out too
    assert read_texts(client.written[-1]) == ["after"]


async def test_a_snapshot_released_while_a_frame_is_in_flight_follows_it_through_the_writer():
    client = Client(direct=True)
    outbox = outbox_for(client)
    await first_frame_in_flight(client, outbox)
    outbox.hold()
    outbox.release("snapshot")
    await outbox.drain()
    assert client.written == []
    assert client.sent == ["first", "snapshot"]


async def test_a_snapshot_released_while_the_connection_takes_no_data_waits_for_the_writer():
    client = Client(direct=True)
    outbox = outbox_for(client)
    client.reading.clear()
    outbox.hold()
    outbox.put("round.opened")
    outbox.release("snapshot")
    assert client.written == []
    client.reading.set()
    await outbox.drain()
    assert client.sent == ["snapshot", "round.opened"]


async def test_a_frame_is_written_straight_to_the_connection_when_nothing_waits_before_it():
    client = Client(direct=True)
    outbox = outbox_for(client)
    outbox.put('{"type":"pong"}')
    assert len(client.written) == 1
    assert client.sent == []


async def test_frames_put_together_are_written_in_one_write_in_their_order():
    client = Client(direct=True)
    outbox = outbox_for(client)
    outbox.put_all(['{"type":"answer.accepted"}', '{"type":"paced.result"}'])
    [written] = client.written
    assert read_texts(written) == ['{"type":"answer.accepted"}', '{"type":"paced.result"}']


async def test_frames_put_together_behind_a_waiting_frame_queue_behind_it_in_their_order():
    client = Client(direct=True)
    outbox = outbox_for(client)
    await first_frame_in_flight(client, outbox)
    outbox.put_all(["second", "third"])
    await outbox.drain()
    assert client.sent == ["first", "second", "third"]
    assert client.written == []


async def test_once_a_frame_waits_later_frames_queue_behind_it_instead_of_overtaking():
    client = Client(direct=True)
    outbox = outbox_for(client)
    await first_frame_in_flight(client, outbox)
    outbox.put("second")
    await outbox.drain()
    assert client.sent == ["first", "second"]
    assert client.written == []


async def test_a_newer_frame_of_a_slot_replaces_the_one_still_waiting_and_goes_after_the_frames_before_it():
    client = Client()
    outbox = outbox_for(client)
    client.reading.clear()
    outbox.put("results 1", slot="results")
    outbox.put("round.opened")
    outbox.put("results 2", slot="results")
    outbox.put("presence 1", slot="presence")
    outbox.put("results 3", slot="results")
    client.reading.set()
    await outbox.drain()
    assert client.sent == ["round.opened", "presence 1", "results 3"]


async def test_putting_never_waits_for_a_client_that_stopped_reading():
    client = Client()
    outbox = outbox_for(client)
    client.reading.clear()
    loop = asyncio.get_running_loop()
    started = loop.time()
    for number in range(50):
        outbox.put(f"frame {number}")
    assert loop.time() - started < 0.05
    assert not client.stalled.is_set()


async def test_a_client_unwritable_for_longer_than_the_limit_is_closed_with_1013():
    client = Client()
    outbox = outbox_for(client, stall_limit=0.2)
    client.reading.clear()
    outbox.put("never read")
    await asyncio.wait_for(client.stalled.wait(), 2)
    client.reading.set()  # what the close waits for when the server has no direct close
    await wait_until(lambda: client.closed_with is not None, what="the close sent")
    assert client.closed_with == CLOSE_TRY_AGAIN_LATER
    outbox.put("after the close")
    await let_ready_tasks_run()
    assert client.sent == []


async def test_a_direct_close_does_not_wait_for_the_client_to_read():
    client = Client()
    closes = []
    outbox = outbox_for(client, stall_limit=0.2, close_now=lambda code: closes.append(code) or True)
    client.reading.clear()
    outbox.put("never read")
    await asyncio.wait_for(client.stalled.wait(), 2)
    assert closes == [CLOSE_TRY_AGAIN_LATER]


async def test_a_queue_beyond_its_bound_closes_the_socket_with_1013_at_once():
    client = Client()
    closes = []
    outbox = outbox_for(client, max_frames=3, close_now=lambda code: closes.append(code) or True)
    client.reading.clear()
    for number in range(5):
        outbox.put(f"frame {number}")
    await asyncio.wait_for(client.stalled.wait(), 1)
    assert closes == [CLOSE_TRY_AGAIN_LATER]


async def test_slot_frames_do_not_count_against_the_bound():
    client = Client()
    outbox = outbox_for(client, max_frames=3)
    client.reading.clear()
    for number in range(100):
        outbox.put(f"results {number}", slot="results")
    await let_ready_tasks_run()
    assert not client.stalled.is_set()
    client.reading.set()
    await outbox.drain()
    assert client.sent == ["results 99"]


async def test_a_close_goes_out_after_the_frames_put_before_it():
    client = Client()
    outbox = outbox_for(client)
    outbox.put("error")
    outbox.close(4430)
    outbox.put("too late")
    await outbox.drain()
    assert client.sent == ["error"]
    assert client.closed_with == 4430


async def test_draining_an_outbox_whose_writer_was_just_discarded_returns_quietly():
    client = Client()
    outbox = outbox_for(client)
    client.reading.clear()
    outbox.put("never read")
    await client.sending.wait()
    outbox.discard()  # the client left
    await outbox.drain()
    assert client.sent == []


async def test_only_the_newest_of_overlapping_snapshot_reads_is_current():
    outbox = outbox_for(Client())
    older = outbox.hold()
    newer = outbox.hold()
    assert not outbox.is_current(older), "read before live updates resumed: may miss a frame lost meanwhile"
    assert outbox.is_current(newer)
