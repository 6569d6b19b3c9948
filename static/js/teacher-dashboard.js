// The teacher's control page of a live session: push questions, watch answers arrive, close, reveal, move on.

import { startCountdown } from "./countdown.js";
import { el, formatSeconds, markSessionEnded, show, translator } from "./dom.js";
import { connectionBadge, LiveSocket, readPageConfig } from "./live-socket.js";
import { mathText } from "./maths.js";
import { answerKeyText, isGraded, questionHeader } from "./question-view.js";
import { leaderboardList, resultsList } from "./results-view.js";
import { followRounds } from "./teacher-round.js";

const config = readPageConfig();
const t = translator();
const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  questions: [],
  asked: [],
  roster: new Map(),
  guests: new Set(),
  removed: new Set(), // enrolled students removed from this session (they stay on the roster)
  joiningLocked: false,
  connected: new Set(),
  present: [], // students in the last presence.updated, kept so a later snapshot does not forget new guests
  round: null,
  results: null,
  reveal: null,
  leaderboard: [],
  ended: false,
};
const socket = new LiveSocket(config.socketPath, { onStatus: connectionBadge($("connection"), t) });

function command(message) {
  if (!socket.send({ ...message, ref: socket.nextRef("t") })) showError(t("notConnected"));
}

function showError(text) {
  $("command-error-text").textContent = text;
  show($("command-error"), Boolean(text));
}

// --- the quiz's questions -----------------------------------------------------------------------------------
function renderQuestions() {
  const currentId = state.round?.question.id;
  const items = state.questions.map((question, index) => {
    const asked = state.asked.includes(question.id);
    const current = question.id === currentId;
    return el(
      "li",
      {
        class: `list-group-item qc-question-item${current ? " is-current" : ""}${asked ? " is-asked" : ""}`,
        dataset: { questionId: question.id },
      },
      el(
        "div",
        { class: "qc-question-line" },
        el("span", { class: "qc-question-order", text: `${index + 1}.` }),
        el("span", { class: "qc-question-prompt" }, mathText(question.prompt)),
      ),
      el(
        "div",
        { class: "qc-question-foot" },
        el("span", { class: "badge text-bg-light", text: t(`type_${question.type}`) }),
        question.time_limit
          ? el("span", { class: "badge text-bg-light", text: t("seconds", { seconds: question.time_limit }) })
          : null,
        asked ? el("span", { class: "badge text-bg-info", text: current ? t("onScreen") : t("asked") }) : null,
        el("button", {
          class: `btn btn-sm ${asked ? "btn-outline-primary" : "btn-primary"} qc-push`,
          type: "button",
          disabled: state.ended,
          "aria-label": t("pushLabel", { action: asked ? t("pushAgain") : t("push"), number: index + 1 }),
          text: asked ? t("pushAgain") : t("push"),
          onclick: () => command({ type: "round.push", question_id: question.id }),
        }),
      ),
    );
  });
  // Re-rendering replaces the buttons: keep keyboard focus on the same question's button.
  const focused = document.activeElement?.closest?.("#question-list [data-question-id]")?.dataset.questionId;
  $("question-list").replaceChildren(...items);
  if (focused) $("question-list").querySelector(`[data-question-id="${focused}"] button`)?.focus();
}

function nextQuestion() {
  if (!state.round) return state.questions[0] ?? null;
  const index = state.questions.findIndex((question) => question.id === state.round.question.id);
  return state.questions[index + 1] ?? null;
}

// --- the round on screen ------------------------------------------------------------------------------------
function drawRound(round) {
  showError("");
  if (!state.asked.includes(round.question.id)) state.asked.push(round.question.id);
  const question = round.question;
  $("round-title").textContent = t("roundTitle", {
    number: round.number,
    position: round.question_number,
    total: round.question_count,
  });
  $("round-question").replaceChildren(questionHeader(question, t));
  const key = answerKeyText(question, question.answer_key, t);
  $("answer-key").replaceChildren(
    isGraded(question)
      ? mathText(t("answerKeyIs", { answer: key }))
      : t(question.type === "poll" ? "pollNoKey" : "ungradedNoKey"),
  );
  $("key-explanation").replaceChildren(mathText(question.answer_key?.explanation ?? ""));
}

function renderRound() {
  const round = state.round;
  show($("round-empty"), !round && !state.ended);
  show($("round-current"), Boolean(round) && !state.ended);
  if (!round) {
    $("lobby-joined").textContent = t("joinedCount", { count: state.connected.size });
    return;
  }
  const badge = $("round-state");
  badge.textContent = t(`state_${round.state}`);
  badge.className = `badge qc-state qc-state--${round.state}`;
  renderResults();
  show($("reveal-panel"), round.state === "revealed");
  if (round.state === "revealed") {
    $("explanation").replaceChildren(mathText(state.reveal?.answer_key?.explanation || t("noExplanation")));
  }
}

function renderResults() {
  const round = state.round;
  if (!round) return;
  const results = state.results?.round_id === round.id ? state.results : null;
  const answered = results?.answered ?? 0;
  const present = new Set([...state.connected, ...(results?.answered_ids ?? [])]).size;
  $("answered-count").textContent = t("answeredOf", { answered, total: present });
  const share = present ? Math.round((100 * answered) / present) : 0;
  const bar = $("answered-bar");
  bar.style.width = `${share}%`;
  bar.parentElement.setAttribute("aria-valuenow", String(share));
  if (results?.correct !== undefined && isGraded(round.question)) {
    $("correct-count").textContent = t("correctCount", { correct: results.correct });
  } else {
    $("correct-count").textContent = "";
  }
  const onToggleHidden = state.ended
    ? null
    : (text, hidden) => command({ type: "round.hide_text", round_id: round.id, text, hidden });
  $("round-results").replaceChildren(
    resultsList(round.question, results, { t, answerKey: round.question.answer_key, showKey: true, onToggleHidden }),
  );
}

function renderControls() {
  const round = state.round;
  const live = !state.ended;
  $("btn-close").disabled = !live || round?.state !== "open";
  $("btn-reveal").disabled = !live || !round || round.state === "revealed";
  const next = nextQuestion();
  $("btn-next").disabled = !live || !next;
  $("btn-next").textContent = next ? t("nextQuestion") : t("noMoreQuestions");
  $("btn-end").disabled = !live;
  $("live-results").disabled = !live;
  if (state.session) $("live-results").checked = state.session.live_results;
  show($("ended-panel"), state.ended);
  if (state.ended) {
    markSessionEnded();
    if ($("qr-dialog").open) $("qr-dialog").close();
  }
}

function rosterButton(id, name, removed) {
  if (state.ended) return null;
  if (removed) {
    return el("button", {
      class: "btn btn-sm btn-link qc-readmit",
      type: "button",
      "aria-label": t("readmitLabel", { name }),
      text: t("readmit"),
      onclick: () => command({ type: "participant.readmit", student_id: id }),
    });
  }
  return el("button", {
    class: "btn btn-sm btn-link qc-remove",
    type: "button",
    "aria-label": t("removeLabel", { name }),
    text: t("remove"),
    onclick: () => askRemoval(id, name),
  });
}

function renderRoster() {
  const answeredIds = new Set(state.round ? (state.results?.answered_ids ?? []) : []);
  const rows = [...state.roster.entries()]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([id, name]) => {
      const removed = state.removed.has(id);
      const answered = answeredIds.has(id);
      const connected = state.connected.has(id);
      const live = answered
        ? "answered"
        : connected
          ? state.round?.state === "open"
            ? "waiting"
            : "connected"
          : "offline";
      const status = removed ? "removed" : live;
      const guest = state.guests.has(id);
      return el(
        "li",
        { class: `qc-roster-row is-${status}`, dataset: { studentId: id } },
        el("span", { class: "qc-roster-name", text: name }),
        guest ? el("span", { class: "badge text-bg-light", text: t("guest") }) : null,
        el("span", { class: `badge qc-roster-state qc-roster-state--${status}`, text: t(`roster_${status}`) }),
        rosterButton(id, name, removed),
      );
    });
  $("roster").replaceChildren(...rows);
  $("roster-summary").textContent = t("rosterSummary", { connected: state.connected.size, total: state.roster.size });
  show($("roster-empty"), rows.length === 0);
  const lock = $("btn-lock");
  lock.disabled = state.ended;
  lock.setAttribute("aria-pressed", String(state.joiningLocked));
  lock.textContent = state.joiningLocked ? t("unlockJoining") : t("lockJoining");
  lock.classList.toggle("btn-warning", state.joiningLocked);
  lock.classList.toggle("btn-outline-secondary", !state.joiningLocked);
  show($("lock-note"), state.joiningLocked && !state.ended);
  $("btn-remove-silent-guests").disabled = state.ended || state.guests.size === 0;
}

// Removing asks first; for an enrolled student the teacher also chooses whether their answers go too.
function askRemoval(id, name) {
  const dialog = $("remove-dialog");
  const guest = state.guests.has(id);
  $("remove-dialog-title").textContent = t("removeTitle", { name });
  $("remove-dialog-text").textContent = t(guest ? "removeGuestText" : "removeStudentText", { name });
  show($("remove-dialog-answers"), !guest);
  $("remove-delete-answers").checked = false;
  dialog.onclose = () => {
    if (dialog.returnValue !== "remove") return;
    const message = { type: "participant.remove", student_id: id };
    if (!guest) message.delete_answers = $("remove-delete-answers").checked;
    command(message);
  };
  dialog.returnValue = "";
  dialog.showModal();
}

// Who is connected on any worker: from a presence.updated, or the snapshot's `presence` (docs/protocol.md).
function applyPresence(presence) {
  state.connected = new Set(presence.connected);
  state.present = presence.students;
  for (const student of presence.students) {
    state.roster.set(student.id, student.name);
    if (student.guest) state.guests.add(student.id);
  }
}

function forget(studentId) {
  state.roster.delete(studentId);
  state.guests.delete(studentId);
  state.connected.delete(studentId);
  state.present = state.present.filter((student) => student.id !== studentId);
}

function renderLeaderboard() {
  $("leaderboard").replaceChildren(leaderboardList(state.leaderboard, { t }));
  $("final-leaderboard").replaceChildren(leaderboardList(state.leaderboard, { t }));
}

function renderAll() {
  renderQuestions();
  renderRound();
  renderControls();
  renderRoster();
  renderLeaderboard();
  tick();
}

// --- the countdown on the server's clock ----------------------------------------------------------------------
const tick = startCountdown($("countdown"), {
  deadline: () => (state.round?.state === "open" && state.round.deadline ? Date.parse(state.round.deadline) : null),
  serverNow: () => socket.serverNow(),
  text: (leftMs) => {
    if (leftMs > 0) return t("timeLeft", { time: formatSeconds(leftMs / 1000) });
    // The round stays open for the students who have extra time (classroom.accommodations).
    return config.extraTimeCount > 0 ? t("extraTimeRunning") : t("closing");
  },
});

// --- buttons ------------------------------------------------------------------------------------------------
$("btn-close").addEventListener(
  "click",
  () => state.round && command({ type: "round.close", round_id: state.round.id }),
);
$("btn-reveal").addEventListener(
  "click",
  () => state.round && command({ type: "round.reveal", round_id: state.round.id }),
);
$("btn-next").addEventListener("click", () => {
  const next = nextQuestion();
  if (next) command({ type: "round.push", question_id: next.id });
});
$("btn-end").addEventListener("click", () => {
  if (window.confirm(t("confirmEnd"))) command({ type: "session.end" });
});
$("command-error-close").addEventListener("click", () => showError(""));
$("btn-lock").addEventListener("click", () => command({ type: "session.lock", locked: !state.joiningLocked }));
$("btn-remove-silent-guests").addEventListener("click", () => {
  if (window.confirm(t("confirmRemoveSilentGuests"))) command({ type: "guests.remove_unanswered" });
});
$("live-results").addEventListener("change", (event) =>
  command({ type: "session.update", live_results: event.currentTarget.checked }),
);
// The dialog is native: Esc closes it, focus stays inside while it is open and returns to the button after.
$("show-qr").addEventListener("click", () => $("qr-dialog").showModal());
$("close-qr").addEventListener("click", () => $("qr-dialog").close());
$("qr-dialog").addEventListener("click", (event) => {
  if (event.target === event.currentTarget) event.currentTarget.close(); // a click on the backdrop
});
$("copy-join-url").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  const input = $("join-url");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy"); // plain-HTTP classroom servers have no clipboard API
  }
  button.textContent = button.dataset.copied;
});

// --- messages -------------------------------------------------------------------------------------------------
followRounds(socket, state, {
  onSnapshot: (message) => {
    state.session = message.session;
    state.questions = message.questions;
    state.asked = [...message.asked_question_ids];
    const everyone = [...message.roster, ...state.present];
    state.roster = new Map(everyone.map((student) => [student.id, student.name]));
    state.guests = new Set(everyone.filter((student) => student.guest).map((student) => student.id));
    state.removed = new Set(message.roster.filter((student) => student.removed).map((student) => student.id));
    state.joiningLocked = Boolean(message.session.joining_locked);
    if (message.presence) applyPresence(message.presence);
  },
  onRound: drawRound,
  render: (change) => {
    if (change === "results") {
      renderResults();
      renderRoster();
    } else {
      renderAll();
    }
  },
});

socket
  .on("presence.updated", (message) => {
    applyPresence(message);
    renderRoster();
    renderRound();
  })
  .on("participant.removed", (message) => {
    if (message.guest) {
      forget(message.student_id);
    } else {
      state.removed.add(message.student_id);
      state.connected.delete(message.student_id);
    }
    renderRoster();
  })
  .on("participant.readmitted", (message) => {
    state.removed.delete(message.student_id);
    renderRoster();
  })
  .on("guests.removed", (message) => {
    message.student_ids.forEach(forget);
    renderRoster();
  })
  .on("joining.changed", (message) => {
    state.joiningLocked = message.locked;
    renderRoster();
  })
  .on("session.updated", (message) => {
    state.session = message.session;
    renderControls();
  })
  .on("live.status", (message) => show($("interrupted"), message.state === "interrupted"))
  .on("error", (message) => {
    renderControls(); // a refused setting springs back to what the server has
    const known = t(`error_${message.code}`);
    showError(known === `error_${message.code}` ? message.message : known);
  })
  .on("pong", () => {});

socket.connect();
window.quizcast = { state, socket }; // for the browser tests and for debugging in the console
