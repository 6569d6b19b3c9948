from channels.routing import URLRouter
from django.urls import path

from realtime.consumers import ProjectorConsumer, StudentConsumer, TeacherConsumer
from realtime.security import OriginCheck

websocket_urlpatterns = [
    path("ws/sessions/<int:session_id>/student/", StudentConsumer.as_asgi()),
    path("ws/sessions/<int:session_id>/teacher/", TeacherConsumer.as_asgi()),
    path("ws/sessions/<int:session_id>/projector/", ProjectorConsumer.as_asgi()),
]

# No session or auth middleware: a consumer reads the session cookie itself and resolves the user in the batched
# database call that admits it (realtime.auth).
websocket_application = OriginCheck(URLRouter(websocket_urlpatterns))
