// Gesprekstafels: the countdown, keyboard shortcuts, participant rows and the note field
// that never loses what was typed. Everything else is htmx and server-rendered HTML.
(function () {
  "use strict";

  const RETRY_MS = 3000;

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

  // Keyboard in the run view: space pauses/resumes, → goes to the next block.
  document.addEventListener("keydown", function (event) {
    if (!document.querySelector(".run-view")) return;
    const target = event.target;
    if (target.closest("input, textarea, select, button, a, [contenteditable]")) return;
    let form = null;
    if (event.key === " ") form = document.querySelector('form[data-key="space"]');
    if (event.key === "ArrowRight") form = document.querySelector('form[data-key="ArrowRight"]');
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

  // The note field: a draft in localStorage until the server confirms; retried when offline.
  function noteForm() { return document.getElementById("note-form"); }
  function draftKey(form) { return "note-draft-" + form.dataset.session; }
  function newToken() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }
  function setStatus(text, kind) {
    const status = document.getElementById("note-status");
    if (!status) return;
    status.textContent = text || "";
    status.className = "note-status" + (kind ? " alert alert-" + kind + " py-1 mt-2" : "");
  }
  function saveDraft(form) {
    const text = form.querySelector(".note-text").value;
    if (!text) { localStorage.removeItem(draftKey(form)); return; }
    localStorage.setItem(draftKey(form), JSON.stringify({
      text: text,
      token: form.querySelector(".client-token").value,
      block: form.querySelector("#note-block").value,
      question: form.querySelector("#note-question").value,
      tag: (form.querySelector('input[name="tag"]:checked') || {}).value,
    }));
  }
  function filterQuestions(form) {
    const block = form.querySelector("#note-block").value;
    const select = form.querySelector("#note-question");
    select.querySelectorAll("optgroup").forEach(function (group) {
      const match = group.dataset.block === block;
      group.hidden = !match;
      group.disabled = !match;
    });
    const chosen = select.selectedOptions[0];
    if (chosen && chosen.dataset.block && chosen.dataset.block !== block) select.value = "";
  }
  let retryHandle = null;
  let pending = false;
  function initNoteForm() {
    const form = noteForm();
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    const field = form.querySelector(".note-text");
    const token = form.querySelector(".client-token");
    token.value = newToken();
    const stored = localStorage.getItem(draftKey(form));
    if (stored) {
      try {
        const draft = JSON.parse(stored);
        if (!field.value) field.value = draft.text;
        if (draft.token) token.value = draft.token;
        if (draft.block) { form.querySelector("#note-block").value = draft.block; form.dataset.follow = "0"; }
        if (draft.question) form.querySelector("#note-question").value = draft.question;
        if (draft.tag) { const radio = form.querySelector('input[name="tag"][value="' + draft.tag + '"]'); if (radio) radio.checked = true; }
        setStatus(form.dataset.msgRestored, "info");
      } catch (e) { localStorage.removeItem(draftKey(form)); }
    }
    filterQuestions(form);
    field.focus();
    field.addEventListener("input", function () { saveDraft(form); });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (field.value.trim()) form.requestSubmit();
      }
    });
    form.querySelector("#note-block").addEventListener("change", function () {
      form.dataset.follow = "0";
      filterQuestions(form);
      saveDraft(form);
    });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) {
      if (!field.value.trim()) { event.preventDefault(); event.stopImmediatePropagation(); }
    }, true);
  }
  function followLiveBlock() {
    const form = noteForm();
    const poller = document.getElementById("poller");
    if (!form || !poller || form.dataset.follow === "0") return;
    const current = poller.dataset.currentBlock;
    const select = form.querySelector("#note-block");
    if (current && select.value !== current) {
      select.value = current;
      filterQuestions(form);
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "note-form") { pending = true; saveDraft(event.detail.elt); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (form.id !== "note-form") return;
    pending = false;
    const xhr = event.detail.xhr;
    if (event.detail.successful) {
      clearTimeout(retryHandle);
      form.querySelector(".note-text").value = "";
      form.querySelector(".client-token").value = newToken();
      localStorage.removeItem(draftKey(form));
      setStatus("", null);
      form.querySelector(".note-text").focus();
    } else if (!xhr || xhr.status === 0 || xhr.status >= 500) {
      // Network gone or server down: keep the text, say so, try again.
      setStatus(form.dataset.msgOffline, "warning");
      clearTimeout(retryHandle);
      retryHandle = setTimeout(function () {
        if (form.querySelector(".note-text").value.trim()) form.requestSubmit();
      }, RETRY_MS);
    } else {
      setStatus("", null);
    }
  });

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

  window.addEventListener("beforeunload", function (event) {
    const form = noteForm();
    const editing = document.querySelector(".note-editor");
    if ((form && form.querySelector(".note-text").value.trim()) || editing || pending) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function refresh() {
    startCountdown();
    initNoteForm();
    followLiveBlock();
  }
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("htmx:oobAfterSwap", function () { startCountdown(); });
})();
