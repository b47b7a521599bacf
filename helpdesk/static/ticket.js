// Ticket page enhancements (the page works without them):
// - the message form shows the « Type de message » choice and only the buttons of that kind;
// - the hand-over form shows only the fields the chosen move needs (the server still checks);
// - a modal whose action was refused opens again (data-fr-opened="true", DSFR) and the
//   hand-over's first field takes the focus when its modal opens.
(function () {
  "use strict";

  function showMessageButtons(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    if (!checked) return;
    form.querySelectorAll("[data-message-kind]").forEach(function (group) {
      group.hidden = group.getAttribute("data-message-kind") !== checked.value;
    });
  }

  function setUpMessageForm() {
    var form = document.getElementById("formulaire-message");
    if (!form) return;
    var choice = form.querySelector("[data-js-only]");
    if (!choice) return;
    choice.hidden = false;
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") showMessageButtons(form);
    });
    showMessageButtons(form);
  }

  function showHandoverFields(form) {
    var select = form.querySelector("#to_queue");
    var option = select && select.options[select.selectedIndex];
    var move = option ? option.getAttribute("data-move") : "";
    form.querySelectorAll("[data-moves]").forEach(function (group) {
      var moves = group.getAttribute("data-moves").split(" ");
      var hasError = group.classList.contains("fr-input-group--error");
      group.hidden = moves.indexOf(move) < 0 && !hasError;
    });
  }

  function setUpHandoverForm() {
    var form = document.getElementById("formulaire-transmission");
    if (!form) return;
    form.querySelector("#to_queue").addEventListener("change", function () {
      showHandoverFields(form);
    });
    showHandoverFields(form);
  }

  // DSFR announces a modal's opening with the "dsfr.disclose" event.
  document.addEventListener("dsfr.disclose", function (event) {
    if (event.target && event.target.id === "modale-transmettre") {
      window.setTimeout(function () {
        var select = document.getElementById("to_queue");
        if (select) select.focus();
      }, 50);
    }
  });

  function start() {
    setUpMessageForm();
    setUpHandoverForm();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
