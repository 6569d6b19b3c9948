// A student-paced session's grid as a page keeps it: whole from a snapshot, then kept up to date from `grid.delta`
// (docs/protocol.md). Deltas from two workers may cross: a row is replaced only by one at least as new (`v`), the
// questions' figures only by a grid version at least as new.

/** Where each student's row is in `grid.students`, by student id. */
export function indexRows(grid) {
  return new Map((grid?.students ?? []).map((student, index) => [student.id, index]));
}

/** Apply a `grid.delta` to `grid` in place; `rows` is its index from indexRows, kept up to date. */
export function applyGridDelta(grid, rows, delta) {
  if (delta.version >= grid.version) {
    Object.assign(grid, {
      version: delta.version,
      questions: delta.questions,
      closes_at: delta.closes_at,
      closed: delta.closed,
    });
  }
  for (const row of delta.students) {
    const index = rows.get(row.id);
    if (index === undefined) {
      rows.set(row.id, grid.students.length);
      grid.students.push(row);
    } else if ((row.v ?? 0) >= (grid.students[index].v ?? 0)) {
      grid.students[index] = row;
    }
  }
}
