// The question form shows the fields of the chosen type only, and follows the type as it changes: a poll, a word
// cloud and a rating scale score no points (their points field is read-only at 0) and have no right answer, a
// true/false question gets its two choices, an ordering question's choices are its items in the correct order
// (none ticked). Fields a type does not use are emptied when the form is sent, so a teacher who changed the type is
// not told to clear them by hand. Without this script the form shows every field and the server's rules still apply.

import { translator } from "./dom.js";

const t = translator();
const CHOICE_TYPES = new Set(["single", "multiple", "true_false", "poll", "ordering"]);
const UNGRADED_TYPES = new Set(["poll", "wordcloud", "scale"]);
const NO_CORRECT_TYPES = new Set(["poll", "ordering"]); // choices without a "correct" tick
const ANSWER_FIELDS = { numeric: ["numeric_target", "numeric_tolerance"], text: ["accepted_answers"] };
const ALL_ANSWER_FIELDS = ["numeric_target", "numeric_tolerance", "accepted_answers"];
const TYPE_SETTINGS = {
  wordcloud: ["max_words"],
  ordering: ["partial_credit"],
  scale: ["scale_min", "scale_max", "scale_min_label", "scale_max_label"],
};
const ALL_TYPE_SETTINGS = Object.values(TYPE_SETTINGS).flat();

const typeSelect = document.getElementById("id_type");
const form = typeSelect?.form;
const choicesGroup = document.getElementById("choices-group");
const points = document.getElementById("id_points");

function fieldRow(name) {
  return document.querySelector(`.form-row.field-${name}, .fieldBox.field-${name}`);
}

function choiceRows() {
  if (!choicesGroup) return [];
  return [...choicesGroup.querySelectorAll("tr.form-row")].filter((row) => !row.classList.contains("empty-form"));
}

function input(row, field) {
  return row.querySelector(`.field-${field} input, .field-${field} textarea`);
}

function isSaved(row) {
  const id = row.querySelector("input[name$='-id']");
  return Boolean(id && id.value);
}

function fillTrueFalse() {
  const rows = choiceRows();
  if (rows.length < 2 || rows.some((row) => input(row, "text")?.value.trim())) return;
  [t("true"), t("false")].forEach((label, index) => {
    input(rows[index], "text").value = label;
    input(rows[index], "is_correct").checked = index === 0;
  });
}

function apply(type, { changed }) {
  const wanted = new Set(ANSWER_FIELDS[type] || []);
  for (const name of ALL_ANSWER_FIELDS) {
    const row = fieldRow(name);
    if (row) row.hidden = !wanted.has(name);
  }
  const answerFieldset = fieldRow("numeric_target")?.closest("fieldset");
  if (answerFieldset) answerFieldset.hidden = wanted.size === 0;
  const settings = new Set(TYPE_SETTINGS[type] || []);
  for (const name of ALL_TYPE_SETTINGS) {
    const row = fieldRow(name);
    if (row) row.hidden = !settings.has(name);
  }
  for (const line of document.querySelectorAll(".form-row.field-scale_min, .form-row.field-scale_min_label")) line.hidden = type !== "scale";
  const settingsFieldset = fieldRow("max_words")?.closest("fieldset");
  if (settingsFieldset) settingsFieldset.hidden = settings.size === 0;
  // Ungraded types keep their points field, read-only at 0, beside its note saying why (the server saves 0 too).
  if (points) points.readOnly = UNGRADED_TYPES.has(type);
  if (points && UNGRADED_TYPES.has(type)) points.value = "0";
  if (choicesGroup) {
    choicesGroup.hidden = !CHOICE_TYPES.has(type);
    choicesGroup.classList.toggle("qc-no-correct", NO_CORRECT_TYPES.has(type));
  }
  if (!changed) return;
  if (NO_CORRECT_TYPES.has(type)) for (const row of choiceRows()) input(row, "is_correct").checked = false;
  if (UNGRADED_TYPES.has(type)) {
    for (const row of choiceRows()) input(row, "is_correct").checked = false;
    if (points) points.value = "0";
  } else if (points && points.value === "0") {
    points.value = points.defaultValue !== "0" ? points.defaultValue : "100";
  }
  if (type === "true_false") fillTrueFalse();
}

function clearUnused() {
  const type = typeSelect.value;
  const wanted = new Set(ANSWER_FIELDS[type] || []);
  for (const name of ["numeric_target", "accepted_answers"]) {
    const field = document.getElementById(`id_${name}`);
    if (field && !wanted.has(name)) field.value = "";
  }
  if (CHOICE_TYPES.has(type)) return;
  for (const row of choiceRows()) {
    if (isSaved(row)) {
      const remove = row.querySelector("input[name$='-DELETE']");
      if (remove) remove.checked = true;
    } else {
      const text = input(row, "text");
      if (text) text.value = "";
      const correct = input(row, "is_correct");
      if (correct) correct.checked = false;
    }
  }
}

if (typeSelect && form) {
  apply(typeSelect.value, { changed: false });
  typeSelect.addEventListener("change", () => apply(typeSelect.value, { changed: true }));
  form.addEventListener("submit", clearUnused);
}
