// Gesprekstafels, a participant's phone. saving.js keeps each typed answer (draft, retries);
// this keeps it through the session's moves: when the group moves to another block while an
// answer is typed, the answer's form moves to "Not sent yet" instead of disappearing.
(function () {
  "use strict";

  function rememberSender() {
    const field = document.getElementById("sender");
    if (!field) return;
    const key = field.dataset.remember;
    try {
      field.value = localStorage.getItem(key) || "";
      field.addEventListener("input", function () { localStorage.setItem(key, field.value); });
    } catch (e) { /* private mode: the name is simply not remembered */ }
  }

  function typedForms(root) {
    return Array.from(root.querySelectorAll("form.answer-form")).filter(function (form) {
      const text = form.querySelector("textarea");
      return text && (text.value.trim() || text === document.activeElement);
    });
  }

  function keepUnsent(forms) {
    const holder = document.getElementById("unsent-answers");
    if (!holder || !forms.length) return;
    forms.forEach(function (form) {
      const card = document.createElement("div");
      card.className = "card mb-2";
      const body = document.createElement("div");
      body.className = "card-body";
      const title = document.createElement("p");
      title.className = "fw-semibold mb-1";
      title.textContent = form.dataset.questionText || "";
      // Ids stay unique when the group comes back to this block.
      form.id = form.id + "-unsent";
      form.querySelectorAll("[id]").forEach(function (element) { element.id = element.id + "-unsent"; });
      form.querySelectorAll("label[for]").forEach(function (label) { label.htmlFor = label.htmlFor + "-unsent"; });
      body.appendChild(title);
      body.appendChild(form);
      card.appendChild(body);
      holder.appendChild(card);
    });
    holder.hidden = false;
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    const target = event.detail.target;
    if (!target || target.id !== "participant-now") return;
    const current = target.querySelector(".participant-now");
    const incoming = event.detail.fragment && event.detail.fragment.querySelector(".participant-now");
    if (!current || !incoming) return;
    const typed = typedForms(current);
    if (current.dataset.block === incoming.dataset.block) {
      // Same block (a pause, a resume): keep the page as it is while someone types.
      if (typed.length) event.detail.shouldSwap = false;
      return;
    }
    keepUnsent(typed);
  });

  // An answer sent from "Not sent yet" is done there once the server confirmed it (its own
  // list of what was sent arrives pushed).
  document.addEventListener("htmx:beforeSwap", function (event) {
    const holder = document.getElementById("unsent-answers");
    const form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!holder || !form || !holder.contains(form) || event.detail.xhr.status !== 200) return;
    event.detail.shouldSwap = false;
    const card = form.closest(".card");
    if (card) card.remove();
    if (!holder.querySelector("form")) holder.hidden = true;
  });

  // The link was closed or the session ended while the page was open: show the page that says so.
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const path = event.detail.pathInfo ? event.detail.pathInfo.requestPath : "";
    if ((status === 404 || status === 410) && path.indexOf("/stand/") !== -1) window.location.reload();
  });

  // A form pushed to every phone alike comes without a client token: this phone gives it one,
  // kept in the field so that resending the same answer is recognised as the same.
  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt;
    if (!form.classList || !form.classList.contains("answer-form")) return;
    const token = form.querySelector('input[name="client_token"]');
    if (token && !token.value) {
      token.value = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
      event.detail.parameters.set ? event.detail.parameters.set("client_token", token.value) : (event.detail.parameters.client_token = token.value);
    }
  });

  document.addEventListener("DOMContentLoaded", rememberSender);
})();
