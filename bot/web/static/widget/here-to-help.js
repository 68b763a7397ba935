/*!
 * Here to Help: the resident chat widget. MIT licence.
 *
 * Added to any council page with one script tag; it brings its own stylesheet and markup and fetches nothing
 * from anywhere but the Here to Help server named by data-api-base:
 *
 *   <script src="https://help.example.gov.uk/static/widget/here-to-help.js"
 *           data-api-base="https://help.example.gov.uk"
 *           data-contact-phone="0300 123 4567"
 *           data-title="Ask Example Council" defer></script>
 *
 * Each answer about one service is drawn as a card from the answer metadata the server sends with it (the
 * service, who provides it, a tel: link, an open-now badge, a web link); a crisis reply stays plain text.
 *
 * Safety: bot text is only ever set with textContent and links are built with DOM APIs after checking their
 * scheme, so a message can never inject markup. Privacy: the conversation lives in sessionStorage only and
 * is gone when the tab closes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.hereToHelpWidget) {
    return;
  }

  var MAX_LENGTH = 500;
  var STORAGE_KEY = "here-to-help:conversation";
  var ALLOWED_SCHEMES = ["http:", "https:", "tel:", "sms:", "mailto:"];
  var CARD_KINDS = ["service", "other_body"];
  var idCounter = 0;

  function absolute(href) {
    try {
      return href ? new URL(href, document.baseURI).href : "";
    } catch (error) {
      return "";
    }
  }

  function readConfig(tag) {
    var data = tag.dataset || {};
    var scriptUrl = new URL(tag.src, document.baseURI);
    var apiBase = (data.apiBase || scriptUrl.origin).replace(/\/+$/, "");
    var timeout = parseInt(data.timeout || "20000", 10);
    return {
      endpoint: apiBase + "/api/chat",
      cssUrl: data.cssUrl || new URL("here-to-help.css", scriptUrl).href,
      contactPhone: (data.contactPhone || "").trim(),
      // The server's /privacy and /accessibility follow its settings (PRIVACY_NOTICE_URL...), so a council
      // changes them in one place; a page may still name its own.
      privacyUrl: absolute(data.privacyUrl) || apiBase + "/privacy",
      accessibilityUrl: absolute(data.accessibilityUrl) || apiBase + "/accessibility",
      title: (data.title || "Ask the council").trim(),
      timeoutMs: isNaN(timeout) || timeout < 1000 ? 20000 : timeout,
    };
  }

  var config = readConfig(script);

  /* ---------- small DOM helpers: every piece of text goes through textContent ---------- */

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    if (attributes) {
      Object.keys(attributes).forEach(function (name) {
        node.setAttribute(name, attributes[name]);
      });
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function uniqueId(stem) {
    idCounter += 1;
    return "h2h-" + stem + "-" + idCounter;
  }

  function newSenderId() {
    var cryptoObject = window.crypto || window.msCrypto;
    if (cryptoObject && typeof cryptoObject.randomUUID === "function") {
      return cryptoObject.randomUUID();
    }
    var bytes = new Uint8Array(16);
    cryptoObject.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* ---------- the conversation, kept in sessionStorage only ---------- */

  var memoryStore = null;

  function loadState() {
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(STORAGE_KEY);
    } catch (error) {
      raw = memoryStore;
    }
    try {
      var state = raw ? JSON.parse(raw) : null;
      if (state && typeof state.sender === "string" && Array.isArray(state.messages)) {
        return state;
      }
    } catch (error) {
      /* a damaged entry starts a new conversation */
    }
    return { sender: newSenderId(), messages: [], open: false };
  }

  function saveState() {
    var raw = JSON.stringify(state);
    try {
      window.sessionStorage.setItem(STORAGE_KEY, raw);
    } catch (error) {
      memoryStore = raw;
    }
  }

  var state = loadState();

  /* ---------- links: only http, https, tel and mailto, built with DOM APIs ---------- */

  var TOKEN = new RegExp(
    [
      "\\[([^\\]\\n]{1,200})\\]\\(([^()\\s]{1,2000})\\)", // [label](href)
      "((?:https?:\\/\\/|www\\.)[^\\s<>\"']+)", // bare web address
      "((?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})", // email address
      "(\\b0\\d{2,4}[ -]?\\d{3,4}[ -]?\\d{3,4}\\b)", // UK phone number such as 0300 123 4567
    ].join("|"),
    "g"
  );

  function safeHref(href) {
    try {
      var url = new URL(href);
      return ALLOWED_SCHEMES.indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function makeLink(label, href) {
    var safe = safeHref(href);
    if (!safe) {
      return document.createTextNode(label);
    }
    var link = el("a", { href: safe }, label);
    if (/^https?:/.test(safe)) {
      link.setAttribute("target", "_blank");
      link.setAttribute("rel", "noopener noreferrer");
      link.appendChild(el("span", { class: "h2h-visually-hidden" }, " (opens in new tab)"));
    }
    return link;
  }

  /* The numbers a crisis reply names in its metadata (`lines`), as written in its words: "999", "116 123". */
  function crisisNumbers(meta) {
    var lines = meta && Array.isArray(meta.lines) ? meta.lines : [];
    var numbers = [];
    lines.forEach(function (line) {
      var found = line && typeof line.number === "string" ? line.number.match(/^[0-9][0-9 ]*[0-9]/) : null;
      if (found && found[0].length <= 15 && numbers.indexOf(found[0]) < 0) {
        numbers.push(found[0]);
      }
    });
    return numbers;
  }

  /* A crisis reply's numbers become one-tap links: a call, or a text where the words say "text ... to". */
  function appendWithNumbers(parent, text, numbers) {
    var source = String(text || "");
    var digitsOnly = numbers.filter(function (number) {
      return typeof number === "string" && /^[0-9][0-9 ]{0,14}$/.test(number);
    });
    if (!digitsOnly.length) {
      appendRichText(parent, source);
      return;
    }
    var escaped = digitsOnly.map(function (number) {
      return number.replace(/ /g, "[ ]");
    });
    var pattern = new RegExp("(^|[^0-9])(" + escaped.join("|") + ")(?![0-9])", "g");
    var last = 0;
    var match;
    while ((match = pattern.exec(source)) !== null) {
      var start = match.index + match[1].length;
      appendRichText(parent, source.slice(last, start));
      var digits = match[2].replace(/ /g, "");
      var texting = /\btext\s+\S+\s+to\s*$/i.test(source.slice(Math.max(0, start - 40), start));
      parent.appendChild(makeLink(match[2], (texting ? "sms:" : "tel:") + digits));
      last = start + match[2].length;
    }
    appendRichText(parent, source.slice(last));
  }

  function appendRichText(parent, text, numbers) {
    if (Array.isArray(numbers) && numbers.length) {
      appendWithNumbers(parent, text, numbers);
      return;
    }
    var source = String(text || "");
    var last = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(source)) !== null) {
      var whole = match[0];
      var trailing = "";
      if (match[3] || match[4]) {
        var cut = whole.match(/[.,;:!?)]+$/);
        if (cut) {
          trailing = cut[0];
          whole = whole.slice(0, -trailing.length);
        }
      }
      parent.appendChild(document.createTextNode(source.slice(last, match.index)));
      if (match[1]) {
        parent.appendChild(makeLink(match[1], match[2]));
      } else if (match[3]) {
        parent.appendChild(makeLink(whole, /^www\./.test(whole) ? "https://" + whole : whole));
      } else if (match[4]) {
        var address = whole.replace(/^mailto:/, "");
        parent.appendChild(makeLink(address, "mailto:" + address));
      } else {
        parent.appendChild(makeLink(whole, "tel:" + whole.replace(/[ -]/g, "")));
      }
      if (trailing) {
        parent.appendChild(document.createTextNode(trailing));
      }
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(source.slice(last)));
  }

  /* ---------- markup ---------- */

  var ids = {
    panel: uniqueId("panel"),
    title: uniqueId("title"),
    input: uniqueId("input"),
    count: uniqueId("count"),
    countLive: uniqueId("count-live"),
    error: uniqueId("error"),
    privacy: uniqueId("privacy"),
  };

  var chatIcon =
    "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 " +
    "3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z";

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  var root = el("div", { class: "h2h", lang: "en", "data-here-to-help": "" });

  var launcher = el("button", {
    type: "button",
    class: "h2h-button h2h-launcher",
    "aria-expanded": "false",
    "aria-controls": ids.panel,
  });
  launcher.appendChild(icon(chatIcon));
  launcher.appendChild(el("span", null, config.title));

  var panel = el("section", { id: ids.panel, class: "h2h-panel", "aria-labelledby": ids.title });
  panel.hidden = true;

  var header = el("div", { class: "h2h-header" });
  var heading = el("div");
  heading.appendChild(el("h2", { id: ids.title, class: "h2h-title" }, config.title));
  var subtitle = el("p", { class: "h2h-subtitle" });
  subtitle.appendChild(el("strong", { class: "h2h-tag" }, "Automated"));
  subtitle.appendChild(document.createTextNode("An automated assistant, not a person"));
  heading.appendChild(subtitle);
  var actions = el("div", { class: "h2h-header-actions" });
  var restartButton = el(
    "button",
    { type: "button", class: "h2h-button h2h-button--secondary h2h-restart" },
    "Start again"
  );
  var closeButton = el("button", { type: "button", class: "h2h-button h2h-button--secondary h2h-close" });
  closeButton.appendChild(el("span", { "aria-hidden": "true" }, "Close"));
  closeButton.appendChild(el("span", { class: "h2h-visually-hidden" }, "Close the assistant"));
  actions.appendChild(restartButton);
  actions.appendChild(closeButton);
  header.appendChild(heading);
  header.appendChild(actions);

  var log = el("div", {
    class: "h2h-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation with the automated assistant",
    tabindex: "0",
  });
  var intro = el(
    "p",
    { class: "h2h-intro" },
    "Tell me what you need help with, for example \u201cmy bin wasn\u2019t collected\u201d, and I\u2019ll tell " +
      "you who can help and how to contact them."
  );

  var status = el("p", { class: "h2h-status", "aria-hidden": "true" });
  var announcer = el("p", { class: "h2h-visually-hidden", "aria-live": "polite" });

  var form = el("form", { class: "h2h-form", novalidate: "" });
  var label = el("label", { class: "h2h-label", for: ids.input }, "Your question");
  var errorMessage = el("p", { id: ids.error, class: "h2h-error-message" });
  errorMessage.hidden = true;
  var row = el("div", { class: "h2h-row" });
  var input = el("input", {
    id: ids.input,
    class: "h2h-input",
    type: "text",
    name: "message",
    autocomplete: "off",
    spellcheck: "true",
    "aria-describedby": ids.count + " " + ids.privacy,
  });
  var sendButton = el("button", { type: "submit", class: "h2h-button" }, "Send");
  row.appendChild(input);
  row.appendChild(sendButton);
  var count = el("p", { id: ids.count, class: "h2h-count", "aria-hidden": "true" });
  var countLive = el("p", { id: ids.countLive, class: "h2h-visually-hidden", "aria-live": "polite" });
  var privacy = el(
    "p",
    { id: ids.privacy, class: "h2h-privacy" },
    "Please don\u2019t include personal details such as your name, address or bank details."
  );
  form.appendChild(label);
  form.appendChild(errorMessage);
  form.appendChild(row);
  form.appendChild(count);
  form.appendChild(countLive);
  form.appendChild(privacy);
  var links = el("p", { class: "h2h-links" });
  links.appendChild(makeLink("Privacy notice", config.privacyUrl));
  links.appendChild(makeLink("Accessibility statement", config.accessibilityUrl));
  form.appendChild(links);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(announcer);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  /* ---------- rendering ---------- */

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /* A new answer is read from its first line (the service's name), so it is brought to the top of the log
     rather than scrolled past; a short answer simply ends the log, since the browser stops at the end. */
  function showStartOf(item) {
    log.scrollTop = Math.max(0, item.offsetTop - 8);
  }

  function showLatestAnswer() {
    var starts = log.querySelectorAll(".h2h-answer-start");
    if (starts.length) {
      showStartOf(starts[starts.length - 1]);
    } else {
      scrollToEnd();
    }
  }

  /* ---------- cards: an answer about one service, drawn from the answer metadata ---------- */

  function telHref(phone) {
    var digits = phone && typeof phone.tel === "string" ? phone.tel : "";
    return /^\+?[0-9]{3,15}$/.test(digits) ? "tel:" + digits : null;
  }

  function cardFrom(answer) {
    if (!answer || CARD_KINDS.indexOf(answer.kind) < 0 || !Array.isArray(answer.services)) {
      return null;
    }
    var service = answer.services[0];
    if (answer.services.length !== 1 || !service || typeof service.name !== "string") {
      return null;
    }
    var card = { name: service.name, organisation: String(service.organisation || "") };
    if (answer.kind === "other_body") {
      card.elsewhere = true;
    }
    if (service.phone && typeof service.phone.display === "string" && telHref(service.phone)) {
      card.phone = { display: service.phone.display, tel: service.phone.tel };
    }
    if (typeof service.url === "string" && safeHref(service.url)) {
      card.url = service.url;
      if (typeof service.online === "string" && service.online) {
        card.online = service.online; // it can be done on that page: the card leads with the link
      }
    }
    if (service.opening && typeof service.opening.open === "boolean") {
      card.open = service.opening.open;
    }
    return card;
  }

  function appendCard(item, card) {
    item.classList.add("h2h-card");
    item.appendChild(el("h3", { class: "h2h-card-title" }, card.name));
    if (card.organisation) {
      var provider = el("p", { class: "h2h-card-provider" }, "Provided by " + card.organisation);
      if (card.elsewhere) {
        provider.appendChild(el("strong", { class: "h2h-card-elsewhere" }, " (not this council)"));
      }
      item.appendChild(provider);
    }
    if (typeof card.open === "boolean") {
      item.appendChild(
        el(
          "strong",
          { class: "h2h-badge " + (card.open ? "h2h-badge--open" : "h2h-badge--closed") },
          card.open ? "Open now" : "Closed now"
        )
      );
    }
  }

  function appendCardActions(item, card) {
    var row = el("p", { class: "h2h-card-actions" });
    var web = null;
    if (card.url) {
      web = makeLink(card.online || "Visit their website", card.url);
      web.classList.add("h2h-action");
    }
    if (web && card.online) {
      row.appendChild(web); // online first: the link, then the number
    }
    if (card.phone) {
      var call = makeLink("Call " + card.phone.display, telHref(card.phone));
      call.classList.add("h2h-action");
      row.appendChild(call);
    }
    if (web && !card.online) {
      row.appendChild(web);
    }
    if (row.childNodes.length) {
      item.appendChild(row);
    }
  }

  function renderMessage(message, isLatest) {
    var who = { user: "You said: ", bot: "Assistant said: ", notice: "Assistant: " }[message.from] || "";
    var item = el("div", { class: "h2h-msg h2h-msg--" + message.from });
    if (message.startsAnswer) {
      item.classList.add("h2h-answer-start");
    }
    if (message.kind) {
      item.setAttribute("data-kind", String(message.kind));
    }
    item.appendChild(el("span", { class: "h2h-visually-hidden" }, who));
    if (message.card) {
      appendCard(item, message.card);
      var words = el("p", { class: "h2h-card-text" });
      appendRichText(words, message.text);
      item.appendChild(words);
      appendCardActions(item, message.card);
    } else {
      appendRichText(item, message.text, message.kind === "crisis" ? message.numbers : null);
    }
    log.appendChild(item);
    if (Array.isArray(message.buttons) && message.buttons.length) {
      var group = el("div", { class: "h2h-choices", role: "group", "aria-label": "Choose an answer" });
      message.buttons.forEach(function (choice) {
        if (!choice || typeof choice.title !== "string") {
          return;
        }
        var button = el(
          "button",
          { type: "button", class: "h2h-button h2h-button--secondary", "data-payload": String(choice.payload || "") },
          choice.title
        );
        button.addEventListener("click", function () {
          send(String(choice.payload || choice.title), choice.title, true);
          input.focus(); // the next step is the resident's own words; the reply is announced by the log
        });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    if (isLatest !== false) {
      scrollToEnd();
    }
    return item;
  }

  function addMessage(message) {
    state.messages.push(message);
    if (state.messages.length > 200) {
      state.messages = state.messages.slice(-200);
    }
    saveState();
    return renderMessage(message);
  }

  function renderTranscript() {
    log.textContent = "";
    log.appendChild(intro);
    state.messages.forEach(function (message) {
      renderMessage(message, false);
    });
  }

  /* ---------- the character count, as GOV.UK's: visible at once, announced after a pause ---------- */

  var countTimer = null;

  function countText() {
    var remaining = MAX_LENGTH - input.value.length;
    if (remaining >= 0) {
      return "You have " + remaining + (remaining === 1 ? " character" : " characters") + " remaining";
    }
    var over = -remaining;
    return "You have " + over + (over === 1 ? " character" : " characters") + " too many";
  }

  function updateCount() {
    var text = countText();
    count.textContent = text;
    count.classList.toggle("h2h-count--error", input.value.length > MAX_LENGTH);
    input.classList.toggle("h2h-input--error", input.value.length > MAX_LENGTH);
    window.clearTimeout(countTimer);
    countTimer = window.setTimeout(function () {
      countLive.textContent = text;
    }, 1000);
  }

  function showError(text) {
    errorMessage.textContent = "";
    if (!text) {
      errorMessage.hidden = true;
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", ids.count + " " + ids.privacy);
      return;
    }
    errorMessage.appendChild(el("span", { class: "h2h-visually-hidden" }, "Error: "));
    errorMessage.appendChild(document.createTextNode(text));
    errorMessage.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", ids.error + " " + ids.count + " " + ids.privacy);
  }

  /* ---------- talking to the server ---------- */

  var busy = false;
  var generation = 0; // a reply to a conversation cleared with "Start again" is dropped, not shown

  function offlineText(serverMessage) {
    if (serverMessage) {
      return serverMessage;
    }
    var text = "Sorry, the assistant can\u2019t be reached at the moment.";
    if (config.contactPhone) {
      return text + " Please call the council on " + config.contactPhone + ".";
    }
    return text + " Please try again later.";
  }

  function setBusy(value) {
    busy = value;
    sendButton.setAttribute("aria-disabled", value ? "true" : "false");
    status.textContent = "";
    if (value) {
      status.appendChild(el("span", { class: "h2h-dots" }, "The assistant is replying"));
    }
  }

  function readJson(response) {
    return response.json().catch(function () {
      return null;
    });
  }

  function serverMessageOf(body) {
    if (body && typeof body.message === "string") {
      return body.message;
    }
    if (body && typeof body.detail === "string") {
      return body.detail;
    }
    return "";
  }

  function postMessage(text) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = window.setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, config.timeoutMs);
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender: state.sender, message: text }),
      credentials: "omit",
      mode: "cors",
      signal: controller ? controller.signal : undefined,
    }).finally(function () {
      window.clearTimeout(timer);
    });
  }

  function send(text, shownAs, fromButton) {
    if (busy) {
      return;
    }
    var message = String(text || "");
    if (!fromButton) {
      if (!message.trim()) {
        showError("Type your question");
        input.focus();
        return;
      }
      if (message.length > MAX_LENGTH) {
        showError("Your question must be " + MAX_LENGTH + " characters or fewer");
        input.focus();
        return;
      }
    }
    showError("");
    addMessage({ from: "user", text: shownAs || message });
    if (!fromButton) {
      input.value = "";
      updateCount();
    }
    setBusy(true);
    var sentIn = generation;
    var first = null;
    function answerWith(reply) {
      if (sentIn !== generation) {
        return;
      }
      if (!first) {
        reply.startsAnswer = true;
      }
      var item = addMessage(reply);
      first = first || item;
    }
    postMessage(message)
      .then(function (response) {
        return readJson(response).then(function (body) {
          if (response.ok && Array.isArray(body)) {
            showReplies(body, answerWith);
          } else if (response.status >= 500 || response.ok) {
            answerWith({ from: "notice", text: offlineText(serverMessageOf(body)) });
          } else {
            answerWith({
              from: "notice",
              text: serverMessageOf(body) || "Sorry, that message could not be sent. Please try again.",
            });
          }
        });
      })
      .catch(function () {
        answerWith({ from: "notice", text: offlineText("") });
      })
      .then(function () {
        if (sentIn === generation) {
          setBusy(false);
          if (first) {
            showStartOf(first);
          }
        }
      });
  }

  /* One turn's replies: the answer metadata (last) says whether the first words (after a note that a place
     is outside the council's area) are drawn as a card. */
  function showReplies(body, answerWith) {
    var meta = null;
    body.forEach(function (reply) {
      if (reply && reply.answer && typeof reply.answer === "object") {
        meta = reply.answer;
      }
    });
    var card = cardFrom(meta);
    var kind = meta && typeof meta.kind === "string" ? meta.kind : "";
    // A place outside the council's area is said first, in its own message; the card is the answer after it.
    var cardAt = meta && meta.area && meta.area.outside === true ? 1 : 0;
    var shown = 0;
    body.forEach(function (reply) {
      if (reply && (typeof reply.text === "string" || Array.isArray(reply.buttons))) {
        // A crisis reply is the numbers and nothing to tap, even if a button ever came with it.
        var buttons = Array.isArray(reply.buttons) && kind !== "crisis" ? reply.buttons : [];
        var message = { from: "bot", text: reply.text || "", buttons: buttons };
        if (!shown && kind) {
          message.kind = kind;
        }
        if (!shown && kind === "crisis") {
          message.numbers = crisisNumbers(meta);
        }
        if (shown === cardAt && card && typeof reply.text === "string" && reply.text) {
          message.card = card;
        }
        answerWith(message);
        shown += 1;
      }
    });
    if (!shown) {
      answerWith({ from: "notice", text: "Sorry, I have no answer to that. Could you say it another way?" });
    }
  }

  /* ---------- "Start again": a new conversation, with nothing of the old one kept ---------- */

  function startAgain() {
    generation += 1;
    state = { sender: newSenderId(), messages: [], open: true };
    saveState();
    setBusy(false);
    showError("");
    input.value = "";
    updateCount();
    renderTranscript();
    announcer.textContent = "";
    announcer.textContent = "The conversation has been cleared. Ask a new question.";
    input.focus();
  }

  /* ---------- opening and closing: a launcher and a panel, never a focus trap ---------- */

  /* One way in: while the panel is open the launcher is hidden, and Close (or Escape) is the way out. */
  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    state.open = open;
    saveState();
    if (open) {
      showLatestAnswer();
      if (moveFocus) {
        input.focus();
      }
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(panel.hidden, true);
  });

  restartButton.addEventListener("click", startAgain);

  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      setOpen(false, true);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value, null, false);
  });

  input.addEventListener("input", updateCount);

  /* ---------- start ---------- */

  function start() {
    if (!document.querySelector('link[data-here-to-help-css="true"]')) {
      var link = el("link", { rel: "stylesheet", href: config.cssUrl, "data-here-to-help-css": "true" });
      document.head.appendChild(link);
    }
    renderTranscript();
    updateCount();
    countLive.textContent = "";
    document.body.appendChild(root);
    if (state.open) {
      setOpen(true, false);
    }
  }

  window.hereToHelpWidget = { config: config, open: function () { setOpen(true, true); } };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
