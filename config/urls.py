from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.health import liveness, readiness
from config.media import media

urlpatterns = [
    path("health/", readiness, name="health"),
    path("health/ready/", readiness, name="health-ready"),
    path("health/live/", liveness, name="health-live"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("classroom.urls")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media"),
]
