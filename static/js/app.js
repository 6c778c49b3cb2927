// Gesprekstafels: the countdown, keyboard shortcuts and participant rows (the note field,
// which never loses what was typed, is in saving.js). Everything else is htmx and server-rendered HTML.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function formatSeconds(total) {
    const sign = total < 0 ? "-" : "";
    let s = Math.abs(Math.trunc(total));
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    const sec = s - m * 60;
    return sign + (h ? h + ":" + pad(m) : String(m)) + ":" + pad(sec);
  }

  function formatClock(epochMs) {
    const d = new Date(epochMs);
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // Countdown: computed from the server's remaining seconds at render time, ticked locally.
  let timerHandle = null;
  function startCountdown() {
    if (timerHandle) { clearInterval(timerHandle); timerHandle = null; }
    const el = document.getElementById("countdown");
    if (!el) return;
    const remaining = Number(el.dataset.remaining);
    const planned = Number(el.dataset.planned) || 1;
    const running = el.dataset.running === "1";
    const later = Number(el.dataset.later) || 0;
    const skewMs = Number(el.dataset.serverNow) * 1000 - Date.now();
    const plannedEndMs = Number(el.dataset.plannedEnd) * 1000;
    const loadedAt = Date.now();
    const projected = document.getElementById("projected-end");
    const delay = document.getElementById("delay");
    function tick() {
      const left = running ? remaining - (Date.now() - loadedAt) / 1000 : remaining;
      el.textContent = formatSeconds(left);
      el.classList.toggle("warn", left > 0 && left <= planned * 0.2);
      el.classList.toggle("danger", left > 0 && left <= planned * 0.05);
      el.classList.toggle("overrun", left <= 0);
      if (projected) {
        const endMs = Date.now() + skewMs + (Math.max(left, 0) + later) * 1000;
        projected.textContent = formatClock(endMs);
        if (delay && plannedEndMs) {
          // Like the server's text: behind rounds up, ahead rounds down; the words come translated.
          const behind = Math.ceil((endMs - plannedEndMs) / 60000);
          const ahead = Math.floor((plannedEndMs - endMs) / 60000);
          if (behind > 0) delay.textContent = "(" + behind + " " + delay.dataset.behind + ")";
          else if (ahead > 0) delay.textContent = "(" + ahead + " " + delay.dataset.ahead + ")";
          else delay.textContent = "";
        }
      }
    }
    tick();
    // While paused the countdown stands still, but the projected end keeps moving on.
    timerHandle = setInterval(tick, running ? 250 : 1000);
  }

  // Keyboard in the run view: space pauses/resumes, → goes to the next block, ↓/↑ step, B blanks the room's screen.
  document.addEventListener("keydown", function (event) {
    if (!document.querySelector(".run-view")) return;
    const target = event.target;
    if (target.closest("input, textarea, select, button, a, [contenteditable]")) return;
    let form = null;
    if (event.key === " ") form = document.querySelector('form[data-key="space"]');
    if (event.key === "ArrowRight") form = document.querySelector('form[data-key="ArrowRight"]');
    if (event.key === "ArrowDown") form = document.querySelector('form[data-key="ArrowDown"]');
    if (event.key === "ArrowUp") form = document.querySelector('form[data-key="ArrowUp"]');
    if ((event.key === "b" || event.key === "B") && !event.ctrlKey && !event.metaKey && !event.altKey) form = document.querySelector('form[data-key="b"]');
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Participant rows: add one in place from the formset's empty form.
  document.addEventListener("click", function (event) {
    const button = event.target.closest(".add-participant");
    if (!button) return;
    const container = button.parentElement;
    const total = container.querySelector('input[name$="-TOTAL_FORMS"]');
    const template = container.querySelector("template.participant-template");
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.querySelector(".participant-rows").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const rows = container.querySelectorAll(".participant-rows tr");
    const first = rows[rows.length - 1].querySelector("input");
    if (first) first.focus();
  });

  // The note field and every other form that must not lose typed text: see saving.js.

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    // Never replace the harvest while a note is being edited in it; the edit's own
    // response brings the list up to date.
    if (event.detail.target.id === "harvest" && event.detail.target.querySelector(".note-editor")) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-cancel-edit]")) {
      const editor = event.target.closest(".note-editor-item");
      if (editor) editor.querySelector("form").classList.remove("note-editor");
    }
  }, true);

  document.addEventListener("DOMContentLoaded", startCountdown);
  document.addEventListener("htmx:afterSettle", startCountdown);
  document.addEventListener("htmx:oobAfterSwap", function () { startCountdown(); });
})();
