from django.urls import path

from classroom import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sessions/<int:session_id>/", views.session_control, name="session_control"),
    path("sessions/<int:session_id>/projector/", views.session_projector, name="session_projector"),
    path("sessions/<int:session_id>/export.csv", views.session_export, name="session_export"),
    path("sessions/<int:session_id>/report/", views.session_report_page, name="session_report"),
    path("sessions/<int:session_id>/report.xlsx", views.session_workbook_export, name="session_workbook"),
    path("sessions/<int:session_id>/totals.csv", views.session_totals_export, name="session_totals"),
    path("sessions/<int:session_id>/audit.csv", views.session_audit_export, name="session_audit"),
    path(
        "classrooms/<int:classroom_id>/students/<int:student_id>/",
        views.student_report_page,
        name="student_report",
    ),
    path("me/", views.student_home, name="student_home"),
    path("me/results/", views.my_results, name="my_results"),
    path("classrooms/join/", views.classroom_join, name="classroom_join"),
    path("join/", views.join, name="join"),
    path("s/<str:code>/", views.student_session, name="student_session"),
]
