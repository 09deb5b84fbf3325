/* Upload progress for forms marked data-progress: the form is sent with
   XMLHttpRequest so the <progress> bar can follow the upload; the page the
   server answers with then replaces this one. Without JavaScript the form
   posts normally. */
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) { return; }
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    var bar = document.getElementById(form.getAttribute("data-progress"));
    form.addEventListener("submit", function (event) {
      var hasFile = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
        return input.files && input.files.length > 0;
      });
      if (!hasFile || !bar) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      bar.hidden = false;
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) { bar.value = Math.round(100 * progress.loaded / progress.total); }
      });
      request.addEventListener("load", function () {
        if (request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
        } else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      });
      request.addEventListener("error", function () { form.submit(); });
      request.send(data);
    });
  });
}());
