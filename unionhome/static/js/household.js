// Hardship application: "Add another person" adds a household row in place. Without JavaScript the same
// button posts the form back and the server adds the row (see assistance/views/files.py).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-add-person]") : null;
  if (!button) return;
  var form = button.form;
  var total = form && form.querySelector("input[name$='-TOTAL_FORMS']");
  var max = form && form.querySelector("input[name$='-MAX_NUM_FORMS']");
  var template = document.getElementById("household-empty");
  var rows = document.getElementById("household-rows");
  if (!total || !template || !rows) return;
  var n = parseInt(total.value, 10);
  if (max && n >= parseInt(max.value, 10)) return; // the server says why no more rows fit
  event.preventDefault();
  var html = template.innerHTML.replace(/__prefix__/g, String(n)).replace(/__n__/g, String(n + 1));
  rows.insertAdjacentHTML("beforeend", html);
  total.value = String(n + 1);
  var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
  if (first) first.focus();
});
