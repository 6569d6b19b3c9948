// The countdown on the server's clock, shared by the student's, the student-paced, the teacher's and the projector's
// pages: the time left until a deadline, refreshed four times a second, marked urgent in its last five seconds.

import { formatSeconds, show } from "./dom.js";

export const URGENT_MS = 5000;
const REFRESH_MS = 250;

// Counts down in `node` until `deadline()` (milliseconds since the epoch on the server's clock, or null while
// nothing counts down: the node is then emptied and hidden). `serverNow()` is the server's clock
// (LiveSocket.serverNow), `text(leftMs)` what the node says (the seconds left by default), and `onExpired()` runs on
// each refresh once the time is up, before the node is drawn again. Returns the function that draws it, for a page
// that must redraw at once (after a new round, say).
export function startCountdown(
  node,
  { deadline, serverNow, text = (leftMs) => formatSeconds(leftMs / 1000), onExpired = null },
) {
  function draw(mayExpire) {
    const end = deadline();
    if (end === null || end === undefined || Number.isNaN(end)) {
      node.textContent = "";
      show(node, false);
      return;
    }
    const leftMs = end - serverNow();
    if (leftMs <= 0 && mayExpire && onExpired) {
      onExpired();
      draw(false);
      return;
    }
    show(node, true);
    node.textContent = text(leftMs);
    node.classList.toggle("is-urgent", leftMs <= URGENT_MS);
  }
  const refresh = () => draw(true);
  window.setInterval(refresh, REFRESH_MS);
  return refresh;
}
