"""Peer (b), ClassQuiz's stack: python-socketio on uvicorn with a Redis manager (AsyncRedisManager), one room emit
per push. `python -m bench.peers.socketio_redis --port N` (REDIS_URL in the environment)."""

import argparse
import os
from urllib.parse import parse_qs

import socketio
import uvicorn

from bench.peers import common

manager = socketio.AsyncRedisManager(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, cors_allowed_origins="*")
app = socketio.ASGIApp(sio)
quiz = common.Quiz()
roles: dict[str, str] = {}


async def publish_results() -> None:
    await sio.emit("message", common.results_updated(quiz.round_id, quiz.answered()), room="teachers")


throttle = common.Throttle(publish_results)


@sio.event
async def connect(sid, environ, auth=None):
    role = parse_qs(environ.get("QUERY_STRING", "")).get("role", ["student"])[0]
    roles[sid] = role
    await sio.enter_room(sid, "teachers" if role == "teacher" else "students")
    await sio.emit("message", common.snapshot(role), to=sid)


@sio.event
async def disconnect(sid, reason=None):
    roles.pop(sid, None)


@sio.on("message")
async def message(sid, data):
    role = roles.get(sid)
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "round.push" and role == "teacher":
        round_id = quiz.push()
        await sio.emit("message", common.question_pushed(round_id, data["question_id"]), room="students")
        await sio.emit("message", common.round_opened(round_id, data["question_id"]), room="teachers")
    elif kind == "answer.submit" and role == "student":
        if quiz.answer(sid, data):
            await sio.emit("message", common.answer_accepted(data), to=sid)
            throttle.mark()
        else:
            await sio.emit("message", {"type": "error", "code": "already_answered"}, to=sid)
    elif kind == "ping":
        await sio.emit("message", common.pong(data), to=sid)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=parser.parse_args().port,
        loop="uvloop",
        ws_per_message_deflate=False,
        access_log=False,
        log_level="warning",
        backlog=4096,
    )
