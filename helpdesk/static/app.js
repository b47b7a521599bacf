// Sends the CSRF token with every htmx request (state-changing requests need it).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});

// A list refreshes itself every 30 s, except while the agent has tickets selected in it.
document.addEventListener("htmx:beforeRequest", function (event) {
  var target = event.detail.elt;
  if (target && target.id === "liste" && target.querySelector("input[type=checkbox]:checked")) {
    event.preventDefault();
  }
});
