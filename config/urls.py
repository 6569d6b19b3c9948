from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from config.health import liveness, readiness

urlpatterns = [
    path("health/", readiness, name="health"),
    path("health/ready/", readiness, name="health-ready"),
    path("health/live/", liveness, name="health-live"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("classroom.urls")),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
