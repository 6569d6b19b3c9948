"""A live quiz in real browsers: a teacher, a projector and students on phones, against a real daphne server."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import CLASSROOM_NAME, QUIZ_TITLE, STUDENT_PASSWORD, TEACHER
from tests.e2e.browsing import screenshot

pytestmark = pytest.mark.browser

# An answer sent straight through the page's socket, past the locked form, as a late or tampering client would.
LATE_ANSWER = """() => {
    const {socket, state} = window.quizcast;
    const question = state.round.question;
    const id = question.choices[0].id;
    const answer = question.type === "multiple" ? {choices: [id]} : {choice: id};
    socket.send({type: "answer.submit", round_id: state.round.id, client_id: "late", answer});
}"""


def start_session(teacher, quiz_title: str = QUIZ_TITLE) -> tuple[Page, str]:
    """Start a session of `quiz_title` (the demo quiz unless told) through the dashboard form, as a teacher would;
    return the control page and join link.

    A teacher on 127.0.0.1 is shown this machine's network address in the link (phones cannot reach loopback):
    the tests follow the link's path on the address they use, so that they send nothing off this machine."""
    page = teacher.page
    page.goto(f"{teacher.server.url}/dashboard/")
    page.get_by_label("Classroom").select_option(label=CLASSROOM_NAME)
    page.get_by_label("Quiz").select_option(label=quiz_title)
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    expect(page.locator("#connection")).to_have_text("Live")
    return page, teacher.server.url + urlsplit(page.locator("#join-url").input_value()).path


def join(student, join_url: str) -> Page:
    page = student.page
    page.goto(join_url)
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Live")
    return page


def push(control: Page, server, question: dict) -> None:
    number = [q["id"] for q in server.quiz].index(question["id"]) + 1
    control.get_by_role("button", name=re.compile(rf": question {number}$")).click()
    expect(control.locator("#round-question")).to_contain_text(plain_part(question["prompt"]))


def plain_part(text: str) -> str:
    """The text before its first formula: what reads the same once the formulas are drawn."""
    return text.split("\\(")[0].split("\\[")[0].strip()


def tile(page: Page, text: str):
    return page.locator("label.qc-tile").filter(has=page.get_by_text(text, exact=True))


def answer(page: Page, question: dict, *, right: bool = True) -> None:
    """Answer the question on screen the way a student does: tap tiles or type, then Submit."""
    expect(page.locator(".qc-prompt")).to_contain_text(plain_part(question["prompt"]))
    kind = question["type"]
    if kind in ("single", "true_false", "poll", "multiple"):
        wanted = [c["text"] for c in question["choices"] if c["correct"] == right]
        if kind == "poll":
            wanted = [question["choices"][0]["text"]]
        for text in wanted if kind == "multiple" else wanted[:1]:
            tile(page, text).click()
    elif kind == "numeric":
        page.get_by_label("Your answer (a number)").fill(question["numeric_target"])
    elif kind == "ordering":
        put_in_order(page, [c["text"] for c in question["choices"]])
    elif kind == "wordcloud":
        page.get_by_label("Word 1").fill("waves")
    elif kind == "scale":
        page.get_by_role("radio", name=re.compile(r"^4")).check()
    else:
        page.get_by_label("Your answer", exact=True).fill(question["accepted"][0].lower())
    page.get_by_role("button", name="Submit answer").click()


def put_in_order(page: Page, texts: list[str]) -> None:
    """Move each item up to its place with its Up button, pressed from the keyboard."""
    items = page.locator(".qc-order-item")
    for place, text in enumerate(texts):
        while (labels := items.evaluate_all("nodes => nodes.map(node => node.dataset.label)")).index(text) != place:
            items.nth(labels.index(text)).locator(".qc-order-up").focus()
            page.keyboard.press("Enter")


def test_class_answers_live_sees_the_reveal_and_survives_a_reload(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    projector = teacher.new_page()
    projector.goto(control.url + "projector/")
    expect(projector.locator("#projector-code")).to_have_text(join_url.rstrip("/").rsplit("/", 1)[-1])

    students = [people(f"student{n}", STUDENT_PASSWORD, phone=True) for n in (1, 2, 3)]
    pages = [join(student, join_url) for student in students]
    expect(control.locator("#roster-summary")).to_have_text("3 of 5 connected")
    expect(projector.locator("#lobby-count")).to_have_text("Joined: 3")

    single = quizcast_server.question("single")
    right = next(c["text"] for c in single["choices"] if c["correct"])
    wrong = next(c["text"] for c in single["choices"] if not c["correct"])
    push(control, quizcast_server, single)
    for page, is_right in zip(pages, (True, True, False), strict=True):
        answer(page, single, right=is_right)
    for page in pages:
        expect(page.locator("#round-status")).to_contain_text("Answer received")

    expect(control.locator("#answered-count")).to_have_text("3 of 3 answered")
    bars = control.locator("#round-results .qc-bar-row")
    expect(bars.filter(has_text=right).locator(".qc-bar-count")).to_have_text("2 · 67%")
    expect(bars.filter(has_text=wrong).locator(".qc-bar-count")).to_have_text("1 · 33%")
    expect(control.locator("#roster .is-answered")).to_have_count(3)
    expect(projector.locator("#p-answered")).to_have_text("3 answered")
    expect(projector.locator(".is-correct")).to_have_count(0)  # the key stays hidden until the reveal
    screenshot(control, "dashboard")
    screenshot(pages[0], "student")

    control.get_by_role("button", name="Reveal").click()
    for page, outcome in zip(pages, ("You were right!", "You were right!", "Not this time."), strict=True):
        expect(page.locator("#result-line")).to_contain_text(outcome)
        expect(page.locator("#key-line")).to_contain_text(right)
    expect(pages[0].locator("#standing")).to_contain_text("position 1 of 3")  # the three who answered
    expect(projector.locator(".qc-tile.is-correct")).to_have_text(re.compile(right))
    expect(control.locator("#leaderboard .qc-leader")).to_have_count(3)

    # A reload mid-question shows the question and the answer already given, and sends nothing twice.
    control.get_by_role("button", name="Next question").click()
    second = quizcast_server.quiz[quizcast_server.quiz.index(single) + 1]
    expect(pages[0].get_by_role("heading", name=second["prompt"])).to_be_visible()
    answer(pages[0], second)
    expect(pages[0].locator("#round-status")).to_contain_text("Answer received")
    pages[0].reload()
    expect(pages[0].get_by_role("heading", name=second["prompt"])).to_be_visible()
    expect(pages[0].locator("#round-status")).to_contain_text("Answer received")
    given = [c["text"] for c in second["choices"] if c["correct"]] if second["choices"] else []
    for text in given if second["type"] == "multiple" else given[:1]:
        expect(tile(pages[0], text).locator("input")).to_be_checked()
    expect(control.locator("#answered-count")).to_have_text("1 of 3 answered")

    # The teacher closes the question: whoever has not answered is told, and a late answer is refused.
    control.get_by_role("button", name="Close now").click()
    expect(pages[1].locator("#round-status")).to_have_text("This question is closed.")
    expect(pages[1].get_by_role("button", name="Closed")).to_be_disabled()
    pages[1].evaluate(LATE_ANSWER)
    expect(pages[1].locator("#notice")).to_have_text("This question is closed.")


def test_every_question_type_can_be_answered_in_the_browser(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    student = people("student4", STUDENT_PASSWORD, phone=True)
    page = join(student, join_url)

    for index, question in enumerate(quizcast_server.quiz):
        push(control, quizcast_server, question)
        if question["type"] == "numeric":
            page.get_by_label("Your answer (a number)").fill("many")
            page.get_by_role("button", name="Submit answer").click()
            expect(page.locator(".qc-form-message")).to_have_text("Enter a number.")
        if index == 2:
            # The connection drops just before the tap: the answer waits and is sent once the socket is back.
            page.evaluate("window.quizcast.socket.dropAndRetry()")
        answer(page, question)
        expect(page.locator("#round-status")).to_contain_text("Answer received")
        expect(control.locator("#answered-count")).to_have_text("1 of 1 answered")
        control.get_by_role("button", name="Reveal").click()
        outcome = "Thanks for voting!" if question["type"] in ("poll", "wordcloud", "scale") else "You were right!"
        expect(page.locator("#result-line")).to_have_text(re.compile(outcome))

    # A refused command reads as a sentence.
    control.evaluate('window.quizcast.socket.send({type: "round.close", round_id: 987654})')
    expect(control.locator("#command-error-text")).to_have_text("That question is not part of this session.")

    # The warning while the channel layer is unreachable, and its end (the server then sends a snapshot).
    control.evaluate("""window.quizcast.socket.receive('{"type": "live.status", "state": "interrupted"}')""")
    expect(control.get_by_role("alert").filter(has_text="Live updates interrupted")).to_be_visible()
    control.evaluate("""window.quizcast.socket.receive('{"type": "live.status", "state": "live"}')""")
    expect(control.locator("#interrupted")).to_be_hidden()

    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", name="The quiz is over")).to_be_visible()
    expect(page.locator("#final-position")).to_contain_text("position 1 of 1")
    expect(control.locator("#ended-panel")).to_be_visible()
