"""Word clouds, ordering and formulas in real browsers: a keyboard-only ordering, a cloud filling on the projector,
and KaTeX formulas drawn on a phone, the projector and the admin's preview under the site's Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import Page, expect

from classroom.management.commands.demo_data import STUDENT_PASSWORD, TEACHER
from tests.e2e.browsing import screenshot
from tests.e2e.test_live_quiz import join, push, start_session

pytestmark = pytest.mark.browser


def focused_class(page: Page) -> str:
    return page.evaluate(
        "document.activeElement.className + ' ' + (document.activeElement.closest('[data-label]')?.dataset.label ?? '')"
    )


def order_with_keyboard(page: Page, correct: list[str]) -> None:
    """Put the ordering's items in the order given with the keyboard only: Tab to an item's Up button, then Enter
    until it reaches its place. The live region says where it went, and the focus stays on the moved item."""
    items = page.locator(".qc-order-item")
    for place, text in enumerate(correct):
        labels = items.evaluate_all("nodes => nodes.map(node => node.dataset.label)")
        if labels.index(text) == place:
            continue
        # Tab to the item's Up button, then press Enter until it reaches its place.
        for _ in range(40):
            if focused_class(page) == f"btn btn-outline-secondary qc-order-up {text}":
                break
            page.keyboard.press("Tab")
        else:
            pytest.fail(f"Tab never reached the Up button of {text}")
        for _ in range(labels.index(text) - place):
            page.keyboard.press("Enter")
        expect(page.locator(".qc-order-fieldset [role=status]")).to_have_text(
            f"{text}: position {place + 1} of {len(correct)}"
        )
        assert focused_class(page).endswith(text), "focus stays on the moved item"


def test_a_student_drags_an_item_then_puts_every_item_in_order_with_the_keyboard_only(people, quizcast_server):
    question = quizcast_server.question("ordering")
    correct = [choice["text"] for choice in question["choices"]]
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    page = join(people("student1", STUDENT_PASSWORD, phone=True), join_url)
    push(control, quizcast_server, question)
    items = page.locator(".qc-order-item")
    expect(items).to_have_count(len(correct))

    # Dragging works too: the last item, dragged by its handle above the first, becomes the first.
    labels = items.evaluate_all("nodes => nodes.map(node => node.dataset.label)")
    handle = items.nth(len(correct) - 1).locator(".qc-order-handle").bounding_box()
    top = items.nth(0).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2, top["y"] + 2, steps=12)
    page.mouse.up()
    assert items.evaluate_all("nodes => nodes.map(node => node.dataset.label)") == [labels[-1], *labels[:-1]]
    expect(page.locator(".qc-order-fieldset [role=status]")).to_have_text(f"{labels[-1]}: position 1 of 4")

    order_with_keyboard(page, correct)
    assert items.evaluate_all("nodes => nodes.map(node => node.dataset.label)") == correct
    screenshot(page, "ordering-phone")

    for _ in range(20):
        if page.evaluate("document.activeElement.classList.contains('qc-submit')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#round-status")).to_contain_text("Answer received")
    expect(page.locator(".qc-order-up").first).to_be_disabled()

    control.get_by_role("button", name="Reveal").click()
    expect(page.locator("#result-line")).to_have_text(re.compile("You were right!"))
    expect(page.locator(".qc-order-item.is-correct")).to_have_count(len(correct))
    expect(control.locator(".qc-order-exact")).to_have_text("Exactly in order: 1 of 1")


def test_a_word_cloud_fills_on_the_projector_as_three_students_answer(people, quizcast_server, browser):
    question = quizcast_server.question("wordcloud")
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    projector = teacher.context.browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.context.add_cookies(teacher.context.cookies())
    projector.goto(control.url + "projector/")
    students = [join(people(f"student{n}", STUDENT_PASSWORD, phone=True), join_url) for n in (1, 2, 3)]
    push(control, quizcast_server, question)
    expect(projector.locator(".qc-empty")).to_have_text("No answers yet.")

    sent = [["Waves", "salt"], ["wäves ", "Blue"], ["WAVES", "salt", "gulls"]]
    for count, (page, words) in enumerate(zip(students, sent, strict=True), start=1):
        for index, word in enumerate(words, start=1):
            page.get_by_label(f"Word {index}").fill(word)
        page.get_by_role("button", name="Submit answer").click()
        expect(page.locator("#round-status")).to_contain_text("Answer received")
        expect(projector.locator("#p-answered")).to_contain_text(str(count))
        expect(projector.locator(".qc-cloud text")).to_have_count(
            len({w.strip().lower().replace("ä", "a") for a in sent[:count] for w in a})
        )

    words = projector.locator(".qc-cloud text")
    sizes = {
        word.get_attribute("data-word"): float(word.get_attribute("font-size"))
        for word in (words.nth(i) for i in range(words.count()))
    }
    assert set(sizes) == {"Waves", "salt", "Blue", "gulls"}  # grouped ignoring case, accents and spaces
    assert sizes["Waves"] > sizes["salt"] > sizes["Blue"] == sizes["gulls"]
    assert projector.locator(".qc-cloud").get_attribute("role") == "img"
    screenshot(projector, "wordcloud-projector")

    # The teacher takes a word off the wall; the dashboard keeps it, marked hidden.
    control.get_by_role("button", name="Hide “salt” from the projector").click()
    expect(projector.locator('.qc-cloud text[data-word="salt"]')).to_have_count(0)
    expect(projector.locator(".qc-cloud text")).to_have_count(3)
    expect(control.locator(".qc-cloud-moderation .is-hidden")).to_contain_text("salt")
    screenshot(control, "wordcloud-dashboard")
    screenshot(students[0], "wordcloud-phone")
    projector.context.close()


def test_a_formula_renders_on_the_phone_the_projector_and_the_preview_under_the_sites_policy(people, quizcast_server):
    """The site's Content-Security-Policy allows no inline style; KaTeX's styles are set through the DOM, so nothing
    is blocked (every violation Chromium reports fails the test, through the `people` fixture)."""
    question = quizcast_server.question("ordering")  # the demo's ordering question has formulas in every part
    teacher = people(*TEACHER)
    control, join_url = start_session(teacher)
    projector = teacher.new_page()
    policy = projector.goto(control.url + "projector/").headers["content-security-policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    page = join(people("student2", STUDENT_PASSWORD, phone=True), join_url)
    push(control, quizcast_server, question)

    for view in (page, projector):
        prompt = view.locator(".qc-prompt")
        expect(prompt.locator(".katex").first).to_be_visible()
        expect(prompt.locator(".katex")).to_have_count(4)
        assert "\\(" not in prompt.inner_text()
        assert view.locator(".qc-maths-source").count() == 0
    expect(page.locator(".qc-order-item .katex")).to_have_count(4)
    # Drawn through the DOM, KaTeX's layout is really applied: a fraction stacks, so it is taller than a line.
    fraction = page.locator(".qc-prompt .mfrac").first
    assert fraction.bounding_box()["height"] > 20
    screenshot(page, "maths-phone")
    screenshot(projector, "maths-projector")

    preview = teacher.new_page()
    preview.goto(f"{quizcast_server.url}/admin/quizzes/question/{question['id']}/preview/")
    expect(preview.locator(".qc-prompt .katex")).to_have_count(4)


def test_a_formula_katex_cannot_read_shows_its_source_and_text_stays_text(people, quizcast_server):
    teacher = people(*TEACHER)
    page = teacher.new_page()
    page.goto(f"{quizcast_server.url}/admin/quizzes/question/{quizcast_server.question('single')['id']}/preview/")
    shown = page.evaluate(
        """async () => {
            const { mathText } = await import('/static/js/maths.js');
            const node = document.createElement('p');
            node.append(mathText('<b>bold?</b> \\\\(\\\\frac{1}{\\\\) and \\\\(x^2\\\\)'));
            return {
                html: node.innerHTML.slice(0, 60),
                text: node.textContent,
                sources: node.querySelectorAll('.qc-maths-source').length,
                rendered: node.querySelectorAll('.katex').length,
            };
        }"""
    )
    assert shown["html"].startswith("&lt;b&gt;bold?&lt;/b&gt; ")
    assert shown["sources"] == 1 and "\\(\\frac{1}{\\)" in shown["text"]
    assert shown["rendered"] == 1
