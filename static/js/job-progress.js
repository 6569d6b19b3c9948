// A background job's page: poll its progress, draw it, and reload the page once the job has finished.
// Without scripts the page shows the progress when it was loaded and a Refresh link.

import { translator } from "./dom.js";

const POLL_MS = 1000;
const box = document.querySelector("[data-job-progress]");

if (box) {
  const t = translator();
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-job-status]");

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const job = await response.json();
      bar.max = job.total || 1;
      bar.value = job.done;
      bar.textContent = `${job.percent}%`;
      if (job.finished) {
        status.textContent = t("finished");
        window.location.reload();
        return;
      }
      status.textContent = t(job.state === "queued" ? "queued" : "running", { done: job.done, total: job.total });
    } catch {
      status.textContent = t("unreachable");
    }
    window.setTimeout(poll, POLL_MS);
  };
  window.setTimeout(poll, POLL_MS);
}
