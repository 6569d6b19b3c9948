// The student's page of a live session: waits in the lobby, shows each pushed question, sends one answer per
// round (resent with the same client_id after a reconnect, or after a wait when the server cannot store it yet,
// until the server acknowledges it), counts down on the server's clock, and shows the reveal, the score and the
// final position.

import { personalDeadline, readAloudButton } from "./accommodations.js";
import { showAnswerResult } from "./answer-result.js";
import { startCountdown } from "./countdown.js";
import { announce, markSessionEnded, show, translator } from "./dom.js";
import { connectionBadge, LiveSocket, RETRYABLE_ERRORS, Resender, readPageConfig } from "./live-socket.js";
import { mathText } from "./maths.js";
import { newClientId, pendingAnswerStore } from "./pending-answer.js";
import { answerForm, answerKeyText, isGraded, questionHeader } from "./question-view.js";
import { leaderboardList } from "./results-view.js";

const config = readPageConfig();
const t = translator();
const $ = (id) => document.getElementById(id);
const screens = {
  waiting: $("screen-waiting"),
  question: $("screen-question"),
  ended: $("screen-ended"),
  removed: $("screen-removed"),
};
const pendingStore = pendingAnswerStore(`quizcast:answer:${config.sessionId}`, () => state.you?.id);
const accommodations = config.accommodations ?? { extraTime: "", readAloud: false };
// This student's own deadline: later than the class's with extra time, none with no limit (classroom.accommodations).
const deadlineOf = (round) => personalDeadline(round, accommodations.extraTime);

const state = {
  you: null,
  round: null,
  form: null,
  acked: false,
  pendingRef: null,
  lastAnswer: null,
  score: null,
  ended: false,
};
// An answer the server could not store yet (its database restarting) goes again by itself, the same client_id
// each time, until it is acknowledged or refused.
const resender = new Resender(() => {
  const pending = pendingStore.load();
  if (pending && !pending.acked && pending.roundId === state.round?.id) sendPending(pending);
});
const showConnection = connectionBadge($("connection"), t);
const socket = new LiveSocket(config.socketPath, {
  onStatus: (status) => {
    showConnection(status);
    // A wait begun on a connection that is gone is void: the snapshot of the next one resends the answer.
    if (status !== "live") resender.cancel();
  },
  onRemoved: () => showScreen("removed"),
  heartbeat: true, // this student counts as present on the teacher's roster
});

// --- the answer waiting for its acknowledgement, kept across reloads of this tab ----------------------------
function forgetPending() {
  state.pendingRef = null;
  resender.cancel();
  pendingStore.forget();
}

function clientIdFor(roundId) {
  const pending = pendingStore.load();
  return pending && pending.roundId === roundId ? pending.clientId : newClientId();
}

// --- screens ------------------------------------------------------------------------------------------------
function showScreen(name) {
  for (const [key, node] of Object.entries(screens)) show(node, key === name);
}

function setStatus(text, tone = "info") {
  const node = $("round-status");
  node.textContent = text;
  node.dataset.tone = tone;
}

function showNotice(text) {
  $("notice").textContent = text;
  show($("notice"), Boolean(text));
}

function renderScore() {
  const chip = $("score-chip");
  show(chip, Boolean(state.score));
  if (state.score) chip.textContent = t("scoreChip", state.score);
}

function showRound(round, { announceIt = false } = {}) {
  const isNew = state.round?.id !== round.id || !state.form;
  state.round = round;
  if (isNew) {
    state.acked = false;
    state.pendingRef = null;
    resender.cancel();
    state.form = answerForm(round.question, { t, onSubmit: submitAnswer });
    $("round-number").textContent = t("questionNumber", { number: round.question_number, count: round.question_count });
    const reader = accommodations.readAloud
      ? readAloudButton(round.question, { t, language: document.documentElement.lang })
      : null;
    $("question-slot").replaceChildren(
      ...[questionHeader(round.question, t, { level: 1 }), reader, state.form.element].filter(Boolean),
    );
    show($("reveal"), false);
    show($("reveal-details"), false);
    setStatus("");
  }
  showScreen("question");
  showNotice("");
  const given = round.your_answer;
  const pending = pendingStore.load();
  if (given) {
    state.form.setAnswer(given.answer);
    acknowledge({ round_id: round.id, client_id: given.client_id, answer: given.answer });
  } else if (pending && pending.roundId === round.id && !pending.acked) {
    state.form.setAnswer(pending.answer);
    resender.cancel(); // a fresh connection: start again from the shortest wait
    if (round.state === "open") sendPending(pending);
    else forgetPending(); // it never arrived, and the question closed meanwhile
  }
  if (round.state === "open" && !state.acked && !state.pendingRef) state.form.unlock();
  if (round.state !== "open") closeRound();
  if (round.state === "revealed" && round.reveal) {
    showReveal(round.reveal);
    if (round.your_result !== undefined) {
      const result = round.your_result ? { answered: true, ...round.your_result } : { answered: false };
      showAnswerResult($("result-line"), result, t);
    }
    if (state.score) $("standing").textContent = t("standing", state.score);
  }
  tick();
  if (announceIt) {
    announce($("announcer"), t("newQuestion", { number: round.number, prompt: round.question.prompt }));
    document.getElementById(`prompt-${round.question.id}`)?.focus(); // keyboard and screen reader users start here
  }
}

// Closed by its deadline ("Time's up!") or by the teacher ("This question is closed.").
function closedByDeadline(closedAt) {
  const deadline = deadlineOf(state.round);
  if (deadline === null) return false;
  return (closedAt ? Date.parse(closedAt) : socket.serverNow()) >= deadline;
}

function closeRound(closedAt = null) {
  if (!state.form) return;
  const timedOut = closedByDeadline(closedAt);
  state.form.lock(state.acked ? t("answered") : t("closedButton"));
  if (state.round.state === "revealed") return;
  if (state.acked) setStatus(t("receivedWaiting"), "success");
  else if (state.pendingRef) setStatus(t("sending"));
  else setStatus(timedOut ? t("timesUp") : t("roundClosed"), "warning");
}

function showReveal(message) {
  const round = state.round;
  const counts = message.results?.choice_counts ?? null;
  const chosen = state.acked ? currentAnswer() : null;
  state.form.reveal(message.answer_key, { counts, answer: chosen });
  const keyText = answerKeyText(round.question, message.answer_key, t);
  $("key-line").replaceChildren(
    isGraded(round.question)
      ? mathText(t("correctAnswerIs", { answer: keyText }))
      : t(round.question.type === "poll" ? "pollDone" : "ungradedDone"),
  );
  $("explanation").replaceChildren(mathText(message.answer_key?.explanation ?? ""));
  $("result-line").textContent = "";
  $("standing").textContent = "";
  show($("reveal"), true);
  show($("reveal-details"), true);
  setStatus("");
}

function currentAnswer() {
  const pending = pendingStore.load();
  return pending && pending.roundId === state.round?.id ? pending.answer : (state.lastAnswer ?? null);
}

function showEnded(leaderboard) {
  state.ended = true;
  markSessionEnded();
  showScreen("ended");
  $("final-position").textContent = state.score ? t("finalPosition", state.score) : t("finalNoScore");
  if (leaderboard) $("final-board").replaceChildren(leaderboardList(leaderboard, { t, highlightId: state.you?.id }));
  announce($("announcer"), t("sessionEnded"));
}

// --- answering ----------------------------------------------------------------------------------------------
function submitAnswer(answer) {
  const round = state.round;
  if (round?.state !== "open" || state.acked) return;
  const record = { userId: state.you.id, roundId: round.id, clientId: clientIdFor(round.id), answer, acked: false };
  pendingStore.save(record);
  resender.cancel();
  sendPending(record);
}

function sendPending(record) {
  state.pendingRef = socket.nextRef("answer");
  state.form.lock(t("sendingButton"));
  const sent = socket.send({
    type: "answer.submit",
    round_id: record.roundId,
    client_id: record.clientId,
    answer: record.answer,
    ref: state.pendingRef,
  });
  setStatus(sent ? t("sending") : t("sendWhenBack"));
}

function acknowledge(message) {
  state.acked = true;
  state.pendingRef = null;
  resender.cancel();
  state.lastAnswer = message.answer;
  pendingStore.save({
    userId: state.you.id,
    roundId: message.round_id,
    clientId: message.client_id,
    answer: message.answer,
    acked: true,
  });
  state.form.setAnswer(message.answer);
  state.form.lock(t("answered"));
  setStatus(state.round.state === "open" ? t("answerReceived") : t("receivedWaiting"), "success");
}

const REFUSALS = new Set(["round_closed", "already_answered", "invalid_answer", "not_found", "session_ended"]);

function onError(message) {
  const text = t(`error_${message.code}`) === `error_${message.code}` ? message.message : t(`error_${message.code}`);
  const aboutAnswer = message.ref && message.ref === state.pendingRef;
  if (!aboutAnswer) {
    showNotice(text);
    return;
  }
  if (RETRYABLE_ERRORS.has(message.code)) {
    // Kept, locked and sent again after a wait; the deadline is the server's to judge.
    resender.later();
    setStatus(t("resending"));
    return;
  }
  if (REFUSALS.has(message.code)) forgetPending();
  else state.pendingRef = null;
  if (message.code === "invalid_answer" || message.code === "internal_error") {
    if (state.round.state === "open") state.form.unlock();
  } else {
    state.form.lock(t("closedButton"));
  }
  setStatus(text, "danger");
}

// --- the countdown on the server's clock ----------------------------------------------------------------------
const tick = startCountdown($("countdown"), {
  deadline: () => (state.round?.state === "open" ? deadlineOf(state.round) : null),
  serverNow: () => socket.serverNow(),
  onExpired: () => {
    state.round.state = "closed";
    closeRound();
  },
});

// --- messages -------------------------------------------------------------------------------------------------
socket
  .on("session.snapshot", (message) => {
    state.you = message.you;
    state.score = message.score;
    renderScore();
    if (message.session.state === "ended") showEnded(null);
    else if (message.round) showRound(message.round);
    else showScreen("waiting");
  })
  .on("question.pushed", (message) => showRound(message.round, { announceIt: true }))
  .on("answer.accepted", (message) => {
    if (message.round_id === state.round?.id) acknowledge(message);
  })
  .on("round.closed", (message) => {
    if (message.round_id !== state.round?.id || state.round.state === "revealed") return;
    state.round.state = "closed";
    tick();
    closeRound(message.closed_at);
  })
  .on("round.revealed", (message) => {
    if (message.round_id !== state.round?.id) return;
    state.round.state = "revealed";
    tick();
    closeRound();
    showReveal(message);
    announce($("announcer"), t("answerRevealed"));
  })
  .on("score.updated", (message) => {
    state.score = { total: message.total, rank: message.rank, of: message.of };
    renderScore();
    if (message.round_id !== null && message.round_id === state.round?.id) {
      showAnswerResult($("result-line"), message, t);
      $("standing").textContent = t("standing", state.score);
      announce($("announcer"), `${t("answerRevealed")} ${$("result-line").textContent} ${$("standing").textContent}`);
    }
    if (state.ended) $("final-position").textContent = t("finalPosition", state.score);
  })
  .on("session.ended", (message) => showEnded(message.leaderboard))
  .on("error", onError)
  .on("pong", () => {});

socket.connect();
window.quizcast = { state, socket }; // for the browser tests and for debugging in the console
