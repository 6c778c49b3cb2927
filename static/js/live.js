// Gesprekstafels: the live screens (run view, notes, projector) follow the session as it changes.
// Pushed: one EventSource per page (sessies/views/stream.py); each event is HTML of out-of-band
// swaps, its id the session version the screen has after it. When no stream gets through (a proxy
// that buffers or drops it, a server without push), the page polls instead, without a word.
(function () {
  "use strict";

  // After falling back to polling, try the stream again this much later.
  const STREAM_RETRY_MS = 60000;

  let source = null;
  let ready = false;
  let lastEventAt = 0;
  let firstEventTimer = null;
  let watchdog = null;
  let retryTimer = null;
  let pollTimer = null;
  let polling = false;
  // The newest version this page has shown: an answer rendered before it (a slow POST's) must not win.
  let highest = 0;

  function config() { return document.getElementById("live-config"); }
  function poller() { return document.getElementById("poller"); }
  function version() { const p = poller(); return p ? p.dataset.version : ""; }
  function heartbeatMs() { return Number(config().dataset.heartbeatMs) || 15000; }

  function markCurrentBlock() {
    const p = poller();
    const current = p ? p.dataset.currentBlock : null;
    document.querySelectorAll(".note-block[data-block]").forEach(function (section) {
      section.classList.toggle("current", section.dataset.block === current);
    });
  }

  // Lists that show only the latest few (the run view's notes) keep their length.
  function trimLists() {
    document.querySelectorAll("[data-limit]").forEach(function (list) {
      const limit = Number(list.dataset.limit);
      while (limit && list.children.length > limit) list.lastElementChild.remove();
    });
  }

  // Apply a fragment: a pushed event (with its version) or an answer (a move's, a poll's).
  // The poller element itself stays and takes the new state's attributes, because requests in
  // flight target it (hx-target="#poller"): a replaced one would take their answers out of sight.
  function apply(html, eventVersion) {
    const p = poller();
    if (!p) return;
    const template = document.createElement("template");
    template.innerHTML = html;
    const incoming = template.content.querySelector("#poller");
    let stale = false;
    if (incoming) {
      // An answer rendered before a change this page already got pushed would put older panels
      // over newer ones: it is applied (its messages show), then the whole state is fetched.
      stale = !eventVersion && (Number(incoming.dataset.version) || 0) < highest;
      Array.from(p.attributes).forEach(function (attribute) {
        if (attribute.name.startsWith("data-") && !incoming.hasAttribute(attribute.name)) p.removeAttribute(attribute.name);
      });
      Array.from(incoming.attributes).forEach(function (attribute) { p.setAttribute(attribute.name, attribute.value); });
      incoming.remove();
    }
    htmx.swap(p, template.innerHTML, { swapStyle: "none" });
    if (eventVersion) p.dataset.version = eventVersion;
    if (stale) { resync(); return; }
    highest = Math.max(highest, Number(p.dataset.version) || 0);
    markCurrentBlock();
    trimLists();
  }

  // Streaming

  function connect() {
    const cfg = config();
    clearTimeout(retryTimer);
    if (!cfg) return;
    if (!window.EventSource) { startPolling(); return; }
    closeStream();
    ready = false;
    source = new EventSource(cfg.dataset.stream + "&v=" + encodeURIComponent(version()));
    firstEventTimer = setTimeout(function () { if (!ready) fallBack(); }, Number(cfg.dataset.firstEventMs) || 5000);
    source.addEventListener("ready", function () {
      ready = true;
      setMode("push");
      lastEventAt = Date.now();
      clearTimeout(firstEventTimer);
      stopPolling();
    });
    source.addEventListener("ping", function () { lastEventAt = Date.now(); });
    source.addEventListener("message", function (event) {
      lastEventAt = Date.now();
      apply(event.data, event.lastEventId);
    });
    // The session is gone or no longer the user's: the poll shows what that means (a 404, the login).
    source.addEventListener("gone", function () { closeStream(); startPolling(); });
    source.addEventListener("error", function () {
      if (!source) return;
      if (source.readyState === EventSource.CLOSED) { fallBack(); return; }
      // The browser reconnects by itself, resuming from the last event; poll meanwhile.
      ready = false;
      startPolling();
    });
    watchdog = setInterval(function () {
      // Three heartbeats missed: the connection died without saying so (a sleeping laptop, wifi).
      if (ready && Date.now() - lastEventAt > 3 * heartbeatMs()) connect();
    }, heartbeatMs());
  }

  function closeStream() {
    clearTimeout(firstEventTimer);
    clearInterval(watchdog);
    if (source) { source.close(); source = null; }
    ready = false;
  }

  function fallBack() {
    closeStream();
    startPolling();
    retryTimer = setTimeout(connect, STREAM_RETRY_MS);
  }

  // Polling (the fallback): the same answers as before push existed.

  // Which way changes come in, for whoever looks (tests, a curious developer): "push" or "poll".
  function setMode(mode) {
    const cfg = config();
    if (cfg) cfg.dataset.mode = mode;
  }

  function startPolling() {
    setMode("poll");
    if (pollTimer) return;
    const cfg = config();
    pollTimer = setInterval(poll, Number(cfg.dataset.pollInterval) || 2000);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function poll() {
    const p = poller();
    if (!p || polling) return;
    polling = true;
    htmx.ajax("GET", config().dataset.poll + "&v=" + encodeURIComponent(version()), { target: "#poller", swap: "outerHTML" })
      .finally(function () { polling = false; markCurrentBlock(); });
  }

  // A change that does not fit what the screen shows (a note's neighbour missing): start over from the whole state.
  function resync() {
    const p = poller();
    if (p) p.dataset.version = "0";
    highest = 0;
    if (source && ready) connect(); else poll();
  }

  // Put `element` in place of the one with its id, or else at the end of `container`.
  function placeOrAppend(element, container) {
    const existing = element.id ? document.getElementById(element.id) : null;
    if (existing && existing.classList.contains("note-editor-item")) return;
    if (existing) existing.replaceWith(element); else container.appendChild(element);
    htmx.process(element);
  }

  document.addEventListener("htmx:oobErrorNoTarget", function (event) {
    const content = event.detail.content;
    if (!content || !content.hasAttribute) { resync(); return; }
    // Removing what is already gone (the secretary's own delete answered first) is fine.
    if (content.hasAttribute("data-live-optional")) return;
    // A note placed before one the list no longer shows (beyond its length): it goes at the end.
    const container = content.dataset.liveFallback ? document.querySelector(content.dataset.liveFallback) : null;
    if (container) {
      Array.from(content.children).forEach(function (element) { placeOrAppend(element, container); });
      trimLists();
      return;
    }
    resync();
  });

  // A note the screen already shows (its own save answered first, or an edit) is replaced in
  // place instead of inserted twice; one being edited here is left alone.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    const fragment = event.detail.fragment;
    if (!fragment || !fragment.children) return;
    Array.from(fragment.children).forEach(function (element) {
      if (!element.id) return;
      const existing = document.getElementById(element.id);
      if (!existing || existing === event.detail.target) return;
      if (existing.classList.contains("note-editor-item")) { element.remove(); return; }
      existing.replaceWith(element);
      htmx.process(element);
    });
    if (!fragment.children.length) event.detail.shouldSwap = false;
  });

  // A list pushed whole (the proposals from participants' phones): an item someone is working
  // on (text edited, a box ticked, the focus in it) stays as it is in the new list.
  const keptItems = new Map();
  function workedOn(item) {
    if (item.contains(document.activeElement)) return true;
    return Array.from(item.querySelectorAll("textarea, input")).some(function (field) {
      if (field.type === "checkbox") return field.checked !== field.defaultChecked;
      return field.value !== field.defaultValue;
    });
  }
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    const target = event.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-keep-edited")) return;
    target.querySelectorAll("[data-keep-item]").forEach(function (item) {
      if (workedOn(item)) keptItems.set(item.id, { item: item, focused: item.contains(document.activeElement) ? document.activeElement : null });
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    keptItems.forEach(function (kept, id) {
      const fresh = document.getElementById(id);
      if (!fresh) return;  // decided meanwhile (another screen): it is gone from the list
      fresh.replaceWith(kept.item);
      if (kept.focused) kept.focused.focus();
    });
    keptItems.clear();
  });

  // Answers to the poller (the moves' forms, the poll) go through apply() like pushed events.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.shouldSwap || event.detail.target !== poller()) return;
    event.detail.shouldSwap = false;
    apply(event.detail.serverResponse || "", null);
  });
  document.addEventListener("htmx:afterSettle", trimLists);

  document.addEventListener("DOMContentLoaded", function () {
    if (!config()) return;
    highest = Number(version()) || 0;
    markCurrentBlock();
    connect();
  });
  window.addEventListener("pagehide", closeStream);
})();
