"""Peer (a), the floor: a plain `websockets` server that sends each push to every student with
`websockets.broadcast()` (one frame built once, written to every socket without awaiting). No Django, no database,
no layer. `python -m bench.peers.plain_websockets --port N`."""

import argparse
import json
import time

import uvloop
from websockets.asyncio.server import broadcast, serve

from bench.peers import common

quiz = common.Quiz()
students: set = set()
teachers: set = set()


async def publish_results() -> None:
    broadcast(teachers, common.encode(common.results_updated(quiz.round_id, quiz.answered())))


throttle: common.Throttle | None = None


async def handler(websocket) -> None:
    role = "teacher" if "/teacher" in websocket.request.path else "student"
    group = teachers if role == "teacher" else students
    await websocket.send(common.encode(common.snapshot(role)))
    group.add(websocket)
    key = str(id(websocket))
    try:
        async for text in websocket:
            message = json.loads(text)
            kind = message.get("type")
            if kind == "round.push" and role == "teacher":
                round_id = quiz.push()
                question_id = message["question_id"]
                text = common.encode(common.question_pushed(round_id, question_id))
                started = time.perf_counter()
                broadcast(students, text)
                # The server's own share of a push, so the harness can tell it from the client's (docs/performance.md).
                print(f"BROADCAST {len(students)} {(time.perf_counter() - started) * 1000:.3f}", flush=True)
                broadcast(teachers, common.encode(common.round_opened(round_id, question_id)))
            elif kind == "answer.submit" and role == "student":
                if quiz.answer(key, message):
                    await websocket.send(common.encode(common.answer_accepted(message)))
                    throttle.mark()
                else:
                    await websocket.send(common.encode({"type": "error", "code": "already_answered"}))
            elif kind == "ping":
                await websocket.send(common.encode(common.pong(message)))
    finally:
        group.discard(websocket)


async def main(port: int) -> None:
    global throttle
    throttle = common.Throttle(publish_results)
    async with serve(handler, "127.0.0.1", port, compression=None, max_size=64 * 1024, backlog=4096) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    uvloop.run(main(parser.parse_args().port))
