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

  function referralForm(service, query) {
    var token = results.getAttribute("data-csrf-token") || "";
    var referral = el("form", { method: "post", action: "/staff/referrals", class: "app-result__refer" });
    referral.appendChild(el("input", { type: "hidden", name: "csrf_token", value: token }));
    referral.appendChild(el("input", { type: "hidden", name: "service_id", value: service.service_id }));
    referral.appendChild(el("input", { type: "hidden", name: "q", value: query }));
    var button = el("button", { type: "submit", class: "app-button app-button--secondary" }, "Record referral");
    button.appendChild(el("span", { class: "app-visually-hidden" }, " to " + service.name));
    referral.appendChild(button);
    return referral;
  }

  function renderService(service, index, query) {
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

    var details = el("dl", { class: "app-summary app-result__details" });
    row(details, "Phone", phones(service));
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
    section.appendChild(referralForm(service, query));
    return section;
  }

  function showError(message) {
    if (errorBox && errorMessage) {
      errorMessage.textContent = message || "";
      errorBox.hidden = !message;
    }
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
      results.appendChild(renderService(service, index, data.query));
    });
    var count = data.services.length;
    status.textContent = count + (count === 1 ? " service" : " services") + " found for \u201c" + data.query + "\u201d";
  }

  function search(query) {
    latest += 1;
    var ticket = latest;
    if (controller) {
      controller.abort();
    }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    fetch("/api/lookup?q=" + encodeURIComponent(query), {
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
            } else if (!response.ok) {
              showError(body.message || "The lookup failed (HTTP " + response.status + "). Try again.");
            } else {
              showError("");
              render(body);
              window.history.replaceState(null, "", "/staff?q=" + encodeURIComponent(query));
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

  form.addEventListener("submit", function (event) {
    var query = input.value.trim();
    if (query) {
      event.preventDefault();
      window.clearTimeout(timer);
      search(query);
    }
  });
})();
