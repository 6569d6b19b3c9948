// The current round as both teacher-side pages (the control page and the projector) follow it on the teacher
// socket. The page keeps the state object and draws it: `onSnapshot` reads the page's own parts of a snapshot,
// `onRound` draws a round that just started, and `render(change)` redraws after `"results"` or `"all"`.

export function followRounds(socket, state, { onSnapshot = () => {}, onRound, render }) {
  function startRound(round) {
    state.round = round;
    state.results = null;
    state.reveal = null;
    onRound(round);
  }

  socket
    .on("session.snapshot", (message) => {
      state.ended = message.session.state === "ended";
      state.leaderboard = message.leaderboard ?? [];
      state.round = null;
      onSnapshot(message);
      if (message.round) {
        startRound(message.round);
        state.results = message.results;
        if (message.round.state === "revealed") state.reveal = { answer_key: message.round.question.answer_key };
      }
      render("all");
    })
    .on("round.opened", (message) => {
      startRound(message.round);
      render("all");
    })
    .on("results.updated", (message) => {
      if (message.results.round_id !== state.round?.id) return;
      // The projector's count-only results sent before the close arrive after it: keep the full ones.
      if (message.results.counts_only && state.round.state !== "open" && state.results && !state.results.counts_only)
        return;
      state.results = message.results;
      render("results");
    })
    .on("round.closed", (message) => {
      if (message.round_id !== state.round?.id || state.round.state === "revealed") return;
      state.round.state = "closed";
      render("all");
    })
    .on("round.revealed", (message) => {
      if (message.round_id !== state.round?.id) return;
      state.round.state = "revealed";
      state.reveal = message;
      state.results = { ...message.results, round_id: message.round_id };
      state.leaderboard = message.leaderboard ?? state.leaderboard;
      render("all");
    })
    .on("session.ended", (message) => {
      state.ended = true;
      if (state.round?.state === "open") state.round.state = "closed";
      state.leaderboard = message.leaderboard;
      render("all");
    });
}
