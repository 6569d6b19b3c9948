// Sign-in cards: the Print button works only with scripts, so it stays hidden without them.

const button = document.querySelector("[data-print]");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
