// Feedback on long actions (imports, deployments, migrations): a form marked data-busy="<message>" shows the
// message in a status line while the server works, and a second click does not send it again. Actions that
// change what everyone uses (deploying a version) ask first: data-confirm="<question>" on the form or its button.
(function () {
  "use strict";

  function statusFor(form) {
    var status = form.querySelector(".busy-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "busy-status";
      status.setAttribute("role", "status");
      form.appendChild(status);
    }
    return status;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A button (or form) marked data-confirm="<question>" asks first; cancelling sends nothing.
    var asking = event.submitter && event.submitter.hasAttribute("data-confirm") ? event.submitter : form;
    if (asking.hasAttribute("data-confirm") && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute("data-busy")) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    statusFor(form).textContent = form.getAttribute("data-busy");
  });

  // Coming back to the page (browser history) must not leave a form stuck as busy.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      statusFor(form).textContent = "";
    });
  });
})();
