// Gesprekstafels: small page behaviour that used to sit in inline handlers. The
// Content-Security-Policy allows no inline script or handler, so it lives here.
(function () {
  "use strict";

  // A select marked data-autosubmit (the language menu) submits its form when it changes.
  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });
})();
