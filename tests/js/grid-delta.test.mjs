// static/js/grid-delta.js on its own: how a page merges `grid.delta` frames, which two workers may send out of order.
import assert from "node:assert/strict";
import { test } from "node:test";

const { applyGridDelta, indexRows } = await import("../../static/js/grid-delta.js");

function snapshot() {
  return {
    version: 5,
    questions: [{ id: 1, answered: 1 }],
    closes_at: null,
    closed: false,
    students: [
      { id: 10, v: 3, done: 1 },
      { id: 11, v: 1, done: 0 },
    ],
  };
}

test("a newer row replaces the old one and a new student is added at the end", () => {
  const grid = snapshot();
  const rows = indexRows(grid);
  applyGridDelta(grid, rows, {
    version: 6,
    questions: [{ id: 1, answered: 2 }],
    closes_at: null,
    closed: false,
    students: [
      { id: 11, v: 2, done: 1 },
      { id: 12, v: 1, done: 1 },
    ],
  });
  assert.deepEqual(
    grid.students.map((row) => [row.id, row.done]),
    [
      [10, 1],
      [11, 1],
      [12, 1],
    ],
  );
  assert.equal(rows.get(12), 2);
  assert.equal(grid.version, 6);
  assert.equal(grid.questions[0].answered, 2);
});

test("an older delta arriving late changes neither rows nor figures it would roll back", () => {
  const grid = snapshot();
  const rows = indexRows(grid);
  applyGridDelta(grid, rows, {
    version: 4,
    questions: [{ id: 1, answered: 0 }],
    closes_at: null,
    closed: false,
    students: [{ id: 10, v: 2, done: 0 }],
  });
  assert.equal(grid.students[0].done, 1, "row 10 is at v3 already");
  assert.equal(grid.version, 5);
  assert.equal(grid.questions[0].answered, 1);
});
