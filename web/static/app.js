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
// r rejects the current one. The forms are the same plain POSTs as without
// JavaScript; after one, the queue comes back and its first card (the
// next item) takes the focus, so a moderator keeps going with the keys.
function reviewKeys() {
  var queue = document.getElementById("queue");
  var hint = document.getElementById("review-keys");
  if (!queue || !hint) return;
  var cards = Array.prototype.slice.call(queue.querySelectorAll(".review-card"));
  if (cards.length === 0) return;
  hint.hidden = false;
  var current = 0;
  function focus(i) {
    if (i < 0 || i >= cards.length) return;
    cards[current].classList.remove("current");
    current = i;
    cards[current].classList.add("current");
    cards[current].focus();
  }
  cards.forEach(function (card, i) {
    card.addEventListener("focusin", function () {
      cards[current].classList.remove("current");
      current = i;
      card.classList.add("current");
    });
  });
  var status = document.getElementById("review-status");
  if (status && status.textContent.trim() !== "") focus(0);
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var button = null;
    if (e.key === "j") focus(current + 1);
    else if (e.key === "k") focus(current - 1);
    else if (e.key === "c") button = cards[current].querySelector(".confirm-button");
    else if (e.key === "r") button = cards[current].querySelector(".reject-button");
    else return;
    e.preventDefault();
    if (button) {
      if (status) status.textContent = button.textContent + "…";
      button.click();
    }
  });
}
