/* Proposal edit page: say at once when a chosen file is too large, before it is uploaded. The server checks again. */
(function () {
  "use strict";
  var MAX_BYTES = 10 * 1024 * 1024;
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10) || MAX_BYTES;
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.some.call(input.files || [], function (file) { return file.size > limit; });
      input.setCustomValidity(tooBig ? input.getAttribute("data-too-big") : "");
      if (tooBig) input.reportValidity();
    });
  });
})();
