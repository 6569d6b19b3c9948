// Formulas in quiz text: LaTeX between \( … \) (inline) and \[ … \] (display) is drawn with KaTeX; everything
// else stays plain text. KaTeX builds DOM nodes and sets their styles through the DOM, which a Content-Security-
// Policy without 'unsafe-inline' allows; no HTML string is ever parsed. A formula KaTeX cannot read shows its
// source as written. Students' own answers never go through here.

import katex from "../vendor/katex/katex.mjs";

const DELIMITERS = /\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\]/g;

export const hasMaths = (text) => new RegExp(DELIMITERS.source).test(String(text ?? ""));

function formula(source, expression, displayMode) {
  const node = document.createElement("span");
  node.className = displayMode ? "qc-maths qc-maths--display" : "qc-maths";
  try {
    katex.render(expression, node, {
      displayMode,
      throwOnError: true,
      strict: "ignore",
      trust: false,
      maxExpand: 200,
      maxSize: 20,
    });
  } catch {
    node.className = "qc-maths-source";
    node.textContent = source;
  }
  return node;
}

// A fragment of text nodes and rendered formulas, for `el(...)` children or `replaceChildren`.
export function mathText(text) {
  const value = String(text ?? "");
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of value.matchAll(DELIMITERS)) {
    if (match.index > last) fragment.append(value.slice(last, match.index));
    const display = match[2] !== undefined;
    fragment.append(formula(match[0], display ? match[2] : match[1], display));
    last = match.index + match[0].length;
  }
  if (last < value.length) fragment.append(value.slice(last));
  return fragment;
}

// `el`-style element whose text may hold formulas: mathElement("h2", { class: "qc-prompt" }, question.prompt).
export function mathElement(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(mathText(text));
  return node;
}
