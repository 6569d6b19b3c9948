// The admin's forms made readable by screen readers: the inputs of tabular inlines (Django labels them only by
// their column header) get a name "Text, row 2", and select2's search boxes are named after their field.

import { translator } from "./dom.js";

const t = translator("admin-strings");

function labelTabularInputs(root) {
  for (const table of root.querySelectorAll(".tabular table")) {
    const headers = [...table.querySelectorAll("thead th")];
    for (const header of headers) {
      if (header.classList.contains("original") && !header.textContent.trim()) {
        header.append(
          Object.assign(document.createElement("span"), {
            className: "qc-visually-hidden",
            textContent: t("original"),
          }),
        );
      }
    }
    table.querySelectorAll("tbody tr.form-row").forEach((row, index) => {
      [...row.children].forEach((cell, column) => {
        const name = headers[column]?.textContent.trim();
        if (!name) return;
        for (const control of cell.querySelectorAll("input:not([type=hidden]), select, textarea")) {
          if (control.labels?.length || control.getAttribute("aria-label")) continue;
          control.setAttribute("aria-label", t("row", { column: name, row: index + 1 }));
        }
      });
    });
  }
}

function labelSelect2(root) {
  for (const select of root.querySelectorAll("select.admin-autocomplete")) {
    const label =
      select.labels?.[0]?.textContent.trim().replace(/:$/, "") || select.getAttribute("aria-label") || select.name;
    const container = select.nextElementSibling;
    if (!container?.classList.contains("select2")) continue;
    for (const node of container.querySelectorAll("[role=combobox], [role=textbox], .select2-search__field")) {
      if (!node.getAttribute("aria-label"))
        node.setAttribute("aria-label", node.matches(".select2-search__field") ? t("search", { field: label }) : label);
    }
    for (const clear of container.querySelectorAll(".select2-selection__clear"))
      clear.setAttribute("aria-hidden", "true");
  }
}

function improve() {
  labelTabularInputs(document);
  labelSelect2(document);
}

improve();
new MutationObserver(() => improve()).observe(document.body, { childList: true, subtree: true });
