// Inserts an élément de langage or a knowledge-base article into the reply being written, at
// the cursor, without replacing the draft.
//
// A form carrying data-insert-into="<textarea id>" and data-insert-url="<url>" (or a submit
// button carrying them, e.g. a button of the éléments de langage picker that submits the reply
// form with form="formulaire-message") is not submitted: its fields are POSTed to the URL,
// which answers text/plain, and the text goes in at the textarea's cursor (or at its end).
// Without JavaScript the form submits normally and the page comes back with the draft kept.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Where the text goes: the selection (replaced) or the cursor; the end when the textarea
  // never had the focus. Blank lines keep the inserted text apart from the words around it.
  function insertAtCursor(textarea, text) {
    var value = textarea.value;
    var focused = textarea.dataset.insertTouched === "1";
    var start = focused ? textarea.selectionStart : value.length;
    var end = focused ? textarea.selectionEnd : value.length;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = after === "" || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    var inserted = lead + text + tail;
    textarea.value = before + inserted + after;
    var caret = before.length + lead.length + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dataset.insertTouched = "1";
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // the draft autosave hears it
  }

  function announce(message) {
    var region = document.getElementById("insert-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "insert-status";
      region.className = "fr-sr-only";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    region.textContent = message;
  }

  // Remember where the agent left the cursor: clicking a button elsewhere blurs the textarea
  // but keeps its selection, which is where the text must go.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.tagName === "TEXTAREA" && target.id) {
      target.dataset.insertTouched = "1";
    }
  });

  // A macro button (data-insert-at="<textarea id>") reloads the page: it sends the cursor's
  // place along, so that the server puts the text there rather than at the end.
  function sendCursor(form, submitter) {
    var textarea = document.getElementById(submitter.dataset.insertAt);
    if (!textarea || textarea.dataset.insertTouched !== "1") {
      return;
    }
    var field = form.querySelector('input[name="insert_at"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "insert_at";
      form.appendChild(field);
    }
    field.value = String(textarea.selectionStart);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (submitter && submitter.dataset && submitter.dataset.insertAt) {
      sendCursor(form, submitter);
      return;
    }
    var source = submitter && submitter.dataset && submitter.dataset.insertUrl ? submitter : form;
    if (!source.dataset || !source.dataset.insertUrl || !source.dataset.insertInto) {
      return;
    }
    var textarea = document.getElementById(source.dataset.insertInto);
    if (!textarea || !window.fetch) {
      return; // the normal submission keeps the draft and adds the text at its end
    }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    fetch(source.dataset.insertUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "text/plain" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (text) {
        if (text) {
          insertAtCursor(textarea, text);
          announce("Texte inséré dans votre réponse.");
        } else {
          announce("Cette fiche est interne : elle n'est pas insérée dans la réponse.");
        }
      })
      .catch(function () {
        announce("L'insertion a échoué : votre texte n'a pas été modifié. Réessayez.");
      });
  });
})();
