// The signalement form asks the knowledge base with its subject and description as one query.
document.addEventListener("htmx:configRequest", function (event) {
  var source = event.detail.elt;
  if (!source || !source.hasAttribute("data-kb-query")) {
    return;
  }
  var text = source.getAttribute("data-kb-query").split(",").map(function (id) {
    var field = document.getElementById(id.trim());
    return field ? field.value : "";
  }).join(" ");
  event.detail.parameters = { q: text.slice(0, 2000) };
});

// With JavaScript, articles come while typing: the fallback button is not needed.
document.querySelectorAll("[data-no-js-only]").forEach(function (button) {
  (button.closest("li") || button).hidden = true;
});
