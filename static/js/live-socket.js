// The one WebSocket client of every live page (docs/protocol.md).
// Connects to this site, reconnects with exponential backoff and jitter, pings every 25 s, hands each
// message to the handler registered for its `type`, and keeps the offset between this clock and the server's.
// A page that counts as present on the teacher's roster (the student pages) also sends a heartbeat every 2 s, so
// that the server notices within seconds when its connection dies without a word (docs/protocol.md, Heartbeats).

const CLOSE_REMOVED = 4430; // docs/protocol.md: the teacher removed this student from the session
const CLOSE_TRY_AGAIN_LATER = 1013; // docs/protocol.md: this page stopped reading for too long (asleep, bad Wi-Fi)
const CLOSE_SILENT = 4408; // docs/protocol.md: the server heard no heartbeat from this page for 3.5 s
const HEARTBEAT = JSON.stringify({ type: "heartbeat" }); // exactly '{"type":"heartbeat"}', as the server expects
const HEARTBEAT_EVERY_MS = 2_000;
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const RESEND_FIRST_MS = 500;
const RESEND_MAX_MS = 5_000;

// docs/protocol.md: error codes after which the same message is sent again, unchanged, after a wait.
export const RETRYABLE_ERRORS = new Set(["unavailable"]);

// Exponential backoff with jitter: a wait between half and all of firstMs × 2^attempt, never above maxMs, so
// clients refused at the same moment do not all come back at the same moment.
export function backoffDelay(attempt, firstMs, maxMs) {
  const ceiling = Math.min(maxMs, firstMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

// Sends a message again after a retryable error: later() waits longer each time (backoffDelay), cancel() stops
// and starts the next series from the shortest wait.
export class Resender {
  constructor(send, { firstMs = RESEND_FIRST_MS, maxMs = RESEND_MAX_MS } = {}) {
    this.send = send;
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.attempt = 0;
    this.timer = null;
  }

  get waiting() {
    return this.timer !== null;
  }

  later() {
    window.clearTimeout(this.timer);
    const delay = backoffDelay(this.attempt, this.firstMs, this.maxMs);
    this.attempt += 1;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      this.send();
    }, delay);
    return delay;
  }

  cancel() {
    window.clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
  }
}

export class LiveSocket {
  constructor(path, { onStatus = () => {}, onRemoved = () => {}, heartbeat = false } = {}) {
    this.path = path;
    this.heartbeat = heartbeat;
    this.heartbeatTimer = null;
    this.onStatus = onStatus;
    this.onRemoved = onRemoved;
    this.handlers = new Map();
    this.offsetMs = 0;
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.pingsSent = new Map();
    this.refCounter = 0;
    window.addEventListener("online", () => this.reconnectNow());
    // The browser knows at once when the network is gone: say so, rather than "Live" until a ping times out.
    window.addEventListener("offline", () => this.dropAndRetry());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    });
  }

  on(type, handler) {
    this.handlers.set(type, handler);
    return this;
  }

  // Milliseconds since the epoch on the server's clock.
  serverNow() {
    return Date.now() + this.offsetMs;
  }

  nextRef(prefix = "c") {
    this.refCounter += 1;
    return `${prefix}${this.refCounter}`;
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  connect() {
    if (this.stopped || this.socket) return;
    window.clearTimeout(this.reconnectTimer);
    this.onStatus(navigator.onLine === false ? "offline" : this.attempt ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${this.path}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.onStatus("live");
      this.startPinging();
    });
    socket.addEventListener("message", (event) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      if (event.code === CLOSE_REMOVED) {
        this.stop(); // the teacher took this guest out of the session: coming back would only be refused
        this.onStatus("removed");
        this.onRemoved();
        return;
      }
      // The server gave up on a connection that stopped taking data: come back at once (with jitter); the
      // snapshot on connect brings the page up to date.
      if (event.code === CLOSE_TRY_AGAIN_LATER || event.code === CLOSE_SILENT) this.attempt = 0;
      this.dropAndRetry();
    });
  }

  // Stop for good (the session ended): no more reconnects.
  stop() {
    this.stopped = true;
    window.clearTimeout(this.reconnectTimer);
    this.stopPinging();
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000);
    this.onStatus("stopped");
  }

  send(message) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  reconnectNow() {
    if (this.stopped || this.isOpen) return;
    if (this.socket && this.socket.readyState === WebSocket.CONNECTING) return;
    this.attempt = 0;
    this.socket = null;
    this.connect();
  }

  dropAndRetry() {
    const socket = this.socket;
    this.socket = null;
    this.stopPinging();
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close();
    if (this.stopped) return;
    this.onStatus(navigator.onLine === false ? "offline" : "reconnecting");
    const delay = backoffDelay(this.attempt, BACKOFF_FIRST_MS, BACKOFF_MAX_MS);
    this.attempt += 1;
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => this.connect(), delay);
  }

  startPinging() {
    this.stopPinging();
    this.pingTimer = window.setInterval(() => this.ping(), PING_EVERY_MS);
    if (this.heartbeat) {
      const beat = () => {
        if (this.isOpen) this.socket.send(HEARTBEAT);
      };
      beat();
      this.heartbeatTimer = window.setInterval(beat, HEARTBEAT_EVERY_MS);
    }
  }

  stopPinging() {
    window.clearInterval(this.heartbeatTimer);
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.pongTimer);
    this.pingsSent.clear();
  }

  ping() {
    const ref = this.nextRef("ping");
    if (!this.send({ type: "ping", ref })) return;
    this.pingsSent.set(ref, Date.now());
    // A connection that stays silent is dead (a phone that changed networks): drop it and reconnect.
    window.clearTimeout(this.pongTimer);
    this.pongTimer = window.setTimeout(() => this.dropAndRetry(), PONG_TIMEOUT_MS);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message.type !== "string") return;
    window.clearTimeout(this.pongTimer);
    if (typeof message.server_time === "number") this.updateOffset(message);
    const handler = this.handlers.get(message.type);
    if (handler) handler(message);
  }

  updateOffset(message) {
    const sentAt = message.type === "pong" ? this.pingsSent.get(message.ref) : undefined;
    if (sentAt !== undefined) {
      this.pingsSent.delete(message.ref);
      // The server read its clock about halfway through the round trip.
      this.offsetMs = message.server_time - (sentAt + Date.now()) / 2;
    } else {
      this.offsetMs = message.server_time - Date.now();
    }
  }
}

export function readPageConfig(id = "page-config") {
  return JSON.parse(document.getElementById(id).textContent);
}

// Keep a badge showing the connection state in sync with a LiveSocket.
export function connectionBadge(element, t) {
  const looks = {
    connecting: ["text-bg-secondary", t("statusConnecting")],
    live: ["text-bg-success", t("statusLive")],
    reconnecting: ["text-bg-warning", t("statusReconnecting")],
    offline: ["text-bg-danger", t("statusOffline")],
    stopped: ["text-bg-secondary", t("statusStopped")],
    removed: ["text-bg-danger", t("statusRemoved")],
  };
  return (state) => {
    const [className, label] = looks[state] ?? looks.connecting;
    element.className = `badge qc-connection ${className}`;
    element.textContent = label;
    element.dataset.state = state;
  };
}
