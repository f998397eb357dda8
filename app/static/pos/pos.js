/* The POS pages' behaviour around HTMX: the dialog, keyboard shortcuts, stale search
   answers, and French messages when the network or the server fails. No business rule
   here: every figure shown comes from the server. */
/* Amount fields show grouped figures ("45 000") and accept what people type ("45000", "45 000",
   "45 000"): the server drops the spaces. Only whole numbers are regrouped. */
window.posGroup = function (text) {
  var raw = String(text == null ? "" : text).replace(/[\s\u00a0\u202f]/g, "");
  return /^\d+$/.test(raw) ? raw.replace(/\B(?=(\d{3})+(?!\d))/g, " ") : String(text == null ? "" : text);
};

/* Alpine.js components. The pages load Alpine's CSP build (no eval, so the policy needs no
   'unsafe-eval'): the templates only name these components and their properties or methods;
   server figures and French labels come in data-* attributes of the x-data element. */
document.addEventListener("alpine:init", function () {
  "use strict";

  function number(text) {
    var value = parseFloat(String(text || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", "."));
    return isNaN(value) ? 0 : value;
  }

  // The payment method picked in a form's radios, and which fields it shows.
  function methodChoice(more) {
    var component = {
      method: "CASH",
      get isCash() { return this.method === "CASH"; },
      get isMobileMoney() { return this.method === "MOBILE_MONEY"; },
      get needsReference() { return this.method !== "CASH"; }
    };
    return Object.defineProperties(component, Object.getOwnPropertyDescriptors(more || {}));
  }

  // A credit repayment at the till (templates/credits/till/repay.html).
  window.Alpine.data("posRepayment", function () { return methodChoice(); });

  // The till's payment form: which fields show, and a preview of the change. The change recorded
  // is the one the server computes (shown large once the payment is taken).
  // data-due (plain figure), data-currency, data-label-{mobile-money,bank-transfer,reference}.
  window.Alpine.data("posPayment", function () {
    var due = 0;
    var formatter = null;
    var labels = {};
    return methodChoice({
      amount: "",
      tendered: "",
      init: function () {
        var data = this.$el.dataset;
        var digits = data.currency === "XAF" || data.currency === "XOF" ? 0 : 2;
        formatter = new Intl.NumberFormat(document.documentElement.lang || "fr",
          { style: "currency", currency: data.currency, maximumFractionDigits: digits, minimumFractionDigits: digits });
        due = number(data.due);
        labels = { MOBILE_MONEY: data.labelMobileMoney, BANK_TRANSFER: data.labelBankTransfer };
        labels.other = data.labelReference;
        this.amount = window.posGroup(data.due);
      },
      get change() {
        var tendered = number(this.tendered);
        return tendered ? tendered - Math.min(number(this.amount), due) : 0;
      },
      get showsChange() { return this.isCash && this.change > 0; },
      get changeText() { return formatter ? formatter.format(this.change) : ""; },
      get referenceLabel() { return labels[this.method] || labels.other; }
    });
  });

  // The seller's customer dialog: search, or the new customer's form.
  window.Alpine.data("posCustomerDialog", function () {
    return {
      creating: false,
      get searching() { return !this.creating; },
      create: function () {
        var refs = this.$refs;
        this.creating = true;
        this.$nextTick(function () { if (refs.name) { refs.name.focus(); } });
      },
      back: function () { this.creating = false; }
    };
  });
});

(function () {
  "use strict";

  var body = document.body;

  function dialog() { return document.getElementById("dialog"); }

  function visible(el) {
    return !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length)) && !el.closest("[hidden]");
  }

  function focusFirst(root) {
    var el = root.querySelector("[autofocus]") ||
      root.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button.primary");
    if (el) { el.focus(); if (el.select) { el.select(); } }
  }

  function searchBox() { return document.getElementById("search-q"); }

  function showAlert(message, level, retry) {
    var box = document.getElementById(dialog() && dialog().open ? "dialog-alerts" : "alerts");
    if (!box) { return; }
    var div = document.createElement("div");
    div.className = "alert" + (level ? " " + level : "");
    div.setAttribute("role", "alert");
    div.textContent = message;
    var close = document.createElement("button");
    close.type = "button"; close.className = "close"; close.textContent = "\u00d7";
    close.setAttribute("aria-label", body.dataset.msgClose || "Fermer");
    close.addEventListener("click", function () { div.remove(); });
    if (retry) {
      var again = document.createElement("button");
      again.type = "button"; again.className = "btn small retry"; again.textContent = body.dataset.msgRetry || "Réessayer";
      again.setAttribute("data-testid", "retry");
      again.addEventListener("click", function () { div.remove(); retry(); });
      div.appendChild(again);
    }
    div.appendChild(close);
    box.replaceChildren(div);
  }

  // "Réessayer" sends the same request again from the same element: a form sends its fields as
  // they are, so the payment form's idempotency key is the same one (a payment recorded before
  // the answer was lost is given back, never taken twice).
  function retryOf(event) {
    var config = event.detail.requestConfig;
    var elt = event.detail.elt;
    if (!config || !elt || !document.body.contains(elt) || !window.htmx) { return null; }
    return function () { window.htmx.ajax(config.verb.toUpperCase(), config.path, { source: elt }); };
  }
  function networkMessage(event) {
    var elt = event.detail.elt;
    var own = elt && elt.closest && elt.closest("[data-msg-network]");
    return own && own !== body ? own.dataset.msgNetwork : body.dataset.msgNetwork;
  }

  // --- the dialog: opened / closed by the server (HX-Trigger-After-Settle: pos:dialog)
  body.addEventListener("pos:dialog", function (event) {
    var d = dialog();
    if (!d) { return; }
    if (event.detail && event.detail.value === "open") {
      if (!d.open) { d.showModal(); }
      focusFirst(d);
    } else if (d.open) {
      d.close();
    }
  });
  // Buttons marked data-close-dialog (✕, "Annuler") close the dialog they are in.
  body.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    var d = closer && closer.closest("dialog");
    if (d && d.open) { d.close(); }
  });
  document.addEventListener("close", function (event) {
    if (event.target === dialog()) {
      document.getElementById("dialog-content").replaceChildren();
      var alerts = document.getElementById("dialog-alerts");
      if (alerts) { alerts.replaceChildren(); }
      var box = searchBox();
      if (box) { box.focus(); }
    }
  }, true);

  // --- the seller: a scan (Enter) empties the search box as soon as it is sent, so that a
  // fast scanner can type the next code while the first one is being added. What was sent is
  // kept: when the answer is a list (several products match), the typed text comes back.
  var scanning = 0;
  body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    var box = searchBox();
    if (!box || !elt || !elt.matches) { return; }
    if (elt.matches("form.search")) {
      if (!box.value.trim()) {
        event.preventDefault();  // Enter on an empty box (a scanner's stray Enter): nothing to add
        return;
      }
      box.dataset.sent = box.value;
      box.value = "";
      scanning += 1;
    } else if (elt === box && !box.value.trim()) {
      // An empty box (emptied by a scan, or by hand): no question to ask the server.
      event.preventDefault();
      var results = document.getElementById("results");
      if (results && !scanning) { results.replaceChildren(); }
    }
  });
  body.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.matches && elt.matches("form.search")) { scanning = Math.max(0, scanning - 1); }
  });
  body.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var box = searchBox();
    if (box && elt && elt.matches && elt.matches("form.search") && event.detail.target &&
        event.detail.target.id === "results" && !box.value) {
      box.value = box.dataset.sent || "";  // several (or no) matches: the typed text stays
    }
  });
  body.addEventListener("pos:scanned", function () {
    var box = searchBox();
    var results = document.getElementById("results");
    if (results && box && !box.value) { results.replaceChildren(); }
    if (box && !(dialog() && dialog().open)) { box.focus(); }
  });
  body.addEventListener("pos:added", function () {  // picked from the results: start afresh
    var box = searchBox();
    var results = document.getElementById("results");
    if (box) { box.value = ""; box.focus(); }
    if (results) { results.replaceChildren(); }
  });
  // After a sale is sent to the till, and after "Nouvelle vente": the focus is in the search
  // box, so the next customer's first scan lands there (never on a button its Enter would press).
  body.addEventListener("pos:submitted", function () {
    var box = searchBox();
    if (box) { box.value = ""; box.focus(); }
  });
  body.addEventListener("htmx:afterSwap", function (event) {
    var box = searchBox();
    var target = event.detail.target;
    if (!box || !target || target.id !== "cart" || (dialog() && dialog().open)) { return; }
    var active = document.activeElement;
    if (!active || active === body || !document.body.contains(active)) { box.focus(); }
  });

  // Results that answer an older query than what the box now holds are dropped.
  body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var box = searchBox();
    var from = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (target && target.id === "results" && box && event.detail.xhr && from === box) {
      var answered = event.detail.xhr.getResponseHeader("X-Pos-Query");
      var typed = box.value.trim().replace(/\s+/g, " ");
      if (answered !== null && decodeURIComponent(answered) !== typed) {
        event.detail.shouldSwap = false;
      }
    }
  });

  // A successful action clears an old refusal.
  body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.successful && xhr && xhr.status < 300 && event.detail.requestConfig &&
        event.detail.requestConfig.verb !== "get") {
      var alerts = document.getElementById("alerts");
      if (alerts) { alerts.replaceChildren(); }
    }
  });

  // A refused change puts the form's fields back to what the server holds (their default values).
  body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful && form && form.tagName === "FORM" && form.hasAttribute("data-nosubmit")) {
      form.reset();
    }
  });

  // --- failures that never reach a French answer of the server
  body.addEventListener("htmx:sendError", function (event) { showAlert(networkMessage(event), "warn", retryOf(event)); });
  body.addEventListener("htmx:timeout", function (event) { showAlert(networkMessage(event), "warn", retryOf(event)); });
  body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 503) { showAlert(body.dataset.msgUnavailable, "warn", retryOf(event)); }
    else if (status >= 500) { showAlert(body.dataset.msgServer, "", retryOf(event)); }
  });

  // --- keyboard: every element with data-key="F9" (or "Alt+1", "/") answers that key;
  // inside an open dialog, only the dialog's own.
  document.addEventListener("keydown", function (event) {
    var key = event.key;
    if (event.altKey && /^(Digit|Numpad)[0-9]$/.test(event.code)) {
      key = "Alt+" + event.code.slice(-1);
    } else if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((event.target || {}).tagName || "");
    if (key === "/" && typing) { return; }
    if (!/^(F\d+|Alt\+\d|\/)$/.test(key)) { return; }
    var d = dialog();
    var root = d && d.open ? d : document;
    var found = Array.prototype.filter.call(root.querySelectorAll("[data-key]"), function (el) {
      return el.dataset.key.split(" ").indexOf(key) >= 0 && visible(el) && !el.disabled;
    });
    if (!found.length) { return; }
    event.preventDefault();
    var el = found[0];
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && el.type !== "radio" && el.type !== "checkbox") {
      el.focus();
      if (el.select) { el.select(); }
    } else {
      el.click();
      if (el.type === "radio") { el.focus(); }
    }
  });

  // Forms that post on "change" never submit natively (Enter would reload the page).
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-nosubmit")) { event.preventDefault(); }
  }, true);

  // The quantity's - and + buttons: step the field, then let it post its change.
  body.addEventListener("click", function (event) {
    var step = event.target.closest("[data-step]");
    if (!step) { return; }
    var input = step.parentElement.querySelector("input");
    var value = parseInt(input.value, 10) || 1;
    input.value = Math.max(1, value + parseInt(step.dataset.step, 10));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Arrow keys move between the search box and its results.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var box = searchBox();
    var results = document.getElementById("results");
    if (!box || !results) { return; }
    var items = Array.prototype.slice.call(results.querySelectorAll("button.result"));
    if (!items.length) { return; }
    var index = items.indexOf(document.activeElement);
    if (document.activeElement === box && event.key === "ArrowDown") { index = -1; }
    else if (index < 0) { return; }
    event.preventDefault();
    var next = index + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) { box.focus(); } else if (next < items.length) { items[next].focus(); }
  });

  // The cashier's queue: the chosen sale stays marked (also across the queue's refreshes: each
  // refresh tells the server which one is chosen).
  body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "queue") {
      var current = elt.querySelector("[aria-current]");
      event.detail.parameters.selected = current ? current.dataset.sale : "";
    }
  });
  body.addEventListener("pos:selected", function (event) {
    var id = String(event.detail && event.detail.value);
    document.querySelectorAll("#queue .queue-item").forEach(function (item) {
      if (item.dataset.sale === id) { item.setAttribute("aria-current", "true"); }
      else { item.removeAttribute("aria-current"); }
    });
  });

  // Amount fields: grouped when shown and when left.
  function group(input) {
    var grouped = window.posGroup(input.value);
    if (grouped !== input.value) {
      input.value = grouped;
      if (input.hasAttribute("x-model")) { input.dispatchEvent(new Event("input", { bubbles: true })); }
    }
  }
  function groupAll(root) {
    if (root && root.querySelectorAll) { root.querySelectorAll("input.amount").forEach(group); }
  }
  groupAll(document);
  body.addEventListener("htmx:load", function (event) { groupAll(event.detail.elt); });
  body.addEventListener("htmx:afterRequest", function (event) {  // after a refused change's reset
    var form = event.detail.elt;
    if (!event.detail.successful && form && form.tagName === "FORM") { groupAll(form); }
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches("input.amount")) { group(event.target); }
  });

  // Alerts can be closed by hand.
  body.addEventListener("click", function (event) {
    var close = event.target.closest(".alert .close");
    if (close) { close.closest(".alert").remove(); }
  });
})();
