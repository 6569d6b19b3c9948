// Live results of a round (a `results` payload, docs/protocol.md) as bars, for the teacher and the projector.
// `showKey` marks correct answers; the projector passes it only after the reveal. With `onToggleHidden` (the
// teacher's page), each text answer gets a button that hides it from the projector or shows it again.

import { el } from "./dom.js";
import { mathText } from "./maths.js";
import { choiceMark, plainNumber, usesChoices } from "./question-view.js";
import { wordCloud } from "./word-cloud.js";

const percent = (count, total) => (total ? Math.round((100 * count) / total) : 0);

function bar(label, count, total, { mark = null, correct = false, index = null, hidden = false, action = null, t }) {
  const share = percent(count, total);
  const fill = el("span", { class: "qc-bar-fill", style: { width: `${share}%` } });
  return el(
    "li",
    {
      class: `qc-bar-row${correct ? " is-correct" : ""}${hidden ? " is-hidden" : ""}${index === null ? "" : ` qc-tile--${index % 8}`}`,
    },
    mark,
    el(
      "span",
      { class: "qc-bar-label" },
      // A string stays text (students' answers are never read as formulas); a choice's text comes as a fragment.
      el("span", { class: "qc-bar-text" }, label),
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
        bar(mathText(choice.text || choice.image_alt), counts[String(choice.id)] ?? 0, answered, {
          mark: choiceMark(index),
          correct: correct.has(choice.id),
          index,
          t,
        }),
      ),
    );
  }
  if (!answered) return el("p", { class: "qc-empty", text: t("noAnswersYet") });
  if (question.type === "wordcloud") return wordCloudResults(results, { t, onToggleHidden });
  if (question.type === "scale") return scaleResults(question, results, { t });
  if (question.type === "ordering") return orderingResults(question, results, { t, answerKey, showKey });
  if (question.type === "numeric") {
    return el(
      "ol",
      { class: "qc-bars qc-bars--values" },
      (results.values ?? []).map(([value, count]) =>
        bar(plainNumber(value), count, answered, { correct: showKey && isNumericCorrect(value, answerKey), t }),
      ),
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

// The words everyone may see (hidden ones left out), as a cloud. The teacher's page (`onToggleHidden`) also lists
// every word with its count and a button that hides it from the projector or shows it again.
function wordCloudResults(results, { t, onToggleHidden = null }) {
  const all = results.words ?? [];
  const words = all.filter((word) => !word.hidden);
  const cloud = words.length
    ? wordCloud(words, {
        label: t("cloudLabel", { count: words.length }),
        countLabel: (word) => t("wordCount", { word: word.text, count: word.count }),
      })
    : el("p", { class: "qc-empty", text: t("noWordsYet") });
  const list = onToggleHidden
    ? el(
        "ol",
        { class: "qc-bars qc-bars--values qc-cloud-moderation", "aria-label": t("cloudWords") },
        all.map((word) =>
          bar(word.text, word.count, results.answered, {
            hidden: word.hidden,
            action: hideButton(word, onToggleHidden, t),
            t,
          }),
        ),
      )
    : el(
        "ul",
        { class: "visually-hidden" },
        words.map((word) => el("li", { text: t("wordCount", { word: word.text, count: word.count }) })),
      );
  return el("figure", { class: "qc-cloud-figure" }, cloud, el("figcaption", {}, list));
}

function scaleResults(question, results, { t }) {
  const { min, max, min_label: minLabel, max_label: maxLabel } = question.scale;
  const label = (value) =>
    value === min && minLabel
      ? `${value} · ${minLabel}`
      : value === max && maxLabel
        ? `${value} · ${maxLabel}`
        : String(value);
  return el(
    "div",
    { class: "qc-scale-results" },
    el("p", {
      class: "qc-scale-mean",
      text: results.mean === null || results.mean === undefined ? "" : t("meanIs", { mean: results.mean }),
    }),
    el(
      "ol",
      { class: "qc-bars qc-bars--values" },
      (results.histogram ?? []).map(([value, count]) => bar(label(value), count, results.answered, { t })),
    ),
  );
}

// How many put every item in place, then for each item how many put it at each position.
function orderingResults(question, results, { t, answerKey, showKey }) {
  const correct = showKey ? (answerKey?.correct_order ?? []) : [];
  const items = correct.length ? correct.map((id) => question.items.find((item) => item.id === id)) : question.items;
  const count = question.items.length;
  const positions = results.positions ?? {};
  const header = el(
    "tr",
    {},
    el("th", { scope: "col", text: t("item") }),
    Array.from({ length: count }, (_, index) =>
      el("th", { scope: "col", text: t("positionNumber", { position: index + 1 }) }),
    ),
  );
  const rows = items.map((item) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, mathText(item.text)),
      (positions[String(item.id)] ?? []).map((n, index) => {
        const right = correct.length > 0 && correct[index] === item.id;
        return el(
          "td",
          { class: right ? "is-correct" : "" },
          String(n),
          right ? el("span", { class: "qc-correct-flag", text: ` ${t("correctShort")}` }) : null,
        );
      }),
    ),
  );
  return el(
    "div",
    { class: "qc-order-results" },
    el("p", {
      class: "qc-order-exact",
      text: t("exactOrder", { count: results.correct ?? 0, answered: results.answered }),
    }),
    el(
      "div",
      { class: "table-responsive" },
      el(
        "table",
        { class: "table table-sm qc-order-table" },
        el("caption", { text: t("positionsCaption") }),
        el("thead", {}, header),
        el("tbody", {}, rows),
      ),
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
