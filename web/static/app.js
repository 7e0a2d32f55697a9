// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // While an import uploads, say so and keep the button from being pressed twice.
  var form = document.getElementById("import-form");
  if (form) {
    form.addEventListener("submit", function () {
      var working = document.getElementById("import-working");
      var button = document.getElementById("import-button");
      if (working) working.hidden = false;
      if (button) button.disabled = true;
    });
  }
  reviewKeys();
});

// The review queue by keyboard: j and k move between cards, c confirms and
// r rejects the current one. A confirm or reject goes to the server as
// the same form POST it is without JavaScript; its answer (the queue it
// redirects to) says what happened, the decided card leaves the page and
// the next one takes the focus, without a reload. Anything else (none of
// these, the ticked cards, an answer we do not expect) submits the page.
function reviewKeys() {
  var queue = document.getElementById("queue");
  var hint = document.getElementById("review-keys");
  if (!queue || !hint) return;
  var status = document.getElementById("review-status");
  function cards() {
    return Array.prototype.slice.call(queue.querySelectorAll(".review-card"));
  }
  if (cards().length === 0) return;
  hint.hidden = false;
  var current = 0;
  function focus(i) {
    var all = cards();
    if (all.length === 0) return;
    i = Math.max(0, Math.min(i, all.length - 1));
    all.forEach(function (c) { c.classList.remove("current"); });
    current = i;
    all[i].classList.add("current");
    all[i].focus();
  }
  // Focus inside a card (its note, a button) makes it the current one.
  queue.addEventListener("focusin", function (e) {
    var card = e.target.closest(".review-card");
    var i = card ? cards().indexOf(card) : -1;
    if (i < 0) return;
    cards().forEach(function (c) { c.classList.remove("current"); });
    current = i;
    card.classList.add("current");
  });
  if (status && status.textContent.trim() !== "") focus(0);

  function copy(doc, id) {
    var from = doc.getElementById(id);
    var to = document.getElementById(id);
    if (from && to) to.textContent = from.textContent;
  }
  queue.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    if (!form.classList.contains("decide-form") || form.dataset.plain) return;
    if (!button || (button.value !== "confirm" && button.value !== "reject")) return;
    e.preventDefault();
    var card = form.closest(".review-card");
    var body = new URLSearchParams(new FormData(form));
    body.set("action", button.value);
    function plain() {
      form.dataset.plain = "1";
      form.requestSubmit(button);
    }
    // Not `form.action`: the buttons named "action" shadow that property.
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          if (r.status === 409) {
            var conflict = doc.getElementById("review-conflict");
            var old = document.getElementById("review-conflict");
            if (old) old.remove();
            if (conflict && status) status.after(document.importNode(conflict, true));
          } else if (!r.ok || !r.redirected) {
            return plain();
          }
          copy(doc, "review-status");
          copy(doc, "review-waiting");
          copy(doc, "review-count");
          if (r.ok) history.replaceState(null, "", r.url);
          var at = cards().indexOf(card);
          card.remove();
          if (cards().length === 0) {
            location.href = r.ok ? r.url : "/review";
            return;
          }
          focus(at);
        });
      })
      .catch(plain);
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var all = cards();
    if (all.length === 0) return;
    var button = null;
    if (e.key === "j") focus(current + 1);
    else if (e.key === "k") focus(current - 1);
    else if (e.key === "c") button = all[current].querySelector(".confirm-button");
    else if (e.key === "r") button = all[current].querySelector(".reject-button");
    else return;
    e.preventDefault();
    if (button) button.click();
  });
}
