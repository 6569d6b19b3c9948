// Renders a question payload (quizzes.payloads.question_for_student) the way students see it.
// Used by the student page, the projector, the teacher's control page and the admin's question preview,
// so a choice has the same colour, shape and letter everywhere.

import { announce, el } from "./dom.js";
import { mathText } from "./maths.js";
import { parseNumber, showNumber } from "./numbers.js";

const SVG = "http://www.w3.org/2000/svg";
// Colour is never the only cue: every choice also has a shape and a letter.
const SHAPES = [
  ["polygon", { points: "12,3 22,21 2,21" }], // triangle
  ["polygon", { points: "12,2 22,12 12,22 2,12" }], // diamond
  ["circle", { cx: 12, cy: 12, r: 10 }], // circle
  ["rect", { x: 3, y: 3, width: 18, height: 18 }], // square
  ["polygon", { points: "12,2 15,9 22,9.5 16.5,14 18.5,21.5 12,17.5 5.5,21.5 7.5,14 2,9.5 9,9" }], // star
  ["polygon", { points: "12,2 22,9.5 18,21 6,21 2,9.5" }], // pentagon
  ["polygon", { points: "7,3 17,3 22,12 17,21 7,21 2,12" }], // hexagon
  ["polygon", { points: "9,2 15,2 15,9 22,9 22,15 15,15 15,22 9,22 9,15 2,15 2,9 9,9" }], // cross
];
const CHOICE_TYPES = new Set(["single", "multiple", "true_false", "poll"]);

const UNGRADED_TYPES = new Set(["poll", "wordcloud", "scale"]);

export const usesChoices = (question) => CHOICE_TYPES.has(question.type);
export const isGraded = (question) => !UNGRADED_TYPES.has(question.type);

// Numbers arrive as decimal strings, sometimes in exponent form ("1.44E+3"); show them as people write them.
// Done on the digits, not through a float, so no precision is lost.
export function plainNumber(text) {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(String(text).trim());
  if (!match) return String(text);
  const [, sign, whole, fraction = "", exponent] = match;
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point <= 0) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point, "0");
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const decimals = digits.slice(point).replace(/0+$/, "");
  return `${sign}${integer}${decimals ? `.${decimals}` : ""}`;
}
export const choiceLetter = (index) => String.fromCharCode(65 + index);

export function choiceMark(index) {
  const [shape, attributes] = SHAPES[index % SHAPES.length];
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "qc-shape");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, shape);
  for (const [name, value] of Object.entries(attributes)) path.setAttribute(name, String(value));
  svg.append(path);
  return el(
    "span",
    { class: "qc-mark", "aria-hidden": "true" },
    svg,
    el("span", { class: "qc-letter", text: choiceLetter(index) }),
  );
}

// The prompt is the page's main heading where the question is the page (student, projector, preview: level 1), a
// section's heading on the teacher's page. It takes the focus when a new question arrives.
export function questionHeader(question, t, { level = 2 } = {}) {
  const image = question.image
    ? el("img", { class: "qc-question-image", src: question.image, alt: question.image_alt || "" })
    : null;
  return el(
    "div",
    { class: "qc-question-header" },
    el("p", { class: "qc-question-meta", text: t(`type_${question.type}`) }),
    el(`h${level}`, { class: "qc-prompt", id: `prompt-${question.id}`, tabindex: "-1" }, mathText(question.prompt)),
    image,
  );
}

// A choice's content: its image (described for screen readers) and its text, which may hold formulas.
function choiceContent(choice) {
  const image = choice.image
    ? el("img", { class: "qc-tile-image", src: choice.image, alt: choice.image_alt || "" })
    : null;
  return el(
    "span",
    { class: `qc-tile-text${image ? " has-image" : ""}` },
    image,
    choice.text ? el("span", {}, mathText(choice.text)) : null,
  );
}

// Read-only tiles for the projector and the teacher: the same look, no inputs.
export function choiceBoard(question) {
  return el(
    "ol",
    { class: "qc-tiles qc-tiles--static", "data-count": question.choices.length },
    question.choices.map((choice, index) =>
      el(
        "li",
        { class: `qc-tile qc-tile--${index % SHAPES.length}`, dataset: { choiceId: choice.id } },
        el(
          "span",
          { class: "qc-tile-body" },
          choiceMark(index),
          choiceContent(choice),
          el("span", { class: "qc-tile-status" }),
        ),
      ),
    ),
  );
}

// Mark the correct tiles of a board or form (and the chosen wrong ones) after the reveal.
export function markTiles(container, answerKey, { chosen = [], counts = null, t }) {
  const correct = new Set(answerKey?.correct_choices ?? []);
  for (const tile of container.querySelectorAll("[data-choice-id]")) {
    const id = Number(tile.dataset.choiceId);
    const isCorrect = correct.has(id);
    tile.classList.toggle("is-correct", isCorrect);
    tile.classList.toggle("is-wrong", !isCorrect && chosen.includes(id));
    tile.classList.toggle("is-dimmed", correct.size > 0 && !isCorrect);
    const status = tile.querySelector(".qc-tile-status");
    const parts = [];
    if (isCorrect) parts.push(t("correctChoice"));
    if (counts && String(id) in counts) parts.push(t("answerCount", { count: counts[String(id)] }));
    status.textContent = parts.join(" · ");
  }
}

// The right answer in words, for any type: "B · Green", "3.14 (± 0.01)", "Paris / París".
export function answerKeyText(question, answerKey, t) {
  if (!answerKey) return "";
  if (answerKey.correct_choices) {
    return question.choices
      .map((choice, index) =>
        answerKey.correct_choices.includes(choice.id)
          ? `${choiceLetter(index)} · ${choice.text || choice.image_alt}`
          : null,
      )
      .filter(Boolean)
      .join(", ");
  }
  if (answerKey.numeric_target !== undefined) {
    const tolerance = Number(answerKey.numeric_tolerance) > 0 ? ` (± ${plainNumber(answerKey.numeric_tolerance)})` : "";
    return `${plainNumber(answerKey.numeric_target)}${tolerance}`;
  }
  if (answerKey.accepted_answers) return answerKey.accepted_answers.join(" / ");
  if (answerKey.correct_order) {
    const items = new Map(question.items.map((item) => [item.id, item.text]));
    return answerKey.correct_order.map((id, index) => `${index + 1}. ${items.get(id)}`).join(", ");
  }
  return t("noCorrectAnswer");
}

function inputsFor(question, t) {
  if (usesChoices(question)) return choiceInputs(question, t);
  if (question.type === "ordering") return orderingInputs(question, t);
  if (question.type === "wordcloud") return wordInputs(question, t);
  if (question.type === "scale") return scaleInputs(question, t);
  return valueInput(question, t);
}

// The answering form: tiles (radio or checkbox inputs), a number field or a text field, and a Submit button.
export function answerForm(question, { t, onSubmit = () => {}, preview = false }) {
  const message = el("p", { class: "qc-form-message", role: "status" });
  const submit = el("button", { class: "btn btn-primary btn-lg qc-submit", type: "submit", text: t("submit") });
  const fields = inputsFor(question, t);
  const form = el(
    "form",
    { class: "qc-answer-form", novalidate: true },
    fields.element,
    el("div", { class: "qc-submit-row" }, submit, message),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (preview || form.classList.contains("is-locked")) return;
    const answer = fields.read();
    if (answer === null) {
      message.textContent = fields.missing;
      return;
    }
    message.textContent = "";
    onSubmit(answer);
  });

  const view = {
    element: form,
    setAnswer: (answer) => fields.write(answer),
    lock(label) {
      form.classList.add("is-locked");
      for (const control of form.querySelectorAll("input, button")) control.disabled = true;
      submit.textContent = label ?? t("submit");
      fields.refresh?.();
    },
    unlock() {
      form.classList.remove("is-locked");
      for (const control of form.querySelectorAll("input, button")) control.disabled = false;
      submit.textContent = t("submit");
      fields.refresh?.();
    },
    say(text) {
      message.textContent = text;
    },
    reveal(answerKey, { counts = null, answer = null } = {}) {
      const chosen = answer ? (answer.choices ?? (answer.choice !== undefined ? [answer.choice] : [])) : [];
      if (usesChoices(question)) markTiles(form, answerKey, { chosen, counts, t });
      fields.reveal?.(answerKey);
    },
    focus() {
      form.querySelector("input, .qc-order-item button")?.focus();
    },
  };
  if (preview) {
    view.lock();
    form.classList.add("is-preview");
  }
  return view;
}

function choiceInputs(question, t) {
  const multiple = question.type === "multiple";
  const name = `answer-${question.id}`;
  const legend = el("legend", { class: "visually-hidden", text: multiple ? t("chooseAll") : t("chooseOne") });
  const tiles = question.choices.map((choice, index) =>
    el(
      "label",
      { class: `qc-tile qc-tile--${index % SHAPES.length}`, dataset: { choiceId: choice.id } },
      el("input", { class: "qc-tile-input", type: multiple ? "checkbox" : "radio", name, value: choice.id }),
      el(
        "span",
        { class: "qc-tile-body" },
        choiceMark(index),
        choiceContent(choice),
        el("span", { class: "qc-tile-status" }),
      ),
    ),
  );
  const element = el(
    "fieldset",
    { class: "qc-tiles-fieldset" },
    legend,
    multiple ? el("p", { class: "qc-hint", text: t("chooseAll") }) : null,
    el("div", { class: "qc-tiles", "data-count": tiles.length }, tiles),
  );
  const inputs = () => [...element.querySelectorAll("input")];
  return {
    element,
    missing: multiple ? t("missingChoices") : t("missingChoice"),
    read() {
      const ids = inputs()
        .filter((input) => input.checked)
        .map((input) => Number(input.value));
      if (!ids.length) return null;
      return multiple ? { choices: ids } : { choice: ids[0] };
    },
    write(answer) {
      const ids = answer.choices ?? [answer.choice];
      for (const input of inputs()) input.checked = ids.includes(Number(input.value));
    },
  };
}

function valueInput(question, t) {
  const numeric = question.type === "numeric";
  const id = `answer-${question.id}`;
  const input = el("input", {
    class: "form-control form-control-lg qc-value-input",
    id,
    type: "text",
    inputmode: numeric ? "decimal" : null,
    autocomplete: "off",
    autocapitalize: numeric ? null : "off",
    spellcheck: "false",
    maxlength: numeric ? 40 : 200,
  });
  const language = document.documentElement.lang || "en";
  // The number that will be sent, as the page's language reads what is typed: "= 1440".
  const reading = numeric ? el("p", { class: "qc-number-reading", id: `${id}-reading`, "aria-live": "polite" }) : null;
  if (numeric) {
    input.setAttribute("aria-describedby", reading.id);
    input.addEventListener("input", () => {
      const number = parseNumber(input.value, language);
      reading.textContent = number === null ? "" : t("numberReading", { number: showNumber(number, language) });
      confirmed = null;
    });
  }
  let confirmed = null;
  const element = el(
    "div",
    { class: "qc-value-field" },
    el("label", { class: "form-label", for: id, text: numeric ? t("yourNumber") : t("yourText") }),
    input,
    reading,
  );
  const field = {
    element,
    missing: numeric ? t("missingNumber") : t("missingText"),
    read() {
      const value = input.value.trim();
      if (!value) return null;
      if (!numeric) return { text: value };
      const number = parseNumber(value, language);
      if (number === null) return null;
      // "1,440" means 1.44 in Italian and 1440 in English: the student confirms by submitting again.
      const english = parseNumber(value, "en");
      if (english !== null && english !== number && confirmed !== value) {
        confirmed = value;
        field.missing = t("numberCheck", { typed: value, number: showNumber(number, language), other: english });
        return null;
      }
      field.missing = t("missingNumber");
      return { value, language };
    },
    write(answer) {
      input.value = numeric ? showNumber(plainNumber(answer.value ?? ""), language) : String(answer.text ?? "");
      if (reading) reading.textContent = "";
    },
  };
  return field;
}

// Ordering: the items in the order the round shows them; the student moves them with the Up and Down buttons
// (keyboard and screen readers: each move is announced) or by dragging an item by its handle (mouse and touch).
function orderingInputs(question, t) {
  const hintId = `order-hint-${question.id}`;
  const status = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const list = el("ol", { class: "qc-order-list", "aria-describedby": hintId });
  const items = () => [...list.children];
  const count = question.items.length;

  function refresh() {
    items().forEach((node, index) => {
      node.querySelector(".qc-order-position").textContent = String(index + 1);
      node.querySelector(".qc-order-up").disabled = node.closest(".is-locked") !== null || index === 0;
      node.querySelector(".qc-order-down").disabled = node.closest(".is-locked") !== null || index === count - 1;
    });
  }

  function move(node, offset, focusButton) {
    const index = items().indexOf(node);
    const target = index + offset;
    if (target < 0 || target >= count || node.closest(".is-locked")) return;
    if (offset < 0) list.insertBefore(node, items()[target]);
    else list.insertBefore(node, items()[target].nextSibling);
    refresh();
    const button = node.querySelector(focusButton);
    (button.disabled
      ? node.querySelector(focusButton === ".qc-order-up" ? ".qc-order-down" : ".qc-order-up")
      : button
    ).focus();
    announce(status, t("movedTo", { item: node.dataset.label, position: target + 1, count }));
  }

  function itemNode(item) {
    const node = el(
      "li",
      { class: "qc-order-item", dataset: { itemId: item.id, label: item.text } },
      el("span", { class: "qc-order-handle", "aria-hidden": "true", title: t("dragToMove") }, "⠿"),
      el("span", { class: "qc-order-position", "aria-hidden": "true" }),
      el("span", { class: "qc-order-text" }, mathText(item.text)),
      el("span", { class: "qc-order-status" }),
      el(
        "span",
        { class: "qc-order-buttons" },
        el("button", {
          class: "btn btn-outline-secondary qc-order-up",
          type: "button",
          "aria-label": t("moveUp", { item: item.text }),
          text: "↑",
        }),
        el("button", {
          class: "btn btn-outline-secondary qc-order-down",
          type: "button",
          "aria-label": t("moveDown", { item: item.text }),
          text: "↓",
        }),
      ),
    );
    node.querySelector(".qc-order-up").addEventListener("click", () => move(node, -1, ".qc-order-up"));
    node.querySelector(".qc-order-down").addEventListener("click", () => move(node, 1, ".qc-order-down"));
    dragByHandle(node, list, () => {
      refresh();
      announce(status, t("movedTo", { item: node.dataset.label, position: items().indexOf(node) + 1, count }));
    });
    return node;
  }

  list.append(...question.items.map(itemNode));
  const element = el(
    "fieldset",
    { class: "qc-order-fieldset" },
    el("legend", { class: "visually-hidden", text: t("orderLegend") }),
    el("p", { class: "qc-hint", id: hintId, text: t("orderHint") }),
    list,
    status,
  );
  refresh();
  return {
    element,
    missing: "",
    refresh, // after the form is locked or unlocked: the first item cannot go up, the last cannot go down
    read: () => ({ order: items().map((node) => Number(node.dataset.itemId)) }),
    write(answer) {
      const byId = new Map(items().map((node) => [Number(node.dataset.itemId), node]));
      for (const id of answer.order ?? []) if (byId.has(id)) list.append(byId.get(id));
      refresh();
    },
    reveal(answerKey) {
      const correct = answerKey?.correct_order ?? [];
      items().forEach((node, index) => {
        const right = correct[index] === Number(node.dataset.itemId);
        node.classList.toggle("is-correct", right);
        node.classList.toggle("is-wrong", !right);
        const belongs = correct.indexOf(Number(node.dataset.itemId)) + 1;
        node.querySelector(".qc-order-status").textContent = right
          ? t("inPlace")
          : t("belongsAt", { position: belongs });
      });
    },
  };
}

// Drag an item by its handle to another place in its list, with a mouse, a pen or a finger. The moves are followed
// on the window: moving the item in the list releases any pointer capture its handle had.
function dragByHandle(node, list, onDrop) {
  const handle = node.querySelector(".qc-order-handle");
  handle.addEventListener("pointerdown", (event) => {
    if (node.closest(".is-locked") || !event.isPrimary) return;
    event.preventDefault();
    node.classList.add("is-dragging");
    const onMove = (moveEvent) => {
      if (moveEvent.pointerId !== event.pointerId) return;
      const siblings = [...list.children];
      const index = siblings.indexOf(node);
      const before = siblings.slice(0, index).find((other) => moveEvent.clientY < middleOf(other));
      const after = siblings.slice(index + 1).findLast((other) => moveEvent.clientY > middleOf(other));
      if (before) list.insertBefore(node, before);
      else if (after) list.insertBefore(node, after.nextSibling);
    };
    const onUp = (upEvent) => {
      if (upEvent.pointerId !== event.pointerId) return;
      node.classList.remove("is-dragging");
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("pointerup", onUp);
      window.removeEventListener("pointercancel", onUp);
      onDrop();
    };
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("pointercancel", onUp);
  });
}

function middleOf(node) {
  const box = node.getBoundingClientRect();
  return box.top + box.height / 2;
}

// Word cloud: one field per word the teacher allows (1 to 3), each up to 40 characters.
function wordInputs(question, t) {
  const max = question.max_words ?? 1;
  const inputs = [];
  const fields = [];
  for (let index = 0; index < max; index += 1) {
    const id = `answer-${question.id}-word-${index + 1}`;
    const input = el("input", {
      class: "form-control form-control-lg qc-word-input",
      id,
      type: "text",
      autocomplete: "off",
      spellcheck: "false",
      maxlength: 40,
    });
    inputs.push(input);
    fields.push(
      el(
        "div",
        { class: "qc-value-field" },
        el("label", {
          class: "form-label",
          for: id,
          text: max === 1 ? t("yourWord") : t("wordNumber", { number: index + 1 }),
        }),
        input,
      ),
    );
  }
  return {
    element: el(
      "div",
      { class: "qc-words" },
      max > 1 ? el("p", { class: "qc-hint", text: t("wordsHint", { count: max }) }) : null,
      fields,
    ),
    missing: t("missingWords"),
    read() {
      const words = inputs.map((input) => input.value.trim()).filter(Boolean);
      return words.length ? { words } : null;
    },
    write(answer) {
      inputs.forEach((input, index) => {
        input.value = answer.words?.[index] ?? "";
      });
    },
  };
}

// Rating scale: one radio button per rating, with the teacher's labels at both ends.
function scaleInputs(question, t) {
  const { min, max, min_label: minLabel, max_label: maxLabel } = question.scale;
  const name = `answer-${question.id}`;
  const options = [];
  for (let value = min; value <= max; value += 1) {
    const edge = value === min ? minLabel : value === max ? maxLabel : "";
    options.push(
      el(
        "label",
        { class: "qc-scale-option" },
        el("input", {
          class: "qc-scale-input",
          type: "radio",
          name,
          value,
          "aria-label": edge ? `${value} (${edge})` : String(value),
        }),
        el("span", { class: "qc-scale-value", "aria-hidden": "true", text: String(value) }),
      ),
    );
  }
  const element = el(
    "fieldset",
    { class: "qc-scale-fieldset" },
    el("legend", { class: "visually-hidden", text: t("scaleLegend", { min, max }) }),
    el("div", { class: "qc-scale", "data-count": options.length }, options),
    el(
      "div",
      { class: "qc-scale-ends", "aria-hidden": "true" },
      el("span", { text: minLabel || String(min) }),
      el("span", { text: maxLabel || String(max) }),
    ),
  );
  const inputs = () => [...element.querySelectorAll("input")];
  return {
    element,
    missing: t("missingRating"),
    read() {
      const chosen = inputs().find((input) => input.checked);
      return chosen ? { value: Number(chosen.value) } : null;
    },
    write(answer) {
      for (const input of inputs()) input.checked = Number(input.value) === answer.value;
    },
  };
}
