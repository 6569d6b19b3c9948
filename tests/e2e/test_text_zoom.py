"""Text zoomed to 200 % on a phone loses nothing (WCAG 1.4.4 and 1.4.10): on every student page and state, the page
never scrolls sideways, no text is cut off, and every control can be scrolled to and lies inside the screen's width.

The zoom doubles the root font size, as a browser's text size setting does, on a 360 x 740 phone screen.
Screenshots of each state go to /tmp/quizcast-zoom/.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import STUDENT_PASSWORD, TEACHER
from tests.e2e.test_live_quiz import answer, push, start_session
from tests.e2e.test_paced_session import start_paced_session

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SHOTS = Path("/tmp/quizcast-zoom")

# What can be lost at 200 %, as the page is now: each problem as a sentence (empty when nothing is).
ZOOM_PROBLEMS = r"""() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    const describe = (node) => {
        const text = (node.innerText || node.value || node.getAttribute("aria-label") || "").replace(/\s+/g, " ");
        const name = `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}.${[...node.classList].join(".")}`;
        return `${name} "${text.trim().slice(0, 40)}"`;
    };
    if (document.documentElement.scrollWidth > width) {
        const past = [...document.body.querySelectorAll("*")].filter((node) => !node.closest("svg")).filter((node) => {
            const parent = node.parentElement.getBoundingClientRect();
            return node.getBoundingClientRect().right > width + 1 && parent.right <= width + 1;
        });
        const culprits = past.slice(0, 3).map(describe).join(", ");
        const wide = document.documentElement.scrollWidth;
        problems.push(`the page is ${wide}px wide on a ${width}px screen (${culprits})`);
    }
    for (const node of document.body.querySelectorAll("*")) {
        if (!node.checkVisibility()) continue;
        const style = getComputedStyle(node);
        const clips = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
        const forScreenReaders = node.clientWidth <= 1;  // visually hidden on purpose (.visually-hidden)
        if (clips && !forScreenReaders && node.scrollWidth > node.clientWidth + 1 && node.innerText?.trim()) {
            problems.push(`text cut off in ${describe(node)} (${node.scrollWidth}px in ${node.clientWidth}px)`);
        }
    }
    const controls = document.body.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"
    );
    for (const control of controls) {
        const hidden = control.getBoundingClientRect();
        // A visually hidden input (a tile's, a scale's): its label is what the student sees and presses.
        const node = hidden.width < 2 || hidden.height < 2 ? control.labels?.[0] : control;
        if (!node || !node.checkVisibility({ checkOpacity: true })) continue;
        node.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
        const box = node.getBoundingClientRect();
        if (box.left < -1 || box.right > width + 1) {
            problems.push(`${describe(node)} spans ${Math.round(box.left)}-${Math.round(box.right)}px of ${width}px`);
            continue;
        }
        const x = Math.min(Math.max(box.left + box.width / 2, 0), width - 1);
        const y = Math.min(Math.max(box.top + Math.min(box.height, 40) / 2, 0), window.innerHeight - 1);
        const hit = document.elementFromPoint(x, y);
        if (hit && !node.contains(hit) && !hit.contains(node) && hit.closest("label") !== node.closest("label")) {
            problems.push(`${describe(node)} is covered by ${describe(hit)}`);
        }
    }
    window.scrollTo({ top: 0, left: 0, behavior: "instant" });
    return problems;
}"""


def zoomed_phone(people, username: str):
    """A signed-in student on a 360 px phone whose text size is set to 200 %."""
    person = people(username, STUDENT_PASSWORD, phone=True)
    page = person.page
    page.set_viewport_size(PHONE)
    # What a browser's text size setting does: the root font size doubled, so that everything sized in rem or em
    # (all of Quizcast's text) doubles. (Chromium's own default font size, set through the DevTools protocol, was
    # reset to 16 px by the page's first question: not a dependable way to zoom.)
    person.context.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => { document.documentElement.style.fontSize = '200%'; });"
    )
    return page


def assert_nothing_lost(page: Page, state: str) -> None:
    font_size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert font_size == "32px", f"{state}: the text is not zoomed to 200 % (root font size {font_size})"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^a-z0-9]+', '-', state.lower())}.png"), full_page=True)
    problems = page.evaluate(ZOOM_PROBLEMS)
    assert not problems, f"{state}, text at 200 % on a {PHONE['width']} px phone: " + "; ".join(problems)


def test_the_live_student_pages_lose_nothing_at_200_percent_text(people, quizcast_server):
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    phone = zoomed_phone(people, "student3")

    phone.goto(f"{quizcast_server.url}/join/")
    expect(phone.get_by_role("textbox", name=re.compile("Session code"))).to_be_visible()
    assert_nothing_lost(phone, "join")

    phone.goto(join_url)
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
    assert_nothing_lost(phone, "lobby")

    for question in quizcast_server.quiz:
        push(control, quizcast_server, question)
        expect(phone.locator(".qc-prompt")).to_be_visible()
        assert_nothing_lost(phone, f"open {question['type']} question")
        answer(phone, question)
        expect(phone.locator("#round-status")).to_contain_text("Answer received")
        control.get_by_role("button", name="Reveal").click()
        expect(phone.locator("#result-line")).not_to_be_empty()
        assert_nothing_lost(phone, f"revealed {question['type']} question")

    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="End session").click()
    expect(phone.locator("#screen-ended")).to_be_visible()
    assert_nothing_lost(phone, "ended")


def test_the_student_paced_page_loses_nothing_at_200_percent_text(people, quizcast_server):
    teacher = people(*TEACHER)
    control = start_paced_session(teacher)
    phone = zoomed_phone(people, "student3")

    phone.goto(f"{quizcast_server.url}/me/")
    assert_nothing_lost(phone, "student home")
    phone.locator(".qc-session-item").first.click()
    expect(phone.get_by_role("button", name="Start")).to_be_visible()
    assert_nothing_lost(phone, "paced start")
    phone.get_by_role("button", name="Start").click()

    for index, question in enumerate(quizcast_server.quiz):
        expect(phone.locator(".qc-prompt")).to_be_visible()
        assert_nothing_lost(phone, f"paced {question['type']} question")
        answer(phone, question)
        expect(phone.locator("#result-line")).not_to_be_empty()
        assert_nothing_lost(phone, f"paced {question['type']} result")
        phone.get_by_role("button", name="Next question").click()
        if index == len(quizcast_server.quiz) - 1:
            expect(phone.get_by_role("heading", name="All done!")).to_be_visible()
    assert_nothing_lost(phone, "paced finished")

    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Close now").click()
    expect(control.locator("#closing-line")).to_have_text("Closed.")
    phone.goto(f"{quizcast_server.url}/me/")
    expect(phone.locator(".qc-finished-list")).to_be_visible()
    assert_nothing_lost(phone, "student home with a finished student-paced session")
