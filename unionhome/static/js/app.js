// Small behaviours without inline scripts (the Content Security Policy forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]")) el.form.submit();
});
