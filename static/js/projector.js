// Gesprekstafels, the room's screen: everything fits the screen without scrolling, and a
// button asks the browser for full screen (a beamer shows no browser bars).
(function () {
  "use strict";

  const STEP = 0.05;
  const SMALLEST = 0.45;  // the CSS keeps body text at 4 % of the height whatever --fit says

  function overflowing(room) { return room.scrollHeight > room.clientHeight + 1; }

  function fit() {
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
    room.dataset.fitted = overflowing(room) ? "overflow" : "yes";
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
