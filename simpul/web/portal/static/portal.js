/* Simpul portal: suggestions as you type and the area type-ahead. Everything works without
   this file; it only saves keystrokes. No framework, no external requests. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  /* A combobox: an input, a listbox under it, options from a JSON URL. */
  function combobox(input, list, fetchItems, choose) {
    var items = [], active = -1;
    function close() {
      list.hidden = true; list.innerHTML = ""; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function render() {
      list.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); close(); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }
    var load = debounce(function () {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      fetchItems(text).then(function (found) {
        if (input.value.trim() !== text) return;
        /* answers may come late: an option the user already picked stays picked */
        var picked = active >= 0 ? items[active].value : null;
        items = found; active = -1;
        items.forEach(function (item, i) { if (item.value === picked) active = i; });
        list.setAttribute("data-for", text); render();
      }).catch(close);
    }, 150);
    input.addEventListener("input", load);
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = (active + 1) % items.length; render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active]); close(); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  var q = document.querySelector("input[data-suggest]");
  if (q) {
    combobox(q, document.getElementById(q.getAttribute("aria-controls")), function (text) {
      return getJSON(q.dataset.suggest + "?size=8&q=" + encodeURIComponent(text)).then(function (body) {
        return body.items.map(function (item) { return { label: item.name.id || item.name, value: item.id }; });
      });
    }, function (item) { window.location.href = "/services/" + encodeURIComponent(item.value); });
  }

  var area = document.querySelector("input[data-areas]");
  if (area) {
    combobox(area, document.getElementById(area.getAttribute("aria-controls")), function (text) {
      return getJSON(area.dataset.areas + "?size=8&q=" + encodeURIComponent(text)).then(function (body) {
        return body.items.map(function (a) { return { label: a.path, value: a.code }; });
      });
    }, function (item) {
      var form = area.form;
      form.querySelectorAll("#area-picker select").forEach(function (s) { s.disabled = true; });
      area.disabled = true;
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "area"; hidden.value = item.value;
      form.appendChild(hidden);
      form.submit();
    });
  }

  /* Filters apply as soon as they change (the Apply button stays for keyboard users). */
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () {
      if (el.tagName === "SELECT") {
        var after = false;
        el.form.querySelectorAll("#area-picker select").forEach(function (s) {
          if (after) s.disabled = true;
          if (s === el) after = true;
        });
      }
      el.form.submit();
    });
  });
})();
