// The projector of a student-paced session: how far the class got, from the projector's version of the grid
// (progress only: no cells, no scores, names only if the teacher shows them), whole in the snapshot and kept up
// to date from `grid.delta`. Drawn at most once a frame.

import { el, markSessionEnded, offerFullscreen, translator } from "./dom.js";
import { applyGridDelta, indexRows } from "./grid-delta.js";
import { connectionBadge, LiveSocket, readPageConfig } from "./live-socket.js";

const config = readPageConfig();
const t = translator();
const $ = (id) => document.getElementById(id);
const state = { grid: null, rows: new Map(), frame: 0, ended: false };
const socket = new LiveSocket(config.socketPath, { onStatus: connectionBadge($("connection"), t) });

function takeGrid(grid) {
  state.grid = grid;
  state.rows = indexRows(grid);
  schedule();
}

function applyDelta(delta) {
  if (!state.grid) return;
  applyGridDelta(state.grid, state.rows, delta);
  schedule();
}

function bar(share) {
  const node = el("progress", { class: "qc-paced-bar", max: "100", "aria-hidden": "true" });
  node.value = Math.round(Math.max(0, Math.min(1, share)) * 100);
  return node;
}

function draw() {
  state.frame = 0;
  const grid = state.grid;
  if (!grid) return;
  const count = grid.questions.length;
  const total = grid.students.length;
  const started = grid.students.filter((student) => student.v > 0).length;
  const finished = grid.students.filter((student) => count && student.done === count).length;
  $("progress-summary").textContent = t("summary", { started, total, finished });
  $("progress-closing").textContent =
    grid.closed || state.ended
      ? t("closed")
      : grid.closes_at
        ? t("closesAt", { time: new Date(grid.closes_at).toLocaleString() })
        : "";
  $("progress-questions").replaceChildren(
    ...grid.questions.map((question) =>
      el(
        "li",
        { class: "qc-paced-question" },
        el("span", { class: "qc-paced-label", text: t("questionShort", { number: question.number }) }),
        bar(total ? question.answered / total : 0),
        el("span", { class: "qc-paced-figure", text: `${question.answered}/${total}` }),
      ),
    ),
  );
  const named = grid.students.some((student) => "name" in student);
  let items;
  if (named) {
    const students = [...grid.students].sort((a, b) => a.name.localeCompare(b.name));
    items = students.map((student) =>
      el(
        "li",
        { class: "qc-paced-question" },
        el("span", { class: "qc-paced-label", text: student.name }),
        bar(count ? student.done / count : 0),
        el("span", { class: "qc-paced-figure", text: `${student.done}/${count}` }),
      ),
    );
  } else {
    // Without names: how many students have done each number of questions.
    const tally = new Array(count + 1).fill(0);
    for (const student of grid.students) tally[Math.min(student.done, count)] += 1;
    items = tally.map((students, done) =>
      el(
        "li",
        { class: "qc-paced-question" },
        el("span", { class: "qc-paced-label", text: t("studentsAt", { done, count: students }) }),
        bar(total ? students / total : 0),
      ),
    );
  }
  $("progress-students").replaceChildren(...items);
}

function schedule() {
  if (!state.frame) state.frame = window.requestAnimationFrame(draw);
}

function ended() {
  state.ended = true;
  markSessionEnded();
  schedule();
}

offerFullscreen($("fullscreen"), t);

socket
  .on("session.snapshot", (message) => {
    takeGrid(message.grid ?? null);
    if (message.session.state === "ended") ended();
  })
  .on("grid.updated", (message) => takeGrid(message.grid)) // the whole grid again: names shown or hidden
  .on("grid.delta", (message) => applyDelta(message.grid))
  .on("session.ended", ended)
  .on("session.updated", () => {})
  .on("presence.updated", () => {})
  .on("live.status", () => {})
  .on("results.updated", () => {})
  .on("pong", () => {})
  .on("error", () => {});

socket.connect();
window.quizcast = { state, socket };
