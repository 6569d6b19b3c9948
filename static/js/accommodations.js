// What the student page adapts for one student, as the teacher set it on the enrolment: their own deadline with
// extra time (the server applies the same rule: classroom/accommodations.py), and reading questions aloud with the
// browser's own speech synthesis (nothing leaves the device).

import { el } from "./dom.js";

const FACTORS = { 1.5: 1.5, 2: 2 };

// Milliseconds since the epoch, or null for no limit.
export function personalDeadline(round, extraTime) {
  if (!round?.deadline || extraTime === "unlimited") return null;
  const deadline = Date.parse(round.deadline);
  const factor = FACTORS[extraTime];
  const limit = round.question?.time_limit;
  return factor && limit ? deadline + (factor - 1) * limit * 1000 : deadline;
}

function questionText(question) {
  const choices = (question.choices ?? []).map(
    (choice, index) => `${String.fromCharCode(65 + index)}: ${choice.text}.`,
  );
  return [question.prompt, ...choices].join(" \n");
}

// A button the student presses to hear the question and its choices; pressed again, it stops.
export function readAloudButton(question, { t, language }) {
  if (!("speechSynthesis" in window)) return null;
  const button = el("button", {
    class: "btn btn-outline-dark qc-read-aloud",
    type: "button",
    "aria-pressed": "false",
    text: t("readAloud"),
  });
  const stop = () => {
    window.speechSynthesis.cancel();
    button.setAttribute("aria-pressed", "false");
    button.textContent = t("readAloud");
  };
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-pressed") === "true") return stop();
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(questionText(question));
    utterance.lang = language || "en";
    utterance.addEventListener("end", stop);
    utterance.addEventListener("error", stop);
    button.setAttribute("aria-pressed", "true");
    button.textContent = t("stopReading");
    window.speechSynthesis.speak(utterance);
  });
  return button;
}
