/* The call's questions on the proposal's edit page: a question with a condition ("show when question X is Y")
   is hidden while the condition is false. Progressive enhancement: without this script every question shows,
   and the server drops the answers of hidden questions and does not require them. */
(function () {
  "use strict";

  function answerOf(form, key) {
    var inputs = form.querySelectorAll('[name="answers-q_' + key + '"]');
    if (!inputs.length) return null;
    var first = inputs[0];
    if (first.type === "radio") {
      var chosen = form.querySelector('[name="answers-q_' + key + '"]:checked');
      return chosen ? [chosen.value] : [];
    }
    if (first.type === "checkbox" && inputs.length === 1 && first.getAttribute("data-answer-type") === "consent") {
      return [first.checked ? "yes" : "no"];
    }
    if (first.type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    return [first.value];
  }

  function same(a, b, type) {
    if (type === "number") return a.trim() !== "" && Number(a) === Number(b);
    return a.trim().toLowerCase() === b.trim().toLowerCase();
  }

  function update(form) {
    var shown = {};
    form.querySelectorAll("[data-question-key]").forEach(function (question) {
      var key = question.getAttribute("data-question-key");
      var when = question.getAttribute("data-show-when-key");
      var visible = true;
      if (when) {
        var source = form.querySelector('[data-question-key="' + when + '"]');
        var type = source ? source.getAttribute("data-question-type") : "";
        var expected = question.getAttribute("data-show-when-value") || "";
        var values = answerOf(form, when) || [];
        visible = !!shown[when] && values.some(function (v) { return same(v, expected, type); });
      }
      shown[key] = visible;
      question.hidden = !visible;
      var note = question.querySelector(".application-question__condition");
      if (note) note.hidden = true;
    });
  }

  document.querySelectorAll("[data-application-form]").forEach(function (group) {
    var form = group.closest("form") || group;
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  });
})();
