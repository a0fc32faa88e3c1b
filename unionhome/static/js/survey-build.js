// The survey builder's small behaviours (no inline scripts: the Content Security Policy forbids them).
// 1. On a question form, fields that only some kinds of question have (data-kinds="single multiple")
//    are hidden for the other kinds; without JavaScript every field shows and the server ignores them.
// 2. On an open survey's page, the response rate (#survey-rate[data-live]) is fetched every 30 s from
//    its JSON endpoint (data-rate-url: {invited, responded, rate, percent}).
(function () {
  function toggleKinds(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) return;
    function apply() {
      form.querySelectorAll("[data-kinds]").forEach(function (field) {
        field.hidden = field.dataset.kinds.split(" ").indexOf(kind.value) < 0;
      });
    }
    kind.addEventListener("change", apply);
    apply();
  }

  function pollRate(el) {
    var url = el.dataset.rateUrl;
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          ["invited", "responded", "percent"].forEach(function (key) {
            var target = el.querySelector("[data-rate=" + key + "]");
            if (target) target.textContent = data[key];
          });
          el.dataset.refreshed = String(Date.now());
        })
        .catch(function () { /* try again at the next tick */ });
    }
    window.setInterval(refresh, 30000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-question-form]").forEach(toggleKinds);
    document.querySelectorAll("#survey-rate[data-live]").forEach(pollRate);
  });
})();
