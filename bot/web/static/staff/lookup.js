/*
 * Staff lookup: search as you type. The page already works without this script (a GET form whose results the
 * server renders); this only fetches /api/lookup while the officer types and redraws the same results.
 * Everything from the server is put on the page with textContent and DOM APIs, never as HTML.
 */
(function () {
  "use strict";

  var form = document.getElementById("lookup-form");
  var input = document.getElementById("lookup-q");
  var results = document.getElementById("lookup-results");
  var status = document.getElementById("lookup-status");
  var errorBox = document.getElementById("lookup-error");
  var errorMessage = document.getElementById("lookup-error-message");
  var dateError = document.getElementById("on-error");
  var dateErrorText = document.getElementById("on-error-text");
  var dateGroup = document.getElementById("on-group");
  var DATE_FIELDS = ["day", "month", "year"];
  var NOTE_MAX = 1000;
  if (!form || !input || !results || !status || !window.fetch) {
    return;
  }

  var DEBOUNCE_MS = 300;
  var MIN_CHARS = 3;
  var timer = null;
  var controller = null;
  var latest = 0;

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function tag(text, modifier) {
    return el("strong", { class: "app-tag" + (modifier ? " app-tag--" + modifier : "") }, text);
  }

  function capitalise(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  function safeWebUrl(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function row(list, term, content) {
    list.appendChild(el("dt", null, term));
    var dd = el("dd");
    if (typeof content === "string") {
      dd.textContent = content;
    } else {
      dd.appendChild(content);
    }
    list.appendChild(dd);
    return dd;
  }

  function phones(service) {
    if (!service.phones.length) {
      return "No phone number listed";
    }
    var list = el("ul", { class: "app-result__phones" });
    service.phones.forEach(function (phone) {
      var item = el("li");
      item.appendChild(el("a", { href: "tel:" + phone.number.replace(/\s+/g, "") }, phone.display));
      if (phone.staff_only) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(tag("Staff only", "new"));
      }
      if (phone.out_of_hours) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(tag("Out of hours"));
      }
      if (phone.description) {
        item.appendChild(el("span", { class: "app-hint" }, phone.description));
      }
      list.appendChild(item);
    });
    return list;
  }

  function opening(service) {
    var wrapper = el("span", null, capitalise(service.opening.summary));
    if (service.opening.usual_hours) {
      wrapper.appendChild(el("br"));
      wrapper.appendChild(el("span", { class: "app-hint" }, "Usually " + service.opening.usual_hours));
    }
    return wrapper;
  }

  function dateBoxes() {
    var values = {};
    DATE_FIELDS.forEach(function (name) {
      var box = document.getElementById("on-" + name);
      values[name] = box ? box.value.trim() : "";
    });
    return values;
  }

  function noteField(service, n) {
    var group = el("div", { class: "app-form-group" });
    var label = el("label", { class: "app-label", for: "note-" + n }, "Note for this referral");
    label.appendChild(el("span", { class: "app-visually-hidden" }, " to " + service.name));
    label.appendChild(document.createTextNode(" (optional)"));
    group.appendChild(label);
    group.appendChild(
      el(
        "div",
        { class: "app-hint", id: "note-" + n + "-hint" },
        "What the caller needs and anything the service should know. Names, phone numbers, addresses and " +
          "other personal details are removed when it is saved."
      )
    );
    group.appendChild(
      el("textarea", {
        class: "app-textarea app-result__note",
        id: "note-" + n,
        name: "note",
        rows: "2",
        maxlength: String(NOTE_MAX),
        "aria-describedby": "note-" + n + "-hint",
      })
    );
    return group;
  }

  function referralForm(service, query, n, dated) {
    var token = results.getAttribute("data-csrf-token") || "";
    var referral = el("form", { method: "post", action: "/staff/referrals", class: "app-result__refer" });
    referral.appendChild(el("input", { type: "hidden", name: "csrf_token", value: token }));
    referral.appendChild(el("input", { type: "hidden", name: "service_id", value: service.service_id }));
    referral.appendChild(el("input", { type: "hidden", name: "q", value: query }));
    if (dated) {
      var boxes = dateBoxes();
      DATE_FIELDS.forEach(function (name) {
        referral.appendChild(el("input", { type: "hidden", name: name, value: boxes[name] }));
      });
    }
    referral.appendChild(noteField(service, n));
    var button = el("button", { type: "submit", class: "app-button app-button--secondary" }, "Record referral");
    button.appendChild(el("span", { class: "app-visually-hidden" }, " to " + service.name));
    referral.appendChild(button);
    return referral;
  }

  function evidence(service) {
    var box = el("div", { class: "app-result__why" });
    box.appendChild(el("h3", { class: "app-result__why-heading" }, "Why it matched"));
    var found = service.evidence || { words: [], texts: [] };
    if (!found.words.length) {
      box.appendChild(
        el(
          "p",
          { class: "app-result__words" },
          "No word of the search appears in what the directory says about this service: it is ranked on " +
            "similar letters only, so check it fits before you use it."
        )
      );
      return box;
    }
    var words = el("p", { class: "app-result__words" }, "Caller\u2019s words it knows: ");
    found.words.forEach(function (word) {
      words.appendChild(el("strong", { class: "app-tag app-tag--word" }, word));
      words.appendChild(document.createTextNode(" "));
    });
    box.appendChild(words);
    var list = el("ul", { class: "app-result__evidence" });
    found.texts.forEach(function (match) {
      var item = el("li");
      item.appendChild(el("span", { class: "app-result__source" }, match.label + ":"));
      item.appendChild(document.createTextNode(" \u201c" + match.text + "\u201d "));
      item.appendChild(el("span", { class: "app-hint" }, "(matched " + match.words.join(", ") + ")"));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function renderService(service, index, query, date) {
    var n = index + 1;
    var section = el("section", { class: "app-result", "aria-labelledby": "result-" + n + "-name" });
    section.appendChild(el("h2", { class: "app-result__name", id: "result-" + n + "-name" }, service.name));

    var meta = el("p", { class: "app-result__meta" });
    if (service.weak_match) {
      meta.appendChild(tag("Weak match", "new"));
    } else if (n === 1) {
      meta.appendChild(tag("Best match", "resolved"));
    }
    if (typeof service.confidence === "number") {
      meta.appendChild(el("span", null, "Confidence " + Math.round(service.confidence * 100) + "%"));
    }
    if (service.status !== "active") {
      meta.appendChild(tag(capitalise(service.status), "ignored"));
    }
    section.appendChild(meta);

    var org = el("p", { class: "app-result__org" }, "Provided by ");
    org.appendChild(el("strong", null, service.organisation.name));
    if (!service.organisation.is_host) {
      org.appendChild(document.createTextNode(" (not this council: signpost the caller there)"));
    }
    section.appendChild(org);
    if (service.description) {
      section.appendChild(el("p", { class: "app-result__description" }, service.description));
    }
    section.appendChild(evidence(service));

    var details = el("dl", { class: "app-summary app-result__details" });
    row(details, "Phone", phones(service));
    if (service.on_day && date) {
      row(details, "On " + date.label, capitalise(service.on_day.summary)).className = "app-result__on-day";
    }
    row(details, "Opening", opening(service));
    var web = service.url && safeWebUrl(service.url);
    if (web) {
      row(details, "Website", el("a", { href: web, rel: "noopener noreferrer" }, service.url));
    }
    if (service.email) {
      row(details, "Email", el("a", { href: "mailto:" + service.email }, service.email));
    }
    if (service.staff_notes) {
      row(details, "Staff notes", service.staff_notes).className = "app-result__notes";
    }
    if (service.lgsl_codes.length) {
      row(details, "LGSL", service.lgsl_codes.join(", "));
    }
    section.appendChild(details);
    section.appendChild(referralForm(service, query, n, Boolean(date)));
    return section;
  }

  function showError(message) {
    if (errorBox && errorMessage) {
      errorMessage.textContent = message || "";
      errorBox.hidden = !message;
    }
  }

  function showDateError(message, fields) {
    if (!dateError || !dateErrorText || !dateGroup) {
      return;
    }
    dateErrorText.textContent = message || "";
    dateError.hidden = !message;
    dateGroup.classList.toggle("app-form-group--error", Boolean(message));
    var fieldset = dateGroup.querySelector("fieldset");
    if (fieldset) {
      fieldset.setAttribute("aria-describedby", message ? "on-hint on-error" : "on-hint");
    }
    DATE_FIELDS.forEach(function (name) {
      var box = document.getElementById("on-" + name);
      if (box) {
        box.classList.toggle("app-input--error", (fields || []).indexOf(name) !== -1);
      }
    });
  }

  function renderCrisis(crisis) {
    var box = document.createElement("div");
    box.className = "app-crisis";
    box.setAttribute("role", "alert");
    var heading = document.createElement("h2");
    heading.className = "app-crisis__heading";
    heading.textContent = "Possible emergency: " + crisis.label + ". Give the caller these numbers first";
    box.appendChild(heading);
    var list = document.createElement("ul");
    list.className = "app-crisis__lines";
    (crisis.lines || []).forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function render(data) {
    results.textContent = "";
    if (data.crisis) {
      results.appendChild(renderCrisis(data.crisis));
    }
    data.services.forEach(function (service, index) {
      results.appendChild(renderService(service, index, data.query, data.date));
    });
    var count = data.services.length;
    var text = count + (count === 1 ? " service" : " services") + " found for \u201c" + data.query + "\u201d";
    if (data.date) {
      text += ", opening on " + data.date.label;
    }
    text += ".";
    if (count > 1) {
      text += " The best match is the service the assistant gives residents; the others follow, highest confidence first.";
    }
    status.textContent = text;
  }

  function address(query) {
    var parts = ["q=" + encodeURIComponent(query)];
    var boxes = dateBoxes();
    if (boxes.day || boxes.month || boxes.year) {
      DATE_FIELDS.forEach(function (name) {
        parts.push(name + "=" + encodeURIComponent(boxes[name]));
      });
    }
    return parts.join("&");
  }

  function search(query) {
    latest += 1;
    var ticket = latest;
    if (controller) {
      controller.abort();
    }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    var params = address(query);
    fetch("/api/lookup?" + params, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (ticket !== latest) {
              return;
            }
            if (response.status === 401) {
              showError("You have been signed out. Reload the page to sign in again.");
            } else if (body.error === "bad_date") {
              showError("");
              showDateError(body.message, body.fields);
            } else if (!response.ok) {
              showError(body.message || "The lookup failed (HTTP " + response.status + "). Try again.");
            } else {
              showError("");
              showDateError("", []);
              render(body);
              window.history.replaceState(null, "", "/staff?" + params);
            }
          });
      })
      .catch(function (error) {
        if (ticket === latest && (!error || error.name !== "AbortError")) {
          showError("The lookup could not reach the server. Check your connection and try again.");
        }
      })
      .then(function () {
        if (ticket === latest) {
          results.removeAttribute("aria-busy");
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < MIN_CHARS) {
      return;
    }
    timer = window.setTimeout(function () {
      search(query);
    }, DEBOUNCE_MS);
  });

  DATE_FIELDS.forEach(function (name) {
    var box = document.getElementById("on-" + name);
    if (!box) {
      return;
    }
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var boxes = dateBoxes();
      var query = input.value.trim();
      var complete = boxes.day && boxes.month && boxes.year.length === 4;
      var empty = !boxes.day && !boxes.month && !boxes.year;
      if (query.length < MIN_CHARS || !(complete || empty)) {
        return;
      }
      timer = window.setTimeout(function () {
        search(query);
      }, DEBOUNCE_MS);
    });
  });

  form.addEventListener("submit", function (event) {
    var query = input.value.trim();
    if (query) {
      event.preventDefault();
      window.clearTimeout(timer);
      search(query);
    }
  });
})();
