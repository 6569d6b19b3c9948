"""Every channel-layer group name, in one place."""


def session_students(session_id: int) -> str:
    return f"quizcast.session.{session_id}.students"


def session_teachers(session_id: int) -> str:
    return f"quizcast.session.{session_id}.teachers"


def hubs() -> str:
    """Every worker's hub: presence requests and the hubs' hellos, by which each knows the others."""
    return "quizcast.hubs"
