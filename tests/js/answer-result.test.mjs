// static/js/answer-result.js under Node's test runner: what the result line says for each kind of result.
import assert from "node:assert/strict";
import { test } from "node:test";

const { answerResult } = await import("../../static/js/answer-result.js");

const t = (key, values = {}) => (values.points === undefined ? key : `${key}:${values.points}`);

test("a right answer says so with its points", () => {
  assert.deepEqual(answerResult({ answered: true, correct: true, points: 150 }, t), {
    outcome: "right",
    text: "youWereRight:150",
  });
});

test("a wrong answer with no points is wrong", () => {
  assert.deepEqual(answerResult({ answered: true, correct: false, points: 0 }, t), {
    outcome: "wrong",
    text: "youWereWrong",
  });
});

test("an ordering with partial credit is partly right with the points it earned, on either page", () => {
  assert.deepEqual(answerResult({ answered: true, correct: false, points: 50 }, t), {
    outcome: "wrong",
    text: "youWerePartlyRight:50",
  });
});

test("an ungraded answer (poll, word cloud, scale) thanks the student", () => {
  assert.deepEqual(answerResult({ answered: true, correct: null, points: 0 }, t), {
    outcome: "poll",
    text: "thanksForVoting",
  });
});

test("no answer says so, and says the time ran out when it did", () => {
  assert.deepEqual(answerResult({ answered: false }, t), { outcome: "none", text: "noAnswerGiven" });
  assert.deepEqual(answerResult({ answered: false, timed_out: true }, t), {
    outcome: "none",
    text: "timesUp noAnswerGiven",
  });
});
