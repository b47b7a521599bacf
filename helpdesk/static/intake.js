// The contact form: builds the suggestion query, records what the suggestions did (beacons).
(function () {
  "use strict";
  var state = { shown: [], opened: false, sent: false };

  // htmx copies the old "style" attribute onto swapped elements while settling, which the
  // CSP (no inline styles) refuses: settle classes and sizes only.
  if (window.htmx) {
    window.htmx.config.attributesToSettle = ["class", "width", "height"];
  }

  function field(name) {
    var form = document.getElementById("contact-form");
    var input = form && form.querySelector('[name="' + name + '"]');
    return input ? input.value : "";
  }

  function beacon(kind, articles) {
    var visit = field("visit");
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (!visit || !meta || !navigator.sendBeacon) {
      return;
    }
    var body = new URLSearchParams();
    body.append("_csrf_token", meta.getAttribute("content"));
    body.append("visit", visit);
    body.append("kind", kind);
    body.append("language", field("language") || "fr");
    articles.forEach(function (slug) { body.append("article", slug); });
    navigator.sendBeacon("/contact/evenements", body);
  }

  function slugOf(element) {
    var holder = element.closest("[data-slug]");
    if (holder) {
      return holder.getAttribute("data-slug");
    }
    var link = element.closest("a");
    return link ? link.pathname.split("/").filter(Boolean).pop() : "";
  }

  // The suggestion engine takes one text: the subject and the message together.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.hasAttribute("data-suggest")) {
      return;
    }
    var params = event.detail.parameters;
    params.q = (field("subject") + "\n" + field("message")).trim();
    params.lang = field("language") || "fr";
    delete params.subject;
    delete params.message;
    delete params.language;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var hidden = document.getElementById("shown-articles");
    if (target && target.id === "contact-zone" && hidden) {
      hidden.value = state.shown.join(",");
    }
    if (!target || target.id !== "suggestions-results") {
      return;
    }
    var fresh = [];
    target.querySelectorAll("[data-slug], a").forEach(function (element) {
      var slug = slugOf(element);
      if (slug && state.shown.indexOf(slug) < 0 && fresh.indexOf(slug) < 0) {
        fresh.push(slug);
      }
    });
    if (fresh.length) {
      state.shown = state.shown.concat(fresh);
      if (hidden) {
        hidden.value = state.shown.join(",");
      }
      beacon("shown", fresh);
    }
  });

  // htmx 2 does not swap error answers by default: the form's 413, 422 and 429 are pages to show.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (event.detail.target && event.detail.target.id === "contact-zone" &&
        (status === 413 || status === 422 || status === 429)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#suggestions-results a");
    if (link) {
      state.opened = true;
      beacon("opened", [slugOf(link)]);
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id === "contact-form") {
      state.sent = true;
    }
  }, true);

  window.addEventListener("pagehide", function () {
    if (state.opened && !state.sent) {
      beacon("left", []);
    }
  });
})();
