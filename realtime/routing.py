from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.urls import path

from realtime.consumers import StudentConsumer, TeacherConsumer
from realtime.security import OriginCheck

websocket_urlpatterns = [
    path("ws/sessions/<int:session_id>/student/", StudentConsumer.as_asgi()),
    path("ws/sessions/<int:session_id>/teacher/", TeacherConsumer.as_asgi()),
]

websocket_application = OriginCheck(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
