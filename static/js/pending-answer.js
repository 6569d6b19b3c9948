// The answer waiting for its acknowledgement, kept in this tab's sessionStorage so that a reload resends it with
// the same client id (the server stores each client id once). Shared by the live and the student-paced pages.

export function pendingAnswerStore(storageKey, currentUserId) {
  return {
    load() {
      try {
        const record = JSON.parse(sessionStorage.getItem(storageKey));
        return record && record.userId === currentUserId() ? record : null;
      } catch {
        return null;
      }
    },
    save(record) {
      try {
        sessionStorage.setItem(storageKey, JSON.stringify(record));
      } catch {
        // Private browsing may refuse storage; the answer is still sent, only a reload would forget it.
      }
    },
    forget() {
      try {
        sessionStorage.removeItem(storageKey);
      } catch {
        // storage refused: nothing was kept
      }
    },
  };
}

export function newClientId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const random = () => Math.random().toString(16).slice(2, 10).padEnd(8, "0");
  return `${random()}-${random()}-${random()}-${Date.now().toString(16)}`;
}
