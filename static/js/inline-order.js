// Reorder the rows of an admin inline table that has an "order" column (a question's choices, a quiz's
// questions) by dragging a row's handle or with its Move up / Move down buttons, instead of typing numbers. The
// order inputs stay in the form, hidden, and are renumbered 0, 1, 2… in the order shown when anything moved.
// Without this script the numbers can still be typed.

import { announce, el, translator } from "./dom.js";

const t = translator();

function rowsOf(tbody) {
  return [...tbody.querySelectorAll(":scope > tr.form-row")].filter((row) => !row.classList.contains("empty-form"));
}

function inUse(row) {
  const id = row.querySelector("input[name$='-id']");
  if (id?.value) return true;
  return [...row.querySelectorAll("input[type=text], textarea")].some((field) => field.value.trim());
}

function enhanceTable(table) {
  const tbody = table.tBodies[0];
  const live = el("div", { class: "visually-hidden", "aria-live": "polite" });
  table.after(live);
  table.classList.add("qc-orderable");
  let moved = false;
  let dragged = null;

  function renumber() {
    rowsOf(tbody)
      .filter(inUse)
      .forEach((row, index) => {
        row.querySelector(".field-order input").value = String(index);
      });
  }

  function moveBy(row, step, focusButton) {
    const rows = rowsOf(tbody);
    const target = rows.indexOf(row) + step;
    if (target < 0 || target >= rows.length) return;
    if (step < 0) rows[target].before(row);
    else rows[target].after(row);
    moved = true;
    renumber();
    focusButton.focus();
    announce(live, t("moved", { position: rowsOf(tbody).indexOf(row) + 1 }));
  }

  function enhanceRow(row) {
    const cell = row.querySelector("td.field-order");
    if (!cell || cell.querySelector(".qc-order-controls")) return;
    const orderInput = cell.querySelector("input");
    if (orderInput) orderInput.hidden = true;
    const handle = el("span", { class: "qc-drag-handle", title: t("dragToReorder"), "aria-hidden": "true" }, "⠿");
    const up = el(
      "button",
      { type: "button", class: "qc-order-button", "aria-label": t("moveUp"), title: t("moveUp") },
      "↑",
    );
    const down = el(
      "button",
      { type: "button", class: "qc-order-button", "aria-label": t("moveDown"), title: t("moveDown") },
      "↓",
    );
    up.addEventListener("click", () => moveBy(row, -1, up));
    down.addEventListener("click", () => moveBy(row, 1, down));
    handle.addEventListener("pointerdown", () => row.setAttribute("draggable", "true"));
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    row.addEventListener("dragend", () => {
      row.classList.remove("is-dragging");
      row.removeAttribute("draggable");
      dragged = null;
      renumber();
    });
    cell.append(el("span", { class: "qc-order-controls" }, handle, up, down));
  }

  tbody.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest("tr.form-row");
    if (!over || over === dragged || over.classList.contains("empty-form")) return;
    const box = over.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) over.before(dragged);
    else over.after(dragged);
    moved = true;
  });
  tbody.addEventListener("drop", (event) => {
    event.preventDefault();
    if (dragged) announce(live, t("moved", { position: rowsOf(tbody).indexOf(dragged) + 1 }));
  });

  rowsOf(tbody).forEach(enhanceRow);
  document.addEventListener("formset:added", (event) => {
    if (tbody.contains(event.target)) {
      enhanceRow(event.target);
      if (moved) renumber();
    }
  });
  table.closest("form")?.addEventListener("submit", () => {
    if (moved) renumber();
  });
}

for (const table of document.querySelectorAll(".js-inline-admin-formset table")) {
  if (table.querySelector("td.field-order input")) enhanceTable(table);
}
