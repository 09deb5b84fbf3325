/* Suggestions as you type, for search boxes with a data-suggest address.
   Progressive enhancement: without this script the form simply submits.
   Uses the native <datalist>, which browsers and screen readers already
   know how to present and which works with the keyboard. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[data-suggest][list]");
  Array.prototype.forEach.call(boxes, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2 || text === last) { return; }
      timer = setTimeout(function () {
        last = text;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
          .then(function (data) {
            list.textContent = "";
            data.suggestions.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.name;
              list.appendChild(option);
            });
          })
          .catch(function () { /* the form still works */ });
      }, 200);
    });
  });
})();
