"""Every page a person sees passes axe-core in each of its states, a student can take a whole quiz with the keyboard
alone, and the class can work in Polish or Italian."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import ADMIN, CLASSROOM_NAME, QUIZ_TITLE, STUDENT_PASSWORD, TEACHER
from tests.e2e.accommodations import set_accommodations
from tests.e2e.axe import assert_accessible
from tests.e2e.browsing import Person
from tests.e2e.test_live_quiz import answer, join, plain_part, push, start_session
from tests.e2e.test_paced_session import HEARTBEAT, open_from_home, start_paced_session
from tests.e2e.test_question_types import order_with_keyboard

pytestmark = pytest.mark.browser


def set_language(page: Page, server, language: str) -> None:
    """Pick a language in the footer switcher, as a person does."""
    page.goto(f"{server.url}/accounts/profile/")
    page.locator("#language-select").select_option(language)
    page.locator(".qc-language-button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (None, "/accounts/login/"),
        (None, "/join/"),
        (None, "/join/?code=ZZZZZZ"),
        ("student1", "/me/"),
        ("student1", "/accounts/profile/"),
        ("teacher", "/dashboard/"),
        ("teacher", "/accounts/profile/"),
        ("teacher", "/accounts/password/"),
        ("admin", "/admin/"),
        ("admin", "/admin/quizzes/quiz/"),
        ("admin", "/admin/quizzes/quiz/1/change/"),
        ("admin", "/admin/quizzes/quiz/1/export/gift/"),  # the demo quiz has types GIFT cannot hold: the warning
        ("admin", "/admin/quizzes/question/"),
        ("admin", "/admin/quizzes/question/add/"),
        ("admin", "/admin/quizzes/question/1/change/"),
        ("admin", "/admin/quizzes/question/4/change/"),
        ("admin", "/admin/quizzes/question/1/preview/"),
        ("admin", "/admin/classroom/classroom/"),
        ("admin", "/admin/classroom/classroom/1/change/"),
        ("admin", "/admin/classroom/classroom/1/import-roster/"),
        ("admin", "/admin/classroom/livesession/"),
        ("admin", "/admin/accounts/user/"),
    ],
)
def test_page_has_no_axe_violation(people, browser, quizcast_server, who, path):
    if who is None:
        context = browser.new_context()
        page = context.new_page()
    elif who == "admin":
        # Not through `people`, which fails on any page error: the admin's select2 widgets set inline styles that
        # the Content-Security-Policy blocks (reported apart); what this test checks is axe.
        admin = Person(browser, quizcast_server, *ADMIN)
        context, page = admin.context, admin.page
    else:
        password = {"teacher": TEACHER[1]}.get(who, STUDENT_PASSWORD)
        page = people(who, password).page
    page.goto(f"{quizcast_server.url}{path}")
    assert_accessible(page, path)
    if who in (None, "admin"):
        context.close()


def test_live_pages_have_no_axe_violation_in_any_state(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    projector = teacher.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(control.url + "projector/")
    phone = join(people("student1", STUDENT_PASSWORD, phone=True), join_url)
    people("student2", STUDENT_PASSWORD, phone=True)  # enrolled, never joins: shows as offline in the roster
    pages = {"control": control, "projector": projector, "student": phone}

    def check(state: str) -> None:
        for name, page in pages.items():
            assert_accessible(page, f"{name}, {state}")

    expect(control.locator("#roster .qc-roster-row")).to_have_count(5)
    check("lobby")
    single = quizcast_server.question("single")
    push(control, quizcast_server, single)
    expect(phone.get_by_role("heading", name=single["prompt"])).to_be_visible()
    check("question open, no answer")
    answer(phone, single, right=False)
    expect(phone.locator("#round-status")).to_contain_text("Answer received")
    check("question open, answered")
    control.get_by_role("button", name="Close now").click()
    expect(control.locator("#round-state")).to_have_text("Closed")
    check("question closed")
    control.get_by_role("button", name="Reveal").click()
    expect(phone.locator("#result-line")).to_contain_text("Not this time.")
    expect(projector.locator(".qc-tile.is-dimmed")).not_to_have_count(0)
    check("answer revealed, with results")
    for page in pages.values():
        page.emulate_media(contrast="more", reduced_motion="reduce")
    check("answer revealed, high contrast and reduced motion")
    for page in pages.values():
        page.emulate_media(contrast="no-preference", reduced_motion="no-preference")
    numeric = quizcast_server.question("numeric")
    push(control, quizcast_server, numeric)
    control.get_by_role("button", name="Reveal").click()
    expect(phone.locator("#result-line")).to_contain_text("You did not answer this one.")
    check("answer revealed, nobody answered")
    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="End session").click()
    expect(phone.get_by_role("heading", name="The quiz is over")).to_be_visible()
    expect(control.locator("#ended-panel")).to_be_visible()
    check("session ended")


def keyboard_answer(page: Page, question: dict) -> None:
    """Answer with the keyboard only: the focus starts on the question, Tab and the arrows and Space choose,
    Enter on the button submits."""
    # The prompt's accessible name is what KaTeX made of its formulas, so it is found by its question id.
    prompt = page.locator(f"#prompt-{question['id']}")
    expect(prompt).to_have_role("heading")
    expect(prompt).to_be_focused()
    kind = question["type"]
    page.keyboard.press("Tab")
    if kind in ("numeric", "text"):
        page.keyboard.type(question["numeric_target"] if kind == "numeric" else question["accepted"][0])
    elif kind == "wordcloud":
        page.keyboard.type("photosynthesis")
    elif kind == "scale":
        page.keyboard.press("Space")
    elif kind == "ordering":
        order_with_keyboard(page, [choice["text"] for choice in question["choices"]])
    elif kind == "multiple":
        for choice in question["choices"]:
            if choice["correct"]:
                page.keyboard.press("Space")
            page.keyboard.press("Tab")
    else:
        wanted = 0 if kind == "poll" else next(i for i, c in enumerate(question["choices"]) if c["correct"])
        for _ in range(wanted):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
    submit = page.get_by_role("button", name="Submit answer")
    for _ in range(3 * len(question["choices"]) + 3):
        if submit.evaluate("(button) => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")


def test_a_student_takes_every_question_type_with_the_keyboard_only(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    phone = join(people("student3", STUDENT_PASSWORD, phone=True), join_url)
    for question in quizcast_server.quiz:
        push(control, quizcast_server, question)
        keyboard_answer(phone, question)
        expect(phone.locator("#round-status")).to_contain_text("Answer received")
        control.get_by_role("button", name="Reveal").click()
        graded = question["type"] not in ("poll", "wordcloud", "scale")
        outcome = "You were right!" if graded else "Thanks for voting!"
        expect(phone.locator("#result-line")).to_contain_text(outcome)
        expect(phone.locator("#announcer")).to_contain_text(outcome)


def test_a_live_round_in_polish(people, quizcast_server):
    teacher = people(*TEACHER)
    set_language(teacher.page, quizcast_server, "pl")
    page = teacher.page
    page.goto(f"{quizcast_server.url}/dashboard/")
    page.get_by_label("Klasa").select_option(label=CLASSROOM_NAME)
    page.get_by_label("Quiz").select_option(label=QUIZ_TITLE)
    page.get_by_role("button", name="Rozpocznij sesję").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    control = page
    expect(control.locator("#connection")).to_have_text("Na żywo")
    join_url = quizcast_server.url + urlsplit(control.locator("#join-url").input_value()).path  # as start_session

    student = people("student5", STUDENT_PASSWORD, phone=True)
    set_language(student.page, quizcast_server, "pl")
    phone = student.page
    phone.goto(join_url)
    expect(phone.get_by_role("heading", name="Jesteś w grze!")).to_be_visible()
    expect(phone.locator("#connection")).to_have_text("Na żywo")

    single = quizcast_server.question("single")
    number = [q["id"] for q in quizcast_server.quiz].index(single["id"]) + 1
    control.get_by_role("button", name=re.compile(rf": pytanie {number}$")).click()
    right = next(c["text"] for c in single["choices"] if c["correct"])
    expect(phone.get_by_role("heading", name=single["prompt"])).to_be_visible()
    expect(phone.locator(".qc-question-meta")).to_have_text("Jednokrotny wybór")
    phone.locator("label.qc-tile").filter(has=phone.get_by_text(right, exact=True)).click()
    phone.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(phone.locator("#round-status")).to_have_text("Odpowiedź odebrana ✓")
    expect(control.locator("#answered-count")).to_have_text("Odpowiedziało 1 z 1")
    control.get_by_role("button", name="Pokaż odpowiedź").click()
    expect(phone.locator("#result-line")).to_contain_text("Dobrze!")
    expect(phone.locator("#key-line")).to_contain_text(f"Poprawna odpowiedź: A · {right}")
    assert_accessible(phone, "student page in Polish, revealed")


def test_an_italian_student_types_numbers_as_italians_write_them(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    student = people("student2", STUDENT_PASSWORD, phone=True)
    set_language(student.page, quizcast_server, "it")
    phone = student.page
    phone.goto(join_url)
    expect(phone.get_by_role("heading", name="Ci sei!")).to_be_visible()
    numeric = quizcast_server.question("numeric")
    push(control, quizcast_server, numeric)

    field = phone.get_by_label("La tua risposta (un numero)")
    field.fill("1,440")  # one point four four, in Italian
    expect(phone.locator(".qc-number-reading")).to_have_text("= 1,44")
    phone.get_by_role("button", name="Invia la risposta").click()
    expect(phone.locator(".qc-form-message")).to_contain_text("1440")  # asked to confirm: in English it is 1440
    field.fill("1.440")
    expect(phone.locator(".qc-number-reading")).to_have_text("= 1440")
    phone.get_by_role("button", name="Invia la risposta").click()
    expect(phone.locator(".qc-form-message")).to_contain_text("Invia la risposta")
    phone.get_by_role("button", name="Invia la risposta").click()  # confirmed: 1.440 is what was meant
    expect(phone.locator("#round-status")).to_contain_text("Risposta ricevuta")
    expect(field).to_have_value("1440")
    control.get_by_role("button", name="Reveal").click()
    expect(phone.locator("#result-line")).to_contain_text("Giusto!")


def test_the_connection_badge_says_offline_as_soon_as_the_browser_does(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    student = people("student1", STUDENT_PASSWORD, phone=True)
    phone = join(student, join_url)
    row = control.locator(".qc-roster-row").filter(has_text="Student 1")
    expect(row).not_to_have_class(re.compile("is-offline"))
    student.context.set_offline(True)
    phone.evaluate("window.dispatchEvent(new Event('offline'))")
    expect(phone.locator("#connection")).to_have_text("Offline", timeout=1000)
    expect(row).to_have_class(re.compile("is-offline"), timeout=5000)
    student.context.set_offline(False)
    expect(phone.locator("#connection")).to_have_text("Live")
    expect(row).not_to_have_class(re.compile("is-offline"))
    phone.close()  # the socket drops with the page
    expect(row).to_have_class(re.compile("is-offline"), timeout=5000)


def test_the_live_student_page_sends_a_heartbeat_every_two_seconds(people, quizcast_server):
    teacher = people(*TEACHER)
    _control, join_url = start_session(teacher)
    student = people("student1", STUDENT_PASSWORD, phone=True)
    with student.page.expect_websocket() as opening:
        join(student, join_url)
    socket = opening.value
    for _ in range(2):  # the first on open, then one every 2 s: well within 3 s each (docs/protocol.md, Heartbeats)
        socket.expect_event("framesent", predicate=lambda payload: payload == HEARTBEAT, timeout=3000)


def seconds_left(page: Page) -> int:
    minutes, _, seconds = page.locator("#countdown").inner_text().rpartition(":")
    return int(minutes or 0) * 60 + int(seconds)


def test_a_student_with_double_time_sees_their_own_countdown_and_can_have_questions_read(
    people, browser, quizcast_server
):
    teacher = people(*TEACHER)
    set_accommodations(browser, quizcast_server, "Student 4", extra_time="2", read_aloud=True)
    try:
        control, join_url = start_session(teacher)
        slow = join(people("student4", STUDENT_PASSWORD, phone=True), join_url)
        other = join(people("student5", STUDENT_PASSWORD, phone=True), join_url)
        single = quizcast_server.question("single")  # 20 seconds for the class
        push(control, quizcast_server, single)
        expect(slow.locator("#countdown")).to_be_visible()
        assert seconds_left(other) <= 20
        assert 30 < seconds_left(slow) <= 40
        reader = slow.get_by_role("button", name="Read aloud")
        expect(reader).to_be_visible()
        expect(other.get_by_role("button", name="Read aloud")).to_have_count(0)
        assert_accessible(slow, "student page with read-aloud and extra time")
        # Past the class's deadline the round stays open for the student with extra time, and the teacher is told.
        control.evaluate("window.quizcast.state.round.deadline = new Date(Date.now() - 1000).toISOString()")
        expect(control.locator("#countdown")).to_have_text("Extra time: students who have it can still answer")
    finally:
        set_accommodations(browser, quizcast_server, "Student 4", extra_time="", read_aloud=False)


def test_forms_showing_their_errors_have_no_axe_violation(people, browser, quizcast_server):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{quizcast_server.url}/accounts/login/")
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".alert, .invalid-feedback, .errorlist").first).to_be_visible()
        assert_accessible(page, "sign-in with a wrong password")
    finally:
        context.close()

    admin = Person(browser, quizcast_server, *ADMIN)  # not `people`: see test_page_has_no_axe_violation
    try:
        admin.page.goto(f"{quizcast_server.url}/admin/quizzes/question/add/")
        admin.page.locator("input[name='_save']").click()
        expect(admin.page.locator(".errornote")).to_be_visible()
        assert_accessible(admin.page, "admin question form with errors")
    finally:
        admin.close()


def test_student_paced_pages_have_no_axe_violation_in_any_state(people, quizcast_server):
    teacher = people(*TEACHER)
    control = start_paced_session(teacher)
    assert_accessible(control, "student-paced control, nobody started")
    phone = open_from_home(people("student2", STUDENT_PASSWORD, phone=True), start=False)
    assert_accessible(phone, "student-paced page, start")
    phone.get_by_role("button", name="Start").click()
    questions = quizcast_server.quiz
    for index, question in enumerate(questions):
        expect(phone.locator(".qc-prompt")).to_contain_text(plain_part(question["prompt"]))
        assert_accessible(phone, f"student-paced page, {question['type']} question")
        answer(phone, question)
        expect(phone.locator("#result-line")).not_to_be_empty()
        assert_accessible(phone, f"student-paced page, {question['type']} result")
        if index == 0:
            expect(control.locator("#grid tbody tr")).not_to_have_count(0)
            assert_accessible(control, "student-paced control, a student answering")
            projector = control.context.new_page()
            projector.goto(control.url.rstrip("/") + "/projector/")
            expect(projector.locator("#progress-summary")).not_to_be_empty()
            assert_accessible(projector, "student-paced projector, a student answering")
            control.get_by_role("switch", name="Show names on the projector").check()
            expect(projector.locator("#progress-students")).to_contain_text("Student")
            assert_accessible(projector, "student-paced projector, with names")
        phone.get_by_role("button", name="Next question").click()
    expect(phone.get_by_role("heading", name="All done!")).to_be_visible()
    assert_accessible(phone, "student-paced page, finished")
