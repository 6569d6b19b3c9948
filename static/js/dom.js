// Small DOM helpers shared by every page module.
// User text (prompts, choices, names, answers) only ever enters the page as text nodes or textContent.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "style") Object.assign(node.style, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

// Strings come translated from the template: <template id="strings"><span data-key="k">…</span></template>.
// Placeholders look like {name} and are filled with plain values, never markup.
export function translator(id = "strings") {
  const table = {};
  const source = document.getElementById(id);
  for (const node of source ? source.content.querySelectorAll("[data-key]") : []) {
    table[node.dataset.key] = node.textContent.trim();
  }
  return (key, values = {}) =>
    (table[key] ?? key).replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

export function show(node, visible = true) {
  node.hidden = !visible;
}

// Politely tell screen readers about a change; clearing first makes a repeated message be read again.
export function announce(region, message) {
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

export function formatSeconds(totalSeconds) {
  const seconds = Math.max(0, Math.ceil(totalSeconds));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes}:${String(seconds % 60).padStart(2, "0")}` : String(seconds);
}

// The session ended: hide what only makes sense while it is live ("Live", "Join at"), show what says it ended.
export function markSessionEnded(root = document) {
  for (const node of root.querySelectorAll("[data-while-live]")) node.hidden = true;
  for (const node of root.querySelectorAll("[data-when-ended]")) node.hidden = false;
}

/** The projector's full-screen button, shown only where the browser offers full screen; its label and
 * `aria-pressed` follow the state, whichever way it changed (the button, Esc, the browser's own control). */
export function offerFullscreen(button, t) {
  if (!document.fullscreenEnabled) return;
  const label = () => {
    const on = Boolean(document.fullscreenElement);
    button.textContent = on ? t("exitFullscreen") : t("fullscreen");
    button.setAttribute("aria-pressed", String(on));
  };
  button.addEventListener("click", () => {
    const request = document.fullscreenElement
      ? document.exitFullscreen()
      : document.documentElement.requestFullscreen();
    request.catch(() => {}); // refused (not from a click, or by a policy): the page simply stays as it is
  });
  document.addEventListener("fullscreenchange", label);
  label();
  show(button, true);
}
