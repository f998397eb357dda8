/* Product suggestions as a stock form's product field is typed (transfer line, adjustment, count).
 *
 * Progressive enhancement: without this script the field still takes a SKU or a barcode.
 * <input data-product-suggest data-suggest-url="/catalog/suggestions/"
 *        data-store="3" | data-store-select="#adj-store"      the store whose stock is shown
 *        data-append-to="#cnt-products"                        optional: a pick adds a line there
 *        data-empty-text="Aucun produit ne correspond.">
 * The list is the catalog's search (barcode, SKU prefix, every word of the name, accents and case
 * aside); a pick writes the product's SKU in the field. Keys: ↓ ↑ to move, Entrée to pick, Échap.
 */
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY_MS = 150;
  var counter = 0;

  function storeOf(input) {
    var selector = input.getAttribute("data-store-select");
    if (selector) {
      var select = document.querySelector(selector);
      return select ? select.value : "";
    }
    return input.getAttribute("data-store") || "";
  }

  function setUp(input) {
    var listId = "product-suggestions-" + (++counter);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "product-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.classList.add("product-suggest-host");
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var controller = null;
    var results = [];
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      results = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({block: "nearest"});
      }
    }

    function pick(index) {
      var product = results[index];
      if (!product) { return; }
      var target = input.getAttribute("data-append-to");
      var area = target ? document.querySelector(target) : null;
      if (area) {
        var lines = area.value.split("\n").filter(function (line) { return line.trim(); });
        if (lines.indexOf(product.sku) < 0) { lines.push(product.sku); }
        area.value = lines.join("\n");
        input.value = "";
      } else {
        input.value = product.sku;
      }
      close();
      input.dispatchEvent(new CustomEvent("product:picked", {bubbles: true, detail: product}));
    }

    function show(found) {
      results = found;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "product-suggestions-empty";
        none.textContent = input.getAttribute("data-empty-text") || "";
        list.appendChild(none);
      }
      found.forEach(function (product, index) {
        var item = document.createElement("li");
        item.id = listId + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-sku", product.sku);
        var name = document.createElement("span");
        name.className = "product-suggestions-name";
        name.textContent = product.name;
        var detail = document.createElement("small");
        detail.textContent = product.detail;
        item.appendChild(name);
        item.appendChild(detail);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the field
          pick(index);
        });
        list.appendChild(item);
      });
      // under the field itself (its container may have padding)
      list.style.left = input.offsetLeft + "px";
      list.style.top = (input.offsetTop + input.offsetHeight) + "px";
      list.style.width = Math.max(input.offsetWidth, 320) + "px";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { close(); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var url = input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(q) +
        "&store=" + encodeURIComponent(storeOf(input));
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", signal: controller.signal})
        .then(function (response) { return response.ok ? response.json() : {result: []}; })
        .then(function (body) {
          if (input.value.trim() === q) { show(body.result || []); }
        })
        .catch(function () { /* an aborted or failed request: the field still takes a SKU */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !results.length) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();  // pick, do not submit yet
        pick(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-product-suggest]");
    for (var i = 0; i < inputs.length; i++) { setUp(inputs[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
