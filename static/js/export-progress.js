// The export job page (issue 16 point 5): asks the job's status every few seconds and moves
// the progress bar, the status line (an aria-live region) and the download link, without
// reloading the page. Stops when the job has finished. No framework, no inline script.
const root = document.querySelector('[data-module="app-export-progress"]');

function show(data) {
  const bar = root.querySelector("progress");
  bar.value = data.percent;
  bar.textContent = data.percent + "%";
  const text = root.querySelector("[data-export-text]");
  if (text.textContent !== data.text) text.textContent = data.text;
  text.classList.toggle("app-export__failed", data.status === "failed");
  const download = root.querySelector("[data-export-download]");
  if (data.status === "done" && data.download_url) {
    root.querySelector("[data-export-link]").href = data.download_url;
    root.querySelector("[data-export-filename]").textContent = data.filename;
    download.hidden = false;
  } else {
    download.hidden = true;
  }
  root.dataset.status = data.status;
  const kept = document.querySelector("[data-export-kept-until]");
  if (kept && data.kept_until && kept.textContent !== data.kept_until) {
    kept.textContent = data.kept_until;
  }
}

async function poll() {
  const wait = parseInt(root.dataset.pollMs, 10) || 2000;
  try {
    const response = await fetch(root.dataset.statusUrl, {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
    });
    if (response.ok) {
      const data = await response.json();
      show(data);
      if (data.finished) return;
    }
  } catch (error) {
    // A dropped connection: try again at the next interval.
  }
  window.setTimeout(poll, wait);
}

if (root && !["done", "failed", "expired"].includes(root.dataset.status)) {
  window.setTimeout(poll, parseInt(root.dataset.pollMs, 10) || 2000);
}
