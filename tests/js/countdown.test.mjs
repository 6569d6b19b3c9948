// static/js/countdown.js on its own, under Node's test runner: a stand-in element and a clock the test sets.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

let refreshes;
globalThis.window = {
  setInterval(callback, milliseconds) {
    refreshes.push({ callback, milliseconds });
    return refreshes.length;
  },
};
const { startCountdown, URGENT_MS } = await import("../../static/js/countdown.js");

function element() {
  const classes = new Set();
  return {
    textContent: "unchanged",
    hidden: false,
    classes,
    classList: { toggle: (name, on) => (on ? classes.add(name) : classes.delete(name)) },
  };
}

beforeEach(() => {
  refreshes = [];
});

test("it shows the whole seconds left on the server's clock, four times a second", () => {
  const node = element();
  const draw = startCountdown(node, { deadline: () => 10_000, serverNow: () => 3_500 });
  assert.deepEqual(
    refreshes.map((refresh) => refresh.milliseconds),
    [250],
  );
  draw();
  assert.equal(node.textContent, "7");
  assert.equal(node.hidden, false);
  assert.equal(node.classes.has("is-urgent"), false);
});

test("the last five seconds are urgent", () => {
  const node = element();
  let now = 0;
  startCountdown(node, { deadline: () => URGENT_MS + 1_000, serverNow: () => now });
  refreshes[0].callback();
  assert.equal(node.classes.has("is-urgent"), false);
  now = 1_000;
  refreshes[0].callback();
  assert.equal(node.classes.has("is-urgent"), true);
});

test("with no deadline the element is emptied and hidden", () => {
  const node = element();
  startCountdown(node, { deadline: () => null, serverNow: () => 0 })();
  assert.equal(node.textContent, "");
  assert.equal(node.hidden, true);
});

test("a page's own text says what the time left means", () => {
  const node = element();
  const text = (leftMs) => (leftMs > 0 ? `${leftMs} ms left` : "closing");
  let now = 9_000;
  const draw = startCountdown(node, { deadline: () => 10_000, serverNow: () => now, text });
  draw();
  assert.equal(node.textContent, "1000 ms left");
  now = 10_500;
  draw();
  assert.equal(node.textContent, "closing");
});

test("once the time is up the page is told, then the element is drawn as the page's state now says", () => {
  const node = element();
  const round = { open: true };
  let expired = 0;
  const draw = startCountdown(node, {
    deadline: () => (round.open ? 10_000 : null),
    serverNow: () => 10_001,
    onExpired: () => {
      expired += 1;
      round.open = false;
    },
  });
  draw();
  assert.equal(expired, 1);
  assert.equal(node.hidden, true);
  draw();
  assert.equal(expired, 1, "a round already closed is not closed again");
});

test("a page that keeps counting after the time is up shows nothing below zero", () => {
  const node = element();
  let expired = 0;
  const draw = startCountdown(node, {
    deadline: () => 10_000,
    serverNow: () => 12_000,
    onExpired: () => {
      expired += 1; // the answer sent in time is still on its way: the page waits
    },
  });
  draw();
  assert.equal(expired, 1);
  assert.equal(node.textContent, "0");
  assert.equal(node.hidden, false);
});
