// Remembers the ticket page's side panels per agent: when a DSFR accordion button carrying
// data-panel="<name>" is opened or closed, POST /console/panneaux (panel, open = 1 or 0).
// The page renders each panel's state from that memory, so it works without JavaScript too.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function remember(button, isOpen) {
    var body = new URLSearchParams();
    body.set("panel", button.getAttribute("data-panel"));
    body.set("open", isOpen ? "1" : "0");
    window.fetch("/console/panneaux", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  // Capture phase: the state is read before DSFR's own handler toggles it.
  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest("button[data-panel]");
      if (button) {
        remember(button, button.getAttribute("aria-expanded") !== "true");
      }
    },
    true
  );
})();
