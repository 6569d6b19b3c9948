// Live results of a round (a `results` payload, docs/protocol.md) as bars, for the teacher and the projector.
// `showKey` marks correct answers; the projector passes it only after the reveal.

import { el } from "./dom.js";
import { mathText } from "./maths.js";
import { choiceMark, plainNumber, usesChoices } from "./question-view.js";
import { wordCloud } from "./word-cloud.js";

const percent = (count, total) => (total ? Math.round((100 * count) / total) : 0);

function bar(label, count, total, { mark = null, correct = false, index = null, t }) {
  const share = percent(count, total);
  const fill = el("span", { class: "qc-bar-fill", style: { width: `${share}%` } });
  return el(
    "li",
    { class: `qc-bar-row${correct ? " is-correct" : ""}${index === null ? "" : ` qc-tile--${index % 8}`}` },
    mark,
    el("span", { class: "qc-bar-label" }, el("span", { class: "qc-bar-text" }, mathText(label)), correct ? el("span", { class: "qc-correct-flag", text: t("correctShort") }) : null),
    el("span", { class: "qc-bar-track", "aria-hidden": "true" }, fill),
    el("span", { class: "qc-bar-count", text: t("countAndShare", { count, share }) }),
  );
}

function isNumericCorrect(value, answerKey) {
  if (!answerKey || answerKey.numeric_target === undefined) return false;
  return Math.abs(Number(value) - Number(answerKey.numeric_target)) <= Number(answerKey.numeric_tolerance || 0) + 1e-9;
}

export function resultsList(question, results, { t, answerKey = null, showKey = false }) {
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
  if (question.type === "wordcloud") return wordCloudResults(results, { t });
  if (question.type === "scale") return scaleResults(question, results, { t });
  if (question.type === "ordering") return orderingResults(question, results, { t, answerKey, showKey });
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
    (results.texts ?? []).map((group) => bar(group.text, group.count, answered, { correct: showKey && group.correct === true, t })),
  );
}

// The words everyone may see (hidden ones left out), as a cloud; the teacher's page adds its own moderation list.
function wordCloudResults(results, { t }) {
  const words = (results.words ?? []).filter((word) => !word.hidden);
  if (!words.length) return el("p", { class: "qc-empty", text: t("noWordsYet") });
  return el(
    "figure",
    { class: "qc-cloud-figure" },
    wordCloud(words, { label: t("cloudLabel", { count: words.length }), countLabel: (word) => t("wordCount", { word: word.text, count: word.count }) }),
    el("figcaption", { class: "visually-hidden" }, el("ul", {}, words.map((word) => el("li", { text: t("wordCount", { word: word.text, count: word.count }) })))),
  );
}

function scaleResults(question, results, { t }) {
  const { min, max, min_label: minLabel, max_label: maxLabel } = question.scale;
  const label = (value) => (value === min && minLabel ? `${value} · ${minLabel}` : value === max && maxLabel ? `${value} · ${maxLabel}` : String(value));
  return el(
    "div",
    { class: "qc-scale-results" },
    el("p", { class: "qc-scale-mean", text: results.mean === null || results.mean === undefined ? "" : t("meanIs", { mean: results.mean }) }),
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
  const header = el("tr", {}, el("th", { scope: "col", text: t("item") }), Array.from({ length: count }, (_, index) => el("th", { scope: "col", text: t("positionNumber", { position: index + 1 }) })));
  const rows = items.map((item) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, mathText(item.text)),
      (positions[String(item.id)] ?? []).map((n, index) => {
        const right = correct.length > 0 && correct[index] === item.id;
        return el("td", { class: right ? "is-correct" : "" }, String(n), right ? el("span", { class: "qc-correct-flag", text: ` ${t("correctShort")}` }) : null);
      }),
    ),
  );
  return el(
    "div",
    { class: "qc-order-results" },
    el("p", { class: "qc-order-exact", text: t("exactOrder", { count: results.correct ?? 0, answered: results.answered }) }),
    el("div", { class: "table-responsive" }, el("table", { class: "table table-sm qc-order-table" }, el("caption", { text: t("positionsCaption") }), el("thead", {}, header), el("tbody", {}, rows))),
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
