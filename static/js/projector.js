// Gesprekstafels, the room's screen: everything fits the screen without scrolling, and a
// button asks the browser for full screen (a beamer shows no browser bars). Text shrinks to
// fit (never below 4 % of the height, see app.css), lists go to two columns, and a list still
// too long for the wall shows a page at a time, turning every few seconds.
(function () {
  "use strict";

  const STEP = 0.05;
  const PAGE_SECONDS = 10;
  let pageTimer = null;
  const SMALLEST = 0.45;  // the CSS keeps body text at 4 % of the height whatever --fit says

  // The room, or its main part pressing into the footer (the time, the QR code).
  function overflowing(room) {
    const main = room.querySelector(".room-main");
    return room.scrollHeight > room.clientHeight + 1 || (main !== null && main.scrollHeight > main.clientHeight + 1);
  }

  function fit() {
    clearInterval(pageTimer);
    pageTimer = null;
    const room = document.querySelector("#projector .room");
    if (!room) return;
    room.classList.remove("room-columns");
    let scale = 1;
    room.style.setProperty("--fit", scale);
    while (overflowing(room) && scale > SMALLEST) {
      scale -= STEP;
      room.style.setProperty("--fit", scale.toFixed(2));
    }
    if (overflowing(room)) room.classList.add("room-columns");
    if (overflowing(room)) paginate(room);
    room.dataset.fitted = overflowing(room) ? "overflow" : "yes";
  }

  // Split the longest list into pages that fit, and show them in turn.
  function paginate(room) {
    const lists = Array.from(room.querySelectorAll(".room-main .room-list"));
    const list = lists.sort(function (a, b) { return b.children.length - a.children.length; })[0];
    if (!list || list.children.length < 2) return;
    const items = Array.from(list.children);
    // The page marker takes its line before the pages are measured.
    const marker = document.createElement("p");
    marker.className = "room-page";
    marker.textContent = "1 / 1";
    list.after(marker);
    const pages = [];
    let start = 0;
    while (start < items.length) {
      items.forEach(function (item, index) { item.hidden = index !== start; });
      let end = start + 1;
      while (end < items.length) {
        items[end].hidden = false;
        if (overflowing(room)) { items[end].hidden = true; break; }
        end += 1;
      }
      pages.push([start, end]);
      start = end;
    }
    let page = 0;
    function show() {
      const [first, last] = pages[page];
      items.forEach(function (item, index) { item.hidden = index < first || index >= last; });
      marker.textContent = (page + 1) + " / " + pages.length;
      // An ordered list keeps counting from where the page starts.
      if (list.tagName === "OL") list.start = first + 1;
    }
    show();
    if (pages.length > 1) pageTimer = setInterval(function () { page = (page + 1) % pages.length; show(); }, PAGE_SECONDS * 1000);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-fullscreen]")) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  });

  document.addEventListener("DOMContentLoaded", fit);
  document.addEventListener("htmx:oobAfterSwap", fit);
  window.addEventListener("resize", fit);
})();
