// The student's page of a student-paced session: one question at a time on the student's own server-side timer,
// one answer per question (resent with the same client_id after a reconnect, or after a wait when the server could
// not store it yet, until it is acknowledged), its result (and its answer if the session shows them), then "next",
// until the last question or the closing time.

import { readAloudButton } from "./accommodations.js";
import { showAnswerResult } from "./answer-result.js";
import { startCountdown } from "./countdown.js";
import { announce, markSessionEnded, show, translator } from "./dom.js";
import { connectionBadge, LiveSocket, RETRYABLE_ERRORS, Resender, readPageConfig } from "./live-socket.js";
import { newClientId, pendingAnswerStore } from "./pending-answer.js";
import { answerForm, answerKeyText, questionHeader } from "./question-view.js";

const config = readPageConfig();
const t = translator();
// Extra time is already in each question's deadline (the server's); reading aloud is this page's to offer.
const accommodations = config.accommodations ?? { extraTime: "", readAloud: false };
const $ = (id) => document.getElementById(id);
const screens = { start: $("screen-start"), question: $("screen-question"), finished: $("screen-finished") };
const pendingStore = pendingAnswerStore(`quizcast:paced:${config.sessionId}`, () => state.you?.id);
const state = {
  you: null,
  item: null,
  form: null,
  acked: false,
  pendingRef: null,
  nextRef: null, // the paced.next waiting for its paced.question or paced.finished
  timedOut: false,
  queued: null,
  total: 0,
  counted: new Set(),
  finished: false,
};
// What the server could not do yet (its database restarting) goes again by itself after a wait (docs/protocol.md):
// the answer with the same client_id, and the request for the next question.
const answerResender = new Resender(() => {
  const pending = pendingStore.load();
  if (pending && !pending.acked && pending.roundId === state.item?.round_id) sendPending(pending);
});
const nextResender = new Resender(() => askNext());
const showConnection = connectionBadge($("connection"), t);
const socket = new LiveSocket(config.socketPath, {
  onStatus: (status) => {
    showConnection(status);
    if (status === "live") return;
    // Waits begun on a connection that is gone are void: the next one's snapshot says where the student is.
    answerResender.cancel();
    nextResender.cancel();
    state.nextRef = null;
  },
  heartbeat: true,
});

function showScreen(name) {
  for (const [key, node] of Object.entries(screens)) show(node, key === name);
}

function setStatus(text, tone = "info") {
  $("round-status").textContent = text;
  $("round-status").dataset.tone = tone;
}

function setTotal(total) {
  state.total = total;
  $("score-chip").textContent = t("scoreChip", { total });
  show($("score-chip"), true);
}

// --- the answer waiting for its acknowledgement, kept across reloads of this tab ----------------------------
// --- screens ------------------------------------------------------------------------------------------------
function showQuestion(item, { announceIt = true } = {}) {
  state.item = item;
  state.acked = false;
  state.pendingRef = null;
  answerResender.cancel();
  state.timedOut = false;
  state.queued = null;
  state.form = answerForm(item.question, { t, onSubmit: submitAnswer });
  $("round-number").textContent = t("questionNumber", { number: item.position, count: item.count });
  window.speechSynthesis?.cancel(); // the previous question's reading, if it is still going
  const reader = accommodations.readAloud
    ? readAloudButton(item.question, { t, language: document.documentElement.lang })
    : null;
  $("question-slot").replaceChildren(
    ...[questionHeader(item.question, t, { level: 1 }), reader, state.form.element].filter(Boolean),
  );
  show($("reveal"), false);
  show($("reveal-details"), false);
  show($("next"), false);
  setStatus("");
  showScreen("question");
  if (!resendPending(item)) state.form.unlock();
  tick();
  if (announceIt) announce($("announcer"), t("newQuestion", { number: item.position, prompt: item.question.prompt }));
}

function showResult(result) {
  if (!state.item || result.round_id !== state.item.round_id) return;
  state.form.lock(result.answered ? t("answered") : t("closedButton"));
  showAnswerResult($("result-line"), result, t);
  show($("reveal"), true);
  if (result.answer_key) {
    state.form.reveal(result.answer_key, { answer: result.your_answer?.answer ?? null });
    const keyText = answerKeyText(state.item.question, result.answer_key, t);
    $("key-line").textContent =
      state.item.question.type === "poll" ? t("pollDone") : t("correctAnswerIs", { answer: keyText });
    $("explanation").textContent = result.answer_key.explanation ?? "";
  } else {
    $("key-line").textContent = t("keyLater");
    $("explanation").textContent = "";
  }
  show($("reveal-details"), true);
  setStatus("");
  if (!state.counted.has(result.round_id)) {
    // The snapshot's total counts every answer stored before it; each later result adds its points once.
    state.counted.add(result.round_id);
    setTotal(state.total + result.points);
  }
  state.timedOut = true; // nothing more to send for this question
  show($("countdown"), false);
  show($("next"), true);
  $("next").focus();
  announce($("announcer"), $("result-line").textContent);
}

function showFinished(totals, closed = false) {
  state.finished = true;
  if (closed) markSessionEnded();
  setTotal(totals.total);
  $("final-line").textContent = t(closed ? "closedLine" : "finalLine", totals);
  showScreen("finished");
}

function showStart(paced, session) {
  $("start-count").textContent = t("questionCount", { count: paced.count });
  $("closing-line").textContent = session.closes_at
    ? t("closesAt", { time: new Date(session.closes_at).toLocaleString() })
    : "";
  showScreen("start");
}

// --- answering ----------------------------------------------------------------------------------------------
// The answer given to this question that the server has not acknowledged (this tab's, kept across reloads and
// reconnects) goes again; true if there was one.
function resendPending(item) {
  const pending = pendingStore.load();
  if (!pending || pending.acked || pending.roundId !== item.round_id) return false;
  state.form.setAnswer(pending.answer);
  sendPending(pending);
  return true;
}

function submitAnswer(answer) {
  if (!state.item || state.acked || state.timedOut) return;
  const record = { userId: state.you.id, roundId: state.item.round_id, clientId: newClientId(), answer };
  pendingStore.save(record);
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

function next() {
  show($("next"), false);
  if (state.queued) {
    const queued = state.queued;
    state.queued = null;
    if (queued.type === "paced.finished") showFinished(queued, queued.closed);
    else showQuestion(queued);
    return;
  }
  askNext();
}

function askNext() {
  state.nextRef = socket.nextRef("next");
  socket.send({ type: "paced.next", ref: state.nextRef });
}

function nextArrived() {
  state.nextRef = null;
  nextResender.cancel();
}

// --- the countdown on the server's clock ----------------------------------------------------------------------
const tick = startCountdown($("countdown"), {
  deadline: () => {
    const item = state.item;
    return item?.deadline && !state.acked && !state.timedOut ? Date.parse(item.deadline) : null;
  },
  serverNow: () => socket.serverNow(),
  onExpired: () => {
    if (state.pendingRef) return; // the answer sent in time is still on its way
    state.timedOut = true;
    state.form.lock(t("closedButton"));
    setStatus(t("timesUp"), "warning");
    askNext(); // the result, then the next question
  },
});

// --- messages -------------------------------------------------------------------------------------------------
socket
  .on("session.snapshot", (message) => {
    state.you = message.you;
    const paced = message.paced;
    setTotal(paced.total);
    state.counted = new Set(paced.result ? [paced.result.round_id] : []);
    if (message.session.state === "ended" || paced.finished) {
      showFinished(paced, message.session.state === "ended");
      return;
    }
    if (!paced.question) {
      showStart(paced, message.session);
      return;
    }
    if (state.item?.round_id !== paced.question.round_id) showQuestion(paced.question, { announceIt: false });
    else {
      state.item = paced.question;
      // Reconnected on the same question: an answer that went out and was never acknowledged goes again.
      if (!paced.result && !state.acked) resendPending(paced.question);
    }
    if (paced.result) showResult(paced.result);
  })
  .on("paced.question", (message) => {
    nextArrived();
    // After a timeout the result is on screen: the next question waits for the student's "next".
    if (state.item && state.timedOut && !$("next").hidden) state.queued = message;
    else showQuestion(message);
  })
  .on("paced.result", (message) => {
    if (state.item?.round_id === message.round_id) {
      state.acked = message.answered;
      showResult(message);
    }
  })
  .on("paced.finished", (message) => {
    nextArrived();
    if (state.item && !$("next").hidden) state.queued = message;
    else showFinished(message, message.closed);
  })
  .on("answer.accepted", (message) => {
    if (message.round_id !== state.item?.round_id) return;
    state.acked = true;
    state.pendingRef = null;
    answerResender.cancel();
    pendingStore.save({
      userId: state.you.id,
      roundId: message.round_id,
      clientId: message.client_id,
      answer: message.answer,
      acked: true,
    });
    state.form.lock(t("answered"));
    setStatus(t("answerReceived"), "success");
  })
  .on("session.updated", () => {})
  .on("session.ended", () => {
    markSessionEnded();
    if (!state.finished) window.location.reload(); // the snapshot of an ended session shows the totals
  })
  .on("score.updated", (message) => setTotal(message.total))
  .on("error", (message) => {
    if (message.code === "session_ended") {
      window.location.reload(); // closed meanwhile: the snapshot shows the totals
      return;
    }
    if (RETRYABLE_ERRORS.has(message.code) && message.ref && message.ref === state.nextRef) {
      nextResender.later();
      return;
    }
    if (RETRYABLE_ERRORS.has(message.code) && message.ref && message.ref === state.pendingRef) {
      answerResender.later(); // kept, locked and sent again after a wait; the deadline is the server's to judge
      setStatus(t("resending"));
      return;
    }
    if (message.ref && message.ref === state.nextRef) {
      nextArrived(); // refused for good: the student can ask again
      if (state.timedOut && state.item) show($("next"), true);
    }
    const text = t(`error_${message.code}`) === `error_${message.code}` ? message.message : t(`error_${message.code}`);
    if (message.ref && message.ref === state.pendingRef) {
      state.pendingRef = null;
      if (message.code === "invalid_answer") state.form.unlock();
      setStatus(text, "danger");
      return;
    }
    $("notice").textContent = text;
    show($("notice"), true);
  })
  .on("pong", () => {});

$("start").addEventListener("click", askNext);
$("next").addEventListener("click", next);

socket.connect();
window.quizcast = { state, socket }; // for the browser tests and for debugging in the console
