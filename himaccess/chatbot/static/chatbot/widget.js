/* The chat panel: a non-modal dialog whose log is announced to screen readers (role="log",
   aria-live="polite"). Keyboard: the input has focus when the panel opens, Enter sends,
   Shift+Enter starts a new line, Escape closes and returns focus to the link that opened it.
   Text from the server is inserted as text, never as markup; web addresses become links. */
(function () {
  "use strict";
  var STORE = "himaccess.chat.conversation";
  var URL = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;
  var panel = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (part) { return part.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.split("=").slice(1).join("=")) : "";
  }

  function withLinks(node, text) {
    text.split("\n").forEach(function (line, index) {
      if (index > 0) { node.appendChild(el("br")); }
      var last = 0;
      line.replace(URL, function (url, _group, offset) {
        node.appendChild(document.createTextNode(line.slice(last, offset)));
        var link = el("a", { href: url }, url);
        node.appendChild(link);
        last = offset + url.length;
        return url;
      });
      node.appendChild(document.createTextNode(line.slice(last)));
    });
  }

  function build(root, opener) {
    var data = root.dataset;
    var dialog = el("div", { "class": "chat-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "chat-title", lang: data.language });
    var head = el("div", { "class": "chat-head" });
    head.appendChild(el("h2", { id: "chat-title" }, data.title));
    var close = el("button", { type: "button", "class": "chat-close", "aria-label": data.close }, "×");
    head.appendChild(close);
    var log = el("div", { "class": "chat-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0", "aria-label": data.title });
    var choices = el("div", { "class": "chat-suggestions", role: "group", "aria-label": data.suggestions });
    var status = el("p", { "class": "chat-status", role: "status" });
    var form = el("form", { "class": "chat-form", novalidate: "" });
    var label = el("label", { "for": "chat-input", "class": "chat-hidden" }, data.label);
    var input = el("textarea", { id: "chat-input", rows: "2", maxlength: "2000", placeholder: data.placeholder, autocomplete: "off" });
    var send = el("button", { type: "submit", "class": "chat-send" }, data.send);
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    [head, log, choices, status, form].forEach(function (part) { dialog.appendChild(part); });
    document.body.appendChild(dialog);

    function say(who, text) {
      var item = el("div", { "class": "chat-msg chat-" + who });
      item.appendChild(el("span", { "class": "chat-hidden" }, (who === "you" ? data.you : data.bot) + " "));
      var body = el("span", {});
      withLinks(body, text);
      item.appendChild(body);
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
    }

    function offer(suggestions) {
      choices.textContent = "";
      (suggestions || []).forEach(function (text) {
        var button = el("button", { type: "button", "class": "chat-chip" }, text);
        button.addEventListener("click", function () { submit(text); });
        choices.appendChild(button);
      });
    }

    function post(text, retried) {
      var body = { text: text, conversation_id: sessionStorage.getItem(STORE) };
      return fetch(data.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken"), "Accept-Language": data.language },
        body: JSON.stringify(body)
      }).then(function (response) {
        if (response.status === 404 && body.conversation_id && !retried) {
          sessionStorage.removeItem(STORE);
          status.textContent = data.restart;
          return post(text, true);
        }
        if (response.status === 429) { throw new Error(data.slow); }
        if (!response.ok) { throw new Error(data.error); }
        return response.json();
      });
    }

    function submit(text) {
      text = (text || "").trim();
      if (!text || dialog.getAttribute("aria-busy") === "true") { return; }
      say("you", text);
      input.value = "";
      offer([]);
      dialog.setAttribute("aria-busy", "true");
      send.disabled = true;
      status.textContent = data.busy;
      post(text, false).then(function (answer) {
        sessionStorage.setItem(STORE, answer.conversation_id);
        status.textContent = "";
        say("bot", answer.reply);
        offer(answer.suggestions);
      }).catch(function (problem) {
        status.textContent = problem && problem.message ? problem.message : data.error;
      }).then(function () {
        dialog.setAttribute("aria-busy", "false");
        send.disabled = false;
        input.focus();
      });
    }

    function hide() {
      dialog.hidden = true;
      root.classList.remove("is-open");
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); submit(input.value); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(input.value); }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); hide(); }
    });
    close.addEventListener("click", hide);
    say("bot", data.intro);
    return { dialog: dialog, input: input, hide: hide };
  }

  window.HimAccessChat = {
    open: function (root, opener) {
      if (!panel) { panel = build(root, opener); }
      panel.dialog.hidden = false;
      root.classList.add("is-open");
      opener.setAttribute("aria-expanded", "true");
      panel.input.focus();
    }
  };
}());
