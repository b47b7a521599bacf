// Keyboard shortcuts of the agent console (the list is in templates/_shortcuts_dialog.html).
//
// An element carrying data-shortcut="<key>" answers that key: a link, button or check box is
// clicked, a field is focused (data-shortcut-focus focuses instead of clicking); a sequence
// such as data-shortcut="g l" answers « g » then « l ». data-shortcut-then="<id>" focuses that
// element after the click (e.g. pick the kind « réponse », then go to the message). When
// several elements share a key, the visible one in the page's content wins over the menu.
// In a list, rows carry data-row: j/k move the focus between rows, o or Entrée open the row.
// Keys are left alone while typing in a field, with Ctrl/Alt/Meta held, inside menus, tabs
// and other composite widgets, and while a window (DSFR modal) is open. « ? » opens the help.
(function () {
  "use strict";

  var DIALOG_ID = "raccourcis-clavier";
  var SEQUENCE_DELAY_MS = 1500;
  var WIDGET_ROLES = "[role=menu],[role=menubar],[role=tablist],[role=listbox],[role=tree]," +
    "[role=grid],[role=combobox],[role=radiogroup],[role=slider],[role=spinbutton]";
  var NOT_TYPED = ["checkbox", "radio", "button", "submit", "reset", "image"];
  var pendingPrefix = null;
  var prefixTimer = null;
  var focusBeforeHelp = null;

  function isTyping(target) {
    if (!target || target.nodeType !== 1) return false;
    if (target.isContentEditable) return true;
    var field = target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])");
    if (!field) return false;
    // Check boxes, radios and buttons take no letters: shortcuts still work from them.
    return !(field.tagName === "INPUT" && NOT_TYPED.indexOf(field.type) >= 0);
  }

  function insideWidget(target) {
    return Boolean(target && target.nodeType === 1 && target.closest(WIDGET_ROLES));
  }

  function modalOpen() {
    return Boolean(document.querySelector(".fr-modal--opened, dialog[open]"));
  }

  function isVisible(element) {
    return element.getClientRects().length > 0;
  }

  function inContent(element) {
    return Boolean(element.closest("main"));
  }

  // The element answering a key: visible before hidden, page content before the menu.
  function shortcutTarget(key) {
    var all = Array.prototype.slice.call(document.querySelectorAll("[data-shortcut]"));
    var matching = all.filter(function (element) {
      return element.getAttribute("data-shortcut").trim() === key && !element.disabled;
    });
    function rank(element) {
      return (isVisible(element) ? 0 : 2) + (inContent(element) ? 0 : 1);
    }
    matching.sort(function (a, b) { return rank(a) - rank(b); });
    return matching[0] || null;
  }

  function isField(element) {
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(element.type) < 0;
  }

  // A field inside a closed DSFR collapse or accordion cannot take the focus: open it first.
  function reveal(element) {
    var collapse = element.closest(".fr-collapse");
    if (collapse && !collapse.classList.contains("fr-collapse--expanded") && collapse.id) {
      var opener = document.querySelector('[aria-controls="' + collapse.id + '"][aria-expanded="false"]');
      if (opener) opener.click();
    }
    var details = element.closest("details");
    if (details) details.open = true;
  }

  // DSFR opens collapses and modals over a few frames: try again until the field takes the
  // focus once, never after (the agent may have moved on).
  function focusSoon(element) {
    reveal(element);
    var delays = [0, 60, 150, 300, 500];
    var done = false;
    delays.forEach(function (delay) {
      window.setTimeout(function () {
        if (done) return;
        element.focus();
        done = document.activeElement === element;
      }, delay);
    });
  }

  function activate(element) {
    if (element.hasAttribute("data-shortcut-focus") || isField(element)) {
      focusSoon(element);
      return;
    }
    element.click();
    var then = element.getAttribute("data-shortcut-then");
    var follow = then && document.getElementById(then);
    if (follow) focusSoon(follow);
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("main [data-row]")).filter(isVisible);
  }

  // What takes the focus for a row: the row itself when it is a link, else its first link.
  function rowLink(row) {
    if (row.matches("a[href], button")) return row;
    return row.querySelector("[data-row-link]") || row.querySelector("a[href]");
  }

  function currentRow(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) {
      if (list[i] === active || list[i].contains(active)) return i;
    }
    return -1;
  }

  function markCurrent(list, row) {
    list.forEach(function (other) { other.classList.remove("keys-current"); });
    row.classList.add("keys-current");
  }

  function moveRow(step) {
    var list = rows();
    if (!list.length) return false;
    var index = currentRow(list);
    var next = index < 0 ? (step > 0 ? 0 : list.length - 1) : index + step;
    next = Math.max(0, Math.min(list.length - 1, next));
    var row = list[next];
    var target = rowLink(row) || row;
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    markCurrent(list, row);
    target.focus();
    target.scrollIntoView({ block: "nearest" });
    return true;
  }

  function openRow(fromEnter) {
    var list = rows();
    var index = currentRow(list);
    if (index < 0) return false;
    var row = list[index];
    var link = rowLink(row);
    if (!link) return false;
    // Entrée keeps its own meaning on a link, a button or a box: only a focused row is ours.
    if (fromEnter && (document.activeElement !== row || link === row)) return false;
    link.click();
    return true;
  }

  function openHelp() {
    var opener = document.querySelector('[aria-controls="' + DIALOG_ID + '"][data-fr-opened]');
    if (!opener) return false;
    focusBeforeHelp = document.activeElement;
    opener.click();
    return true;
  }

  // Back to where the agent was when « ? » opened the help (DSFR would return to the button).
  function watchHelpClosing() {
    var dialog = document.getElementById(DIALOG_ID);
    if (!dialog) return;
    dialog.addEventListener("dsfr.conceal", function () {
      var back = focusBeforeHelp;
      focusBeforeHelp = null;
      if (back && back !== document.body && document.contains(back)) {
        window.setTimeout(function () { back.focus(); }, 0);
      }
    });
  }

  function clearPrefix() {
    pendingPrefix = null;
    if (prefixTimer) window.clearTimeout(prefixTimer);
    prefixTimer = null;
  }

  function startPrefix(key) {
    pendingPrefix = key;
    prefixTimer = window.setTimeout(clearPrefix, SEQUENCE_DELAY_MS);
  }

  function hasSequenceStartingWith(key) {
    return Array.prototype.some.call(document.querySelectorAll("[data-shortcut]"), function (element) {
      var parts = element.getAttribute("data-shortcut").trim().split(/\s+/);
      return parts.length > 1 && parts[0] === key;
    });
  }

  // One key press; true when it was a shortcut (then the browser does nothing else with it).
  function handle(key) {
    if (pendingPrefix) {
      var sequence = pendingPrefix + " " + key;
      clearPrefix();
      var target = shortcutTarget(sequence);
      if (target) { activate(target); return true; }
      return false;
    }
    if (key === "?") return openHelp();
    if (key === "j" || key === "k") {
      if (moveRow(key === "j" ? 1 : -1)) return true;
    }
    if (key === "o") {
      if (openRow(false)) return true;
    }
    if (key === "Enter") return openRow(true);
    var direct = shortcutTarget(key);
    if (direct) { activate(direct); return true; }
    if (hasSequenceStartingWith(key)) { startPrefix(key); return true; }
    if (key === "/") {
      var search = document.querySelector('a[href="/recherche"]');
      if (search) { search.click(); return true; }
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (isTyping(event.target) || insideWidget(event.target) || modalOpen()) {
      clearPrefix();
      return;
    }
    var key = event.key;
    // Capital letters are not shortcuts: Shift+J stays the browser's.
    if (key.length === 1 && key !== key.toLowerCase()) return;
    if (handle(key)) event.preventDefault();
  });

  // The footer's « Raccourcis clavier » button only works with this script: shown by it.
  function start() {
    watchHelpClosing();
    var opener = document.querySelector('[aria-controls="' + DIALOG_ID + '"][data-fr-opened]');
    var item = opener && opener.closest("[data-js-only]");
    if (item) item.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
