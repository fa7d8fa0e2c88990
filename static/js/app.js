// Behaviour every page shares, without inline script (the Content-Security-Policy allows none):
// - a button or link with data-confirm asks first and does nothing unless confirmed;
// - a select with data-autosubmit submits its form when changed (the language menu);
// - in a form with data-live-check a field the browser can already tell is wrong (a number
//   below its minimum, a date after today, a malformed phone) turns red as soon as it is
//   left, with the browser's reason as its tooltip. The form still submits: the server checks
//   everything again and lists every problem at once.
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

document.addEventListener("change", (event) => {
  const field = event.target;
  if (!field.form || !field.form.matches("[data-live-check]") || !field.checkValidity) return;
  const valid = field.checkValidity();
  field.classList.toggle("is-invalid", !valid);
  if (valid) field.removeAttribute("title");
  else field.title = field.validationMessage;
});
