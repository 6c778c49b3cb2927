// Gesprekstafels: nothing typed is lost. Text stays in its field (and in its draft in
// localStorage) until the server confirms it is stored. Every other answer - a refusal, an
// error, a redirect, an expired login, no connection, no answer in time - keeps the text,
// says what happened and, where sending again can help, sends it again with backoff.
//
// Forms opt in with data-guard: "retry" (sending twice is harmless: a client token or a
// version guards it) or "login" (retried only when it surely was not stored, e.g. after
// signing in again). data-draft="key" keeps a draft of the form in localStorage.
// The note field (#note-form) is stricter: it is cleared only when the answer names the
// client token it sent (HX-Trigger noteSaved).
(function () {
  "use strict";

  const FIRST_RETRY_MS = 2000;
  const MAX_RETRY_MS = 30000;
  // While the login is gone, checking again is cheap (the middleware answers 401 before any view).
  const MAX_LOGIN_RETRY_MS = 8000;
  const REQUEST_TIMEOUT_MS = 15000;

  function messages() {
    const element = document.getElementById("save-messages");
    return element ? element.dataset : {};
  }

  function csrfCookie() {
    const name = messages().csrfCookie || "csrftoken";
    const match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]+)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function newToken() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function backoff(attempt, cap) {
    // 2 s, 4 s, 8 s … with some jitter, so clients that lost the server together do not return in step.
    return Math.min(FIRST_RETRY_MS * Math.pow(2, attempt), cap) * (0.8 + Math.random() * 0.4);
  }

  function pathOf(url) {
    try { return new URL(url, window.location.href).pathname; } catch (e) { return ""; }
  }

  function isGuarded(element) {
    return element && element.tagName === "FORM" && (element.id === "note-form" || element.hasAttribute("data-guard"));
  }

  // What an answer means for typed text. `failure` is set when no answer came at all.
  function classify(detail, failure) {
    if (failure === "timeout") return "timeout";
    if (failure) return "offline";
    const xhr = detail.xhr;
    const status = xhr.status;
    const loginPath = pathOf(messages().loginUrl || "/accounts/login/");
    const finalPath = xhr.responseURL ? pathOf(xhr.responseURL) : "";
    if (status === 401 || (finalPath && finalPath === loginPath)) return "login";
    // A followed redirect is never a confirmation: it is someone else's page.
    const requested = detail.pathInfo ? detail.pathInfo.requestPath : "";
    if (finalPath && requested && finalPath !== pathOf(requested)) return "unconfirmed";
    if (status >= 200 && status < 300) return "ok";
    if (status === 422) return "refused";
    if (status === 409) return "conflict";
    if (status === 403) return "forbidden";
    if (status === 404 || status === 410) return "gone";
    if (status === 408 || status === 425 || status === 429) return "busy";
    if (status >= 500) return "server";
    return "error";
  }

  // Kinds where sending the same again can succeed; "login" only once signed in again.
  const RETRYABLE = ["timeout", "offline", "busy", "server", "unconfirmed", "login"];
  // Kinds where the request surely did not change anything on the server.
  const SURELY_NOT_STORED = ["login", "busy"];

  function mayRetry(form, kind) {
    if (form.id === "note-form") return RETRYABLE.includes(kind);
    if (form.dataset.guard === "login") return SURELY_NOT_STORED.includes(kind);
    return RETRYABLE.includes(kind);
  }

  function messageFor(form, kind, retrying) {
    const m = messages();
    if (kind === "login") return m.login;
    if (kind === "refused") return m.refused;
    if (kind === "forbidden") return m.forbidden;
    if (kind === "gone") return m.gone;
    if (RETRYABLE.includes(kind)) {
      if (!retrying) return m.uncertain;
      return m[kind] || m.offline;
    }
    return m.error;
  }

  function statusElement(form) {
    if (form.id === "note-form") return document.getElementById("note-status");
    let element = form.querySelector(".save-status");
    if (!element) {
      element = document.createElement("div");
      element.className = "save-status";
      element.setAttribute("role", "status");
      element.setAttribute("aria-live", "polite");
      form.appendChild(element);
    }
    return element;
  }

  function setStatus(form, text, kind) {
    const element = statusElement(form);
    if (!element) return;
    element.textContent = text || "";
    element.className = (form.id === "note-form" ? "note-status" : "save-status") + (kind ? " alert alert-" + kind + " py-1 mt-2" : "");
  }

  // Retries, per form element.
  const retries = new Map();

  function cancelRetry(form) {
    const state = retries.get(form);
    if (state && state.handle) clearTimeout(state.handle);
    if (state) state.handle = null;
  }

  function hasText(form) {
    if (form.id === "note-form") return Boolean(form.querySelector(".note-text").value.trim());
    return true;
  }

  function resend(form) {
    cancelRetry(form);
    if (!form.isConnected || !hasText(form)) return;
    form.requestSubmit();
  }

  function scheduleRetry(form, kind) {
    const state = retries.get(form) || { attempt: 0, handle: null };
    cancelRetry(form);
    const cap = kind === "login" ? MAX_LOGIN_RETRY_MS : MAX_RETRY_MS;
    state.handle = setTimeout(function () { resend(form); }, backoff(state.attempt, cap));
    state.attempt += 1;
    state.kind = kind;
    retries.set(form, state);
  }

  function retryWaitingNow() {
    // Back online, or back in this tab after signing in elsewhere: no need to wait out the backoff.
    retries.forEach(function (state, form) {
      if (state.handle) resend(form);
    });
  }
  window.addEventListener("online", retryWaitingNow);
  window.addEventListener("focus", retryWaitingNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") retryWaitingNow();
  });

  // Drafts of guarded forms (the note field has its own, with its client token).
  function draftFields(form) {
    return Array.from(form.elements).filter(function (element) {
      return element.name && element.name !== "csrfmiddlewaretoken" && !["submit", "button", "file"].includes(element.type);
    });
  }

  function isPristine(form) {
    return draftFields(form).every(function (element) {
      if (element.type === "checkbox" || element.type === "radio") return element.checked === element.defaultChecked;
      if (element.tagName === "SELECT") return Array.from(element.options).every(function (o) { return o.selected === o.defaultSelected; });
      return element.value === element.defaultValue;
    });
  }

  function saveFormDraft(form) {
    const key = form.dataset.draft;
    if (!key) return;
    if (isPristine(form)) { localStorage.removeItem(key); return; }
    const values = {};
    draftFields(form).forEach(function (element) {
      if (element.type === "checkbox") values[element.name] = element.checked;
      else if (element.type === "radio") { if (element.checked) values[element.name] = element.value; }
      else values[element.name] = element.value;
    });
    localStorage.setItem(key, JSON.stringify(values));
  }

  function restoreFormDraft(form) {
    const key = form.dataset.draft;
    const stored = key && localStorage.getItem(key);
    if (!stored) return;
    try {
      const values = JSON.parse(stored);
      draftFields(form).forEach(function (element) {
        if (!(element.name in values)) return;
        const value = values[element.name];
        if (element.type === "checkbox") element.checked = Boolean(value);
        else if (element.type === "radio") element.checked = element.value === value;
        else element.value = value;
      });
      if (!isPristine(form)) {
        form.dataset.unsaved = "1";
        setStatus(form, messages().restored, "info");
      }
    } catch (e) { localStorage.removeItem(key); }
  }

  function initGuardedForms(root) {
    root.querySelectorAll("form[data-guard]").forEach(function (form) {
      if (form.dataset.guardReady) return;
      form.dataset.guardReady = "1";
      // Only on a fresh page: a form the server just sent back (a conflict, errors) shows the
      // posted text already, with the server's current version.
      if (!document.body.dataset.guardLoaded) restoreFormDraft(form);
      form.addEventListener("input", function () { saveFormDraft(form); });
      form.addEventListener("change", function () { saveFormDraft(form); });
    });
    document.body.dataset.guardLoaded = "1";
  }

  // The note field.
  function noteForm() { return document.getElementById("note-form"); }
  function noteDraftKey(form) { return "note-draft-" + form.dataset.session; }

  function saveNoteDraft(form) {
    const text = form.querySelector(".note-text").value;
    if (!text) { localStorage.removeItem(noteDraftKey(form)); return; }
    localStorage.setItem(noteDraftKey(form), JSON.stringify({
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

  // The token and text of the last request; a note is confirmed by the token it was sent with.
  let sent = null;
  let pending = false;

  function initNoteForm() {
    const form = noteForm();
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    const field = form.querySelector(".note-text");
    const token = form.querySelector(".client-token");
    token.value = newToken();
    const stored = localStorage.getItem(noteDraftKey(form));
    if (stored) {
      try {
        const draft = JSON.parse(stored);
        if (!field.value) field.value = draft.text;
        if (draft.token) {
          token.value = draft.token;
          // Another tab (or the lost answer before a reload) may have stored it under this
          // token: an unchanged resend is recognised, a changed text gets a token of its own.
          sent = { token: draft.token, text: draft.text };
        }
        if (draft.block) { form.querySelector("#note-block").value = draft.block; form.dataset.follow = "0"; }
        if (draft.question) form.querySelector("#note-question").value = draft.question;
        if (draft.tag) { const radio = form.querySelector('input[name="tag"][value="' + draft.tag + '"]'); if (radio) radio.checked = true; }
        setStatus(form, form.dataset.msgRestored, "info");
      } catch (e) { localStorage.removeItem(noteDraftKey(form)); }
    }
    filterQuestions(form);
    field.focus();
    field.addEventListener("input", function () {
      // Changed after sending: if the earlier text was stored after all, this is a new note.
      if (sent && token.value === sent.token && field.value !== sent.text) token.value = newToken();
      saveNoteDraft(form);
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (field.value.trim()) form.requestSubmit();
      }
    });
    form.querySelector("#note-block").addEventListener("change", function () {
      form.dataset.follow = "0";
      filterQuestions(form);
      saveNoteDraft(form);
    });
    form.querySelector("#note-question").addEventListener("change", function () { form.dataset.follow = "0"; });
    form.addEventListener("change", function () { saveNoteDraft(form); });
    form.addEventListener("submit", function (event) {
      if (!field.value.trim()) { event.preventDefault(); event.stopImmediatePropagation(); }
    }, true);
  }

  // The block and question follow the facilitator's current step, until the secretary picks
  // another for this note: that choice holds (whatever the room does meanwhile) until the note
  // is saved; the next note follows the room again.
  function followLiveBlock() {
    const form = noteForm();
    const poller = document.getElementById("poller");
    if (!form || !poller || form.dataset.follow === "0") return;
    const current = poller.dataset.currentBlock;
    if (!current) return;
    const select = form.querySelector("#note-block");
    if (select.value !== current) {
      select.value = current;
      filterQuestions(form);
    }
    const question = form.querySelector("#note-question");
    const live = poller.dataset.currentQuestion || "";
    if (question.value !== live && question.querySelector('option[value="' + live + '"]')) question.value = live;
  }

  function confirmedToken(xhr) {
    try {
      const events = JSON.parse(xhr.getResponseHeader("HX-Trigger") || "{}");
      return events.noteSaved ? events.noteSaved.token : null;
    } catch (e) { return null; }
  }

  function noteStored(form) {
    const field = form.querySelector(".note-text");
    const token = form.querySelector(".client-token");
    // What was typed after pressing Enter is not part of the stored note: it stays.
    const rest = field.value === sent.text ? "" : (field.value.startsWith(sent.text) ? field.value.slice(sent.text.length).replace(/^\s+/, "") : field.value);
    field.value = rest;
    if (token.value === sent.token) token.value = newToken();
    sent = null;
    if (rest) saveNoteDraft(form); else localStorage.removeItem(noteDraftKey(form));
    // The next note follows the room's current step again.
    delete form.dataset.follow;
    followLiveBlock();
    setStatus(form, "", null);
    const errors = document.getElementById("note-errors");
    if (errors) errors.textContent = "";
    field.focus();
  }

  // Requests.
  document.addEventListener("htmx:configRequest", function (event) {
    // Signing in again (in another tab) gives a new CSRF token; the page's copy is then stale.
    const csrf = csrfCookie();
    if (csrf) {
      event.detail.headers["X-CSRFToken"] = csrf;
      if (event.detail.formData && event.detail.formData.has("csrfmiddlewaretoken")) event.detail.formData.set("csrfmiddlewaretoken", csrf);
    }
    if (isGuarded(event.detail.elt) && !event.detail.timeout) event.detail.timeout = REQUEST_TIMEOUT_MS;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt;
    if (!isGuarded(form)) return;
    cancelRetry(form);
    if (form.id === "note-form") {
      pending = true;
      saveNoteDraft(form);
      sent = { token: form.querySelector(".client-token").value, text: form.querySelector(".note-text").value };
    } else {
      saveFormDraft(form);
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Never show a login page, or in place of a form anyone else's page (a proxy's).
    const kind = classify(event.detail);
    if (kind === "login" || (kind === "unconfirmed" && isGuarded(event.detail.requestConfig && event.detail.requestConfig.elt))) {
      event.detail.shouldSwap = false;
      event.detail.isError = true;
    }
  });

  function answered(form, detail, failure) {
    let kind = classify(detail, failure);
    if (form.id === "note-form") {
      pending = false;
      if (kind === "ok") kind = sent && confirmedToken(detail.xhr) === sent.token ? "saved" : "unconfirmed";
      // The token makes a second attempt harmless, whatever the conflict was.
      if (kind === "conflict") kind = "busy";
    } else if (kind === "ok") {
      kind = "saved";
    }
    if (kind === "saved") {
      retries.delete(form);
      if (form.id === "note-form") noteStored(form);
      else {
        if (form.dataset.draft) localStorage.removeItem(form.dataset.draft);
        delete form.dataset.unsaved;
        if (form.isConnected) setStatus(form, "", null);
      }
      return;
    }
    if (form.id !== "note-form" && (kind === "refused" || kind === "conflict")) {
      // The server sent the form back with the posted text and what to do; it replaces this one.
      return;
    }
    const retrying = mayRetry(form, kind);
    if (form.id !== "note-form") form.dataset.unsaved = "1";
    setStatus(form, messageFor(form, kind, retrying), kind === "refused" ? "danger" : "warning");
    if (retrying) scheduleRetry(form, kind);
  }

  // An answer arrived: judged before the swap, while the form is still in the page (afterRequest
  // would reach the document only from an ancestor, once the swap has replaced the form).
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    if (isGuarded(event.detail.elt)) answered(event.detail.elt, event.detail, null);
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (isGuarded(event.detail.elt)) answered(event.detail.elt, event.detail, "offline");
  });
  document.addEventListener("htmx:sendAbort", function (event) {
    if (isGuarded(event.detail.elt)) answered(event.detail.elt, event.detail, "offline");
  });
  document.addEventListener("htmx:timeout", function (event) {
    if (isGuarded(event.detail.elt)) answered(event.detail.elt, event.detail, "timeout");
  });

  // An expired login, seen by any request (the live poll too): say so once for the page.
  document.addEventListener("loginRequired", function (event) {
    const notice = document.getElementById("login-notice");
    if (!notice) return;
    const link = notice.querySelector("a");
    if (link && event.detail && event.detail.loginUrl) link.href = event.detail.loginUrl;
    notice.hidden = false;
  });
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    const notice = document.getElementById("login-notice");
    if (notice && !notice.hidden && classify(event.detail) === "ok") notice.hidden = true;
  });

  // Another tab stored the draft shown here: nothing is left to save in this one.
  window.addEventListener("storage", function (event) {
    const form = noteForm();
    if (!form || event.key !== noteDraftKey(form) || event.newValue !== null || !sent) return;
    const field = form.querySelector(".note-text");
    if (field.value === sent.text && form.querySelector(".client-token").value === sent.token) {
      field.value = "";
      form.querySelector(".client-token").value = newToken();
      sent = null;
      setStatus(form, "", null);
    }
  });

  window.addEventListener("beforeunload", function (event) {
    const form = noteForm();
    const unsaved = document.querySelector("form[data-guard][data-unsaved]");
    if ((form && form.querySelector(".note-text").value.trim()) || unsaved || document.querySelector(".note-editor") || pending) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function refresh() {
    initNoteForm();
    followLiveBlock();
    initGuardedForms(document);
  }
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
