// Behaviour every page shares, without inline script (the Content-Security-Policy allows none):
// - a button or link with data-confirm asks first and does nothing unless confirmed;
// - a select with data-autosubmit submits its form when changed (the language menu).
"use strict";

document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});
