// What a student's result line says about their answer, on the live page and the student-paced page alike.

/**
 * The line for a result ({answered, correct, points, timed_out}) and its outcome, which the page's styles read:
 * "none" (no answer), "right", "wrong" (partly right included: an ordering with partial credit earns points with
 * `correct: false`), or "poll" (an ungraded question).
 */
export function answerResult(result, t) {
  if (!result.answered) {
    const none = t("noAnswerGiven");
    return { outcome: "none", text: result.timed_out ? `${t("timesUp")} ${none}` : none };
  }
  if (result.correct === true) return { outcome: "right", text: t("youWereRight", { points: result.points }) };
  if (result.correct === false) {
    const partly = result.points > 0;
    return {
      outcome: "wrong",
      text: partly ? t("youWerePartlyRight", { points: result.points }) : t("youWereWrong"),
    };
  }
  return { outcome: "poll", text: t("thanksForVoting") };
}

/** Show `answerResult` in the result line element. */
export function showAnswerResult(line, result, t) {
  const { outcome, text } = answerResult(result, t);
  line.dataset.outcome = outcome;
  line.textContent = text;
}
