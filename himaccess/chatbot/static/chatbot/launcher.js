/* Opens the chat panel in the page. The widget's own script and style are fetched on the first
   open only; without JavaScript, or if they cannot load, the link leads to the chat page. */
(function () {
  "use strict";
  var root = document.getElementById("chat-launcher");
  if (!root) { return; }
  var link = root.querySelector("a.chat-open");
  var state = "idle";
  function load(done) {
    if (state === "ready") { done(); return; }
    if (state === "loading") { return; }
    state = "loading";
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = root.dataset.style;
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.src = root.dataset.script;
    script.onload = function () { state = "ready"; done(); };
    script.onerror = function () { state = "idle"; window.location.href = link.href; };
    document.head.appendChild(script);
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    load(function () { window.HimAccessChat.open(root, link); });
  });
}());
