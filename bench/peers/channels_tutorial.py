"""Peer (c), the Channels tutorial's shape: daphne, the channels-redis core layer, one consumer per socket with its
own layer channel in a group, and `json.dumps` in every consumer's group handler.
`python -m bench.peers.channels_tutorial --port N` (REDIS_URL in the environment)."""

import argparse
import json
import os
import sys

import django
from django.conf import settings

if not settings.configured:  # daphne imports this module again by name after `python -m` ran it
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-peer",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["channels"],
        DATABASES={},
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    # The socket timeout and pool size are set as Quizcast sets them: redis-py 8's defaults crash idle
                    # consumers and refuse connections past 100 (docs/performance.md).
                    "hosts": [
                        {
                            "address": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                            "socket_timeout": None,
                            "socket_connect_timeout": 5,
                            "max_connections": 1000,
                        }
                    ],
                },
            }
        },
        ASGI_APPLICATION="bench.peers.channels_tutorial.application",
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import re_path

from bench.peers import common

quiz = common.Quiz()
throttle: common.Throttle | None = None


async def publish_results(layer) -> None:
    await layer.group_send(
        "teachers", {"type": "quiz.event", "event": common.results_updated(quiz.round_id, quiz.answered())}
    )


class QuizConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.role = self.scope["url_route"]["kwargs"]["role"]
        self.group = "teachers" if self.role == "teacher" else "students"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps(common.snapshot(self.role)))

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        global throttle
        message = json.loads(text_data)
        kind = message.get("type")
        if kind == "round.push" and self.role == "teacher":
            round_id = quiz.push()
            question_id = message["question_id"]
            await self.channel_layer.group_send(
                "students", {"type": "quiz.event", "event": common.question_pushed(round_id, question_id)}
            )
            await self.channel_layer.group_send(
                "teachers", {"type": "quiz.event", "event": common.round_opened(round_id, question_id)}
            )
        elif kind == "answer.submit" and self.role == "student":
            if quiz.answer(self.channel_name, message):
                await self.send(text_data=json.dumps(common.answer_accepted(message)))
                if throttle is None:
                    layer = self.channel_layer
                    throttle = common.Throttle(lambda: publish_results(layer))
                throttle.mark()
            else:
                await self.send(text_data=json.dumps({"type": "error", "code": "already_answered"}))
        elif kind == "ping":
            await self.send(text_data=json.dumps(common.pong(message)))

    async def quiz_event(self, event):
        await self.send(text_data=json.dumps(event["event"]))


application = ProtocolTypeRouter(
    {"websocket": URLRouter([re_path(r"^ws/(?P<role>student|teacher)/$", QuizConsumer.as_asgi())])}
)

if __name__ == "__main__":
    from daphne.cli import CommandLineInterface

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    sys.argv = ["daphne", "-b", "127.0.0.1", "-p", str(port), "-v0", "bench.peers.channels_tutorial:application"]
    CommandLineInterface.entrypoint()
