from django.urls import path

from classroom import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sessions/<int:session_id>/", views.session_control, name="session_control"),
    path("sessions/<int:session_id>/projector/", views.session_projector, name="session_projector"),
    path("sessions/<int:session_id>/export.csv", views.session_export, name="session_export"),
    path("me/", views.student_home, name="student_home"),
    path("classrooms/join/", views.classroom_join, name="classroom_join"),
    path("join/", views.join, name="join"),
    path("s/<str:code>/", views.student_session, name="student_session"),
]
