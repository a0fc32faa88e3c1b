// The survey page: display conditions applied live, and a character counter under each text answer.
// Without this script every question is shown and the server ignores answers to questions hidden by
// their condition; with it, a hidden question's fields are disabled (kept, not sent) until shown again.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  form.classList.add("js-conditions");
  var blocks = Array.prototype.slice.call(form.querySelectorAll(".survey-question[data-question]"));

  function chosen(name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (input) {
      values.push(Number(input.value));
    });
    return values;
  }

  function apply() {
    var shown = {};
    blocks.forEach(function (block) {
      var visible = true;
      var raw = block.getAttribute("data-condition");
      if (raw) {
        var condition = JSON.parse(raw);
        visible = shown[condition.question] === true && chosen(condition.question).some(function (value) {
          return condition.values.indexOf(value) !== -1;
        });
      }
      shown[block.getAttribute("data-question")] = visible;
      block.hidden = !visible;
      block.querySelectorAll("input, textarea").forEach(function (field) {
        field.disabled = !visible;
      });
    });
  }

  function count(area) {
    var out = document.getElementById(area.getAttribute("data-counter"));
    if (out) out.textContent = area.value.length + " / " + area.maxLength;
  }

  form.addEventListener("change", apply);
  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-counter]")) count(event.target);
  });
  form.querySelectorAll("textarea[data-counter]").forEach(count);
  apply();
})();
