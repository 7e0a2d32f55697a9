// Progressive enhancement only: every page works without this file.
// While an import uploads, say so and keep the button from being pressed twice.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("import-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    var working = document.getElementById("import-working");
    var button = document.getElementById("import-button");
    if (working) working.hidden = false;
    if (button) button.disabled = true;
  });
});
