// The teacher's page of a student-paced session: a grid of students × questions, whole in the snapshot, then kept
// up to date from `grid.delta` (only the rows that changed, at most ten a second per server worker, drawn at most
// once a frame here), a page of students at a time so that a class of 200 with 50 questions never redraws 10,000
// cells; the closing time, extend and close.

import { el, markSessionEnded, show, translator } from "./dom.js";
import { applyGridDelta, indexRows } from "./grid-delta.js";
import { connectionBadge, LiveSocket, readPageConfig } from "./live-socket.js";

const PAGE_SIZE = 40;
const SYMBOLS = { r: "✓", w: "✗", a: "●", x: "–", o: "…", ".": "" };
const CELL_CLASSES = { r: "r", w: "w", a: "a", x: "x", o: "o", ".": "dot" };

const config = readPageConfig();
const t = translator();
const $ = (id) => document.getElementById(id);
const state = { grid: null, rows: new Map(), page: 0, drawn: new Map(), columns: -1, frame: 0, ended: false };
const socket = new LiveSocket(config.socketPath, { onStatus: connectionBadge($("connection"), t) });

const percent = (value) => (value === null || value === undefined ? "–" : `${Math.round(value * 100)}%`);

function header(questions) {
  const cells = questions.map((question) =>
    el("th", {
      scope: "col",
      class: "qc-grid-q",
      title: question.prompt,
      text: t("questionShort", { number: question.number }),
    }),
  );
  $("grid").tHead.replaceChildren(
    el(
      "tr",
      {},
      el("th", { scope: "col", text: t("student") }),
      el("th", { scope: "col", class: "text-end", text: t("progress") }),
      el("th", { scope: "col", class: "text-end", text: t("score") }),
      cells,
    ),
  );
}

function footer(questions) {
  const cells = questions.map((question) => el("td", { class: "qc-grid-acc", text: percent(question.accuracy) }));
  $("grid").tFoot.replaceChildren(el("tr", {}, el("th", { scope: "row", colspan: 3, text: t("accuracy") }), cells));
}

function cellNode(code) {
  const node = el("td", { class: `qc-cell qc-cell--${CELL_CLASSES[code] ?? "dot"}`, text: SYMBOLS[code] ?? "" });
  node.append(el("span", { class: "visually-hidden", text: t(`cell_${code}`) }));
  return node;
}

function rowNode(student, count) {
  const row = el(
    "tr",
    { dataset: { studentId: student.id } },
    el("th", { scope: "row", class: "qc-grid-name", text: student.name }),
    el("td", { class: "text-end qc-grid-done", text: `${student.done}/${count}` }),
    el("td", { class: "text-end qc-grid-points", text: String(student.points) }),
  );
  for (const code of student.cells) row.append(cellNode(code));
  return row;
}

// Only the rows of the page on screen are touched, and in them only the cells that changed.
function updateRow(row, student, previous, count) {
  row.children[1].textContent = `${student.done}/${count}`;
  row.children[2].textContent = String(student.points);
  for (let index = 0; index < student.cells.length; index += 1) {
    if (previous.cells[index] !== student.cells[index])
      row.children[3 + index].replaceWith(cellNode(student.cells[index]));
  }
}

function draw() {
  state.frame = 0;
  const grid = state.grid;
  if (!grid) return;
  const count = grid.questions.length;
  if (state.columns !== count) {
    header(grid.questions);
    state.columns = count;
    state.drawn.clear();
    $("grid").tBodies[0].replaceChildren();
  }
  footer(grid.questions);
  const total = grid.students.length;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const first = state.page * PAGE_SIZE;
  const shown = grid.students.slice(first, first + PAGE_SIZE);
  const body = $("grid").tBodies[0];
  const onPage = new Set(shown.map((student) => student.id));
  for (const [id, entry] of state.drawn) {
    if (!onPage.has(id)) {
      entry.row.remove();
      state.drawn.delete(id);
    }
  }
  shown.forEach((student, index) => {
    const entry = state.drawn.get(student.id);
    if (entry) {
      if (entry.student.cells !== student.cells || entry.student.points !== student.points)
        updateRow(entry.row, student, entry.student, count);
      entry.student = student;
      if (body.children[index] !== entry.row) body.insertBefore(entry.row, body.children[index] ?? null);
    } else {
      const row = rowNode(student, count);
      body.insertBefore(row, body.children[index] ?? null);
      state.drawn.set(student.id, { row, student });
    }
  });
  const started = grid.students.filter((student) => student.cells.replaceAll(".", "") !== "").length;
  const finished = grid.students.filter((student) => count && student.done === count).length;
  $("grid-summary").textContent = t("summary", { started, total, finished });
  $("page-label").textContent = t("page", { first: total ? first + 1 : 0, last: first + shown.length, total });
  $("page-previous").disabled = state.page === 0;
  $("page-next").disabled = state.page >= pages - 1;
  showClosing(grid.closes_at, grid.closed);
}

function takeGrid(grid) {
  state.grid = grid;
  state.rows = indexRows(grid);
}

function applyDelta(delta) {
  if (!state.grid) return;
  applyGridDelta(state.grid, state.rows, delta);
  schedule();
}

function schedule() {
  if (!state.frame) state.frame = window.requestAnimationFrame(draw);
}

function showClosing(closesAt, closed) {
  const line = $("closing-line");
  if (closed || state.ended) line.textContent = t("closed");
  else line.textContent = closesAt ? t("closesAt", { time: new Date(closesAt).toLocaleString() }) : t("noClosing");
  const input = $("closes-at");
  if (closesAt && document.activeElement !== input) {
    const local = new Date(closesAt);
    local.setMinutes(local.getMinutes() - local.getTimezoneOffset());
    input.value = local.toISOString().slice(0, 16);
  }
}

function showError(message) {
  const text = t(`error_${message.code}`) === `error_${message.code}` ? message.message : t(`error_${message.code}`);
  $("command-error").textContent = text;
  show($("command-error"), true);
}

function ended() {
  state.ended = true;
  markSessionEnded();
  schedule();
}

$("page-previous").addEventListener("click", () => {
  state.page = Math.max(0, state.page - 1);
  schedule();
});
$("page-next").addEventListener("click", () => {
  state.page += 1;
  schedule();
});
$("extend-form").addEventListener("submit", (event) => {
  event.preventDefault();
  show($("command-error"), false);
  const value = $("closes-at").value;
  const message = { type: "session.extend", ref: socket.nextRef("extend") };
  if (value) message.closes_at = new Date(value).toISOString();
  socket.send(message);
});
$("projector-names").addEventListener("change", (event) => {
  socket.send({ type: "paced.projector_names", names: event.target.checked, ref: socket.nextRef("names") });
});
$("end-session").addEventListener("click", () => {
  if (window.confirm(t("confirmEnd"))) socket.send({ type: "session.end", ref: socket.nextRef("end") });
});

socket
  .on("session.snapshot", (message) => {
    takeGrid(message.grid ?? null);
    if (message.session.state === "ended") ended();
    schedule();
  })
  .on("grid.updated", (message) => {
    if (!state.grid || message.grid.version >= state.grid.version) {
      takeGrid(message.grid);
      schedule();
    }
  })
  .on("grid.delta", (message) => applyDelta(message.grid))
  .on("session.updated", (message) => {
    if (state.grid) state.grid.closes_at = message.session.closes_at;
    $("projector-names").checked = message.session.projector_names;
    show($("command-error"), false);
    schedule();
  })
  .on("session.ended", ended)
  .on("error", showError)
  .on("pong", () => {})
  .on("presence.updated", () => {})
  .on("live.status", () => {})
  .on("results.updated", () => {});

socket.connect();
window.quizcast = { state, socket };
