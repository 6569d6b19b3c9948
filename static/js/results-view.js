// Live results of a round (a `results` payload, docs/protocol.md) as bars, for the teacher and the projector.
// `showKey` marks correct answers; the projector passes it only after the reveal. With `onToggleHidden` (the
// teacher's page), each text answer gets a button that hides it from the projector or shows it again.

import { el } from "./dom.js";
import { choiceMark, plainNumber, usesChoices } from "./question-view.js";

const percent = (count, total) => (total ? Math.round((100 * count) / total) : 0);

function bar(label, count, total, { mark = null, correct = false, index = null, hidden = false, action = null, t }) {
  const share = percent(count, total);
  const fill = el("span", { class: "qc-bar-fill", style: { width: `${share}%` } });
  return el(
    "li",
    { class: `qc-bar-row${correct ? " is-correct" : ""}${hidden ? " is-hidden" : ""}${index === null ? "" : ` qc-tile--${index % 8}`}` },
    mark,
    el(
      "span",
      { class: "qc-bar-label" },
      el("span", { class: "qc-bar-text", text: label }),
      correct ? el("span", { class: "qc-correct-flag", text: t("correctShort") }) : null,
      hidden ? el("span", { class: "badge text-bg-secondary qc-hidden-flag", text: t("hiddenText") }) : null,
    ),
    el("span", { class: "qc-bar-track", "aria-hidden": "true" }, fill),
    el("span", { class: "qc-bar-count", text: t("countAndShare", { count, share }) }),
    action,
  );
}

function hideButton(group, onToggleHidden, t) {
  const hide = !group.hidden;
  return el("button", {
    class: "btn btn-sm btn-link qc-hide-text",
    type: "button",
    "aria-label": t(hide ? "hideTextLabel" : "showTextLabel", { text: group.text }),
    text: t(hide ? "hideText" : "showText"),
    onclick: () => onToggleHidden(group.text, hide),
  });
}

function isNumericCorrect(value, answerKey) {
  if (!answerKey || answerKey.numeric_target === undefined) return false;
  return Math.abs(Number(value) - Number(answerKey.numeric_target)) <= Number(answerKey.numeric_tolerance || 0) + 1e-9;
}

export function resultsList(question, results, { t, answerKey = null, showKey = false, onToggleHidden = null }) {
  const answered = results?.answered ?? 0;
  if (usesChoices(question)) {
    const counts = results?.choice_counts ?? {};
    const correct = new Set(showKey ? (answerKey?.correct_choices ?? []) : []);
    return el(
      "ol",
      { class: "qc-bars" },
      question.choices.map((choice, index) =>
        bar(choice.text, counts[String(choice.id)] ?? 0, answered, { mark: choiceMark(index), correct: correct.has(choice.id), index, t }),
      ),
    );
  }
  if (!answered) return el("p", { class: "qc-empty", text: t("noAnswersYet") });
  if (question.type === "numeric") {
    return el(
      "ol",
      { class: "qc-bars qc-bars--values" },
      (results.values ?? []).map(([value, count]) => bar(plainNumber(value), count, answered, { correct: showKey && isNumericCorrect(value, answerKey), t })),
    );
  }
  return el(
    "ol",
    { class: "qc-bars qc-bars--values" },
    (results.texts ?? []).map((group) =>
      bar(group.text, group.count, answered, {
        correct: showKey && group.correct === true,
        hidden: Boolean(onToggleHidden && group.hidden),
        action: onToggleHidden ? hideButton(group, onToggleHidden, t) : null,
        t,
      }),
    ),
  );
}

export function leaderboardList(entries, { t, highlightId = null }) {
  if (!entries?.length) return el("p", { class: "qc-empty", text: t("noScoresYet") });
  return el(
    "ol",
    { class: "qc-leaderboard" },
    entries.map((entry) =>
      el(
        "li",
        { class: `qc-leader${entry.id === highlightId ? " is-you" : ""}`, dataset: { rank: entry.rank } },
        el("span", { class: "qc-leader-rank", text: String(entry.rank) }),
        el("span", { class: "qc-leader-name", text: entry.name }),
        el("span", { class: "qc-leader-points", text: t("points", { points: entry.points }) }),
      ),
    ),
  );
}
