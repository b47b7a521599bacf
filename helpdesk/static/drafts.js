// Autosave of reply drafts: a textarea carrying data-draft-url is posted there (field
// "body") a few seconds after typing stops, and when the page is left, unless its form is
// being sent (the server then discards the draft). The answer's text ("Brouillon enregistré
// à 10:42") goes into a polite live status line under the textarea. Without JavaScript
// nothing is saved automatically; the page still restores a draft saved earlier.
(function () {
  "use strict";

  var DELAY_MS = 2000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function statusLine(textarea) {
    var line = document.getElementById(textarea.id + "-brouillon");
    if (line) {
      return line;
    }
    line = document.createElement("p");
    line.id = textarea.id + "-brouillon";
    line.className = "fr-hint-text fr-mt-1v draft-status";
    line.setAttribute("role", "status");
    line.setAttribute("aria-live", "polite");
    line.setAttribute("data-testid", "draft-status");
    textarea.insertAdjacentElement("afterend", line);
    return line;
  }

  function show(line, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    line.textContent = holder.textContent.trim();
  }

  function watch(textarea) {
    var url = textarea.getAttribute("data-draft-url");
    var saved = textarea.value;
    var timer = null;
    var sending = false;
    var line = statusLine(textarea);

    function save(leaving) {
      window.clearTimeout(timer);
      timer = null;
      var text = textarea.value;
      if (sending || text === saved) {
        return;
      }
      var body = new URLSearchParams();
      body.set("body", text);
      window
        .fetch(url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          keepalive: Boolean(leaving),
          headers: { "X-CSRFToken": csrfToken() },
        })
        .then(function (response) {
          if (response.ok) {
            saved = text;
          }
          return response.text().then(function (html) {
            if (!leaving && response.status < 500) {
              show(line, response.ok || response.status === 422 ? html : "Brouillon non enregistré.");
            }
          });
        })
        .catch(function () {
          if (!leaving) {
            line.textContent = "Brouillon non enregistré : connexion interrompue.";
          }
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    });
    if (textarea.form) {
      // Sending the message discards the draft on the server: stop saving it. Buttons that
      // only insert a text or apply a macro (draft-insert.js) do not send it.
      textarea.form.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        if (submitter && (submitter.hasAttribute("data-insert-url") || submitter.hasAttribute("data-insert-at"))) {
          return;
        }
        window.clearTimeout(timer);
        window.setTimeout(function () {
          if (event.defaultPrevented) {
            save(false); // another script handled the submission: the page stays
          } else {
            sending = true;
          }
        }, 0);
      });
    }
    window.addEventListener("pagehide", function () {
      save(true);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        save(true);
      }
    });
  }

  function start(root) {
    var areas = (root || document).querySelectorAll("textarea[data-draft-url]");
    Array.prototype.forEach.call(areas, function (textarea) {
      if (!textarea.hasAttribute("data-draft-watched")) {
        textarea.setAttribute("data-draft-watched", "1");
        watch(textarea);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    start(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    start(event.target);
  });
})();
