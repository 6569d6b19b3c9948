// The projector view: large, read-only. It listens on the projector socket, which carries only what the room may
// see: while a question is open, how many answered (per-choice counts too if the session shows live results);
// everything else once the question closes, and the answer key with the reveal. It never sends a command.

import { startCountdown } from "./countdown.js";
import { el, markSessionEnded, offerFullscreen, show, translator } from "./dom.js";
import { connectionBadge, LiveSocket, readPageConfig } from "./live-socket.js";
import { mathText } from "./maths.js";
import { answerKeyText, choiceBoard, isGraded, markTiles, questionHeader, usesChoices } from "./question-view.js";
import { leaderboardList, resultsList } from "./results-view.js";
import { followRounds } from "./teacher-round.js";

const config = readPageConfig();
const t = translator();
const $ = (id) => document.getElementById(id);
const screens = { lobby: $("screen-lobby"), question: $("screen-question"), ended: $("screen-ended") };

const state = { round: null, results: null, reveal: null, leaderboard: [], students: [], ended: false };
const socket = new LiveSocket(config.socketPath, { onStatus: connectionBadge($("connection"), t) });

function showScreen(name) {
  for (const [key, node] of Object.entries(screens)) show(node, key === name);
}

function renderLobby() {
  $("lobby-count").textContent = t("joinedCount", { count: state.students.length });
  $("lobby-names").replaceChildren(
    ...state.students.map((student) => el("li", { class: "qc-name-chip", text: student.name })),
  );
}

function drawRound(round) {
  const question = round.question;
  $("p-round-number").textContent = t("questionNumber", { number: round.question_number, count: round.question_count });
  const board = usesChoices(question) ? choiceBoard(question) : null;
  for (const tile of board ? board.querySelectorAll(".qc-tile-body") : []) {
    tile.append(
      el("span", { class: "qc-tile-count" }),
      el("span", { class: "qc-tile-bar", "aria-hidden": "true" }, el("span", { class: "qc-tile-bar-fill" })),
    );
  }
  $("p-question").replaceChildren(questionHeader(question, t, { level: 1 }));
  $("p-board").replaceChildren(board ?? "");
}

function renderRound() {
  const round = state.round;
  if (!round) return;
  const question = round.question;
  const revealed = round.state === "revealed";
  const results = state.results?.round_id === round.id ? state.results : null;
  const answered = results?.answered ?? 0;
  // Only the count of answers while the question is open, unless the session shows live results.
  const countsOnly = !results || results.counts_only === true;
  $("p-answered").textContent = t("answeredCount", { count: answered });
  $("p-state").textContent = round.state === "open" ? "" : t(`state_${round.state}`);
  $("p-board").classList.toggle("is-counting", countsOnly);
  if (usesChoices(question)) {
    const counts = countsOnly ? {} : (results.choice_counts ?? {});
    for (const tile of $("p-board").querySelectorAll("[data-choice-id]")) {
      const count = counts[tile.dataset.choiceId] ?? 0;
      tile.querySelector(".qc-tile-count").textContent = countsOnly ? "" : String(count);
      tile.querySelector(".qc-tile-bar-fill").style.width =
        `${!countsOnly && answered ? (100 * count) / answered : 0}%`;
    }
    if (revealed) markTiles($("p-board"), state.reveal.answer_key, { t });
    $("p-results").replaceChildren();
  } else if (countsOnly) {
    $("p-results").replaceChildren(
      el("p", { class: "qc-empty", text: t(answered ? "answersAfterClose" : "noAnswersYet") }),
    );
  } else if (question.type === "text" && answered && !results.texts?.length) {
    $("p-results").replaceChildren(el("p", { class: "qc-empty", text: t("noAnswersToShow") }));
  } else {
    $("p-results").replaceChildren(
      resultsList(question, results, { t, answerKey: state.reveal?.answer_key, showKey: revealed }),
    );
  }
  show($("p-reveal"), revealed);
  if (revealed) {
    const key = state.reveal.answer_key;
    $("p-key").replaceChildren(
      isGraded(question) ? mathText(t("correctAnswerIs", { answer: answerKeyText(question, key, t) })) : "",
    );
    $("p-explanation").replaceChildren(mathText(key?.explanation ?? ""));
    $("p-leaderboard").replaceChildren(leaderboardList(state.leaderboard, { t }));
  }
}

function render() {
  if (state.ended) markSessionEnded();
  if (state.ended) {
    showScreen("ended");
    $("final-leaderboard").replaceChildren(leaderboardList(state.leaderboard, { t }));
  } else if (state.round) {
    showScreen("question");
    renderRound();
  } else {
    showScreen("lobby");
    renderLobby();
  }
  tick();
}

const tick = startCountdown($("p-countdown"), {
  deadline: () => {
    const round = state.round;
    return round?.state === "open" && round.deadline && !state.ended ? Date.parse(round.deadline) : null;
  },
  serverNow: () => socket.serverNow(),
});

followRounds(socket, state, {
  onSnapshot: (message) => {
    if (message.presence) state.students = message.presence.students; // who is in already, on every worker
  },
  onRound: drawRound,
  render: (change) => (change === "results" ? renderRound() : render()),
});

socket
  .on("presence.updated", (message) => {
    state.students = message.students;
    if (!state.round && !state.ended) renderLobby();
  })
  .on("session.updated", () => {}) // the results in the version the new setting allows follow on their own
  .on("live.status", () => {})
  .on("pong", () => {});

offerFullscreen($("fullscreen"), t);

socket.connect();
window.quizcast = { state, socket }; // for the browser tests and for debugging in the console
