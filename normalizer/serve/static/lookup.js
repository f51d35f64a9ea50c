// The uanorm lookup page: suggestions while typing (/suggest/entity), the answer on submit
// (/api/lookup). Every answer is put into the page with textContent, never parsed as HTML.
"use strict";

(function () {
  const form = document.getElementById("lookup");
  const box = document.getElementById("q");
  const list = document.getElementById("suggestions");
  const CLUES = ["q", "oblast", "raion", "hromada", "coordinates", "type"];
  let timer = null;
  let asked = 0;
  let active = -1;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function entityURL(id) {
    return "/entity/" + encodeURIComponent(id);
  }

  // -- suggestions -------------------------------------------------------------------
  function hideSuggestions() {
    list.hidden = true;
    list.replaceChildren();
    box.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function showSuggestions(items) {
    list.replaceChildren();
    active = -1;
    items.forEach(function (item, index) {
      const option = element("li", { role: "option", id: "suggestion-" + index, "data-id": item.id });
      const link = element("a", { href: entityURL(item.id) });
      link.append(element("span", { class: "name" }, item.name),
                  element("span", { class: "desc" }, item.description || ""));
      option.append(link);
      list.append(option);
    });
    list.hidden = items.length === 0;
    box.setAttribute("aria-expanded", String(items.length > 0));
  }

  function suggestNow() {
    const prefix = box.value;
    const mine = ++asked;
    if (!prefix.trim()) {
      hideSuggestions();
      return;
    }
    const params = new URLSearchParams({ prefix: prefix });
    if (form.elements.type.value) params.set("type", form.elements.type.value);
    getJSON("/suggest/entity?" + params).then(function (data) {
      if (mine === asked) showSuggestions(data.result);
    }).catch(hideSuggestions);
  }

  function move(step) {
    const options = list.querySelectorAll("li");
    if (!options.length) return;
    if (active >= 0) options[active].classList.remove("active");
    active = (active + step + options.length) % options.length;
    options[active].classList.add("active");
    box.setAttribute("aria-activedescendant", options[active].id);
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggestNow, 120);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Escape") {
      hideSuggestions();
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      window.location.href = entityURL(list.querySelectorAll("li")[active].dataset.id);
    }
  });
  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== box) hideSuggestions();
  });

  // -- the answer --------------------------------------------------------------------
  function showError(message) {
    const error = document.getElementById("error");
    error.textContent = message;
    error.hidden = !message;
  }

  function render(data) {
    const status = document.getElementById("status");
    status.textContent = data.status;
    status.className = "status status-" + data.status;
    document.getElementById("method").textContent = data.method ? "by " + data.method : "";
    document.getElementById("input").textContent = data.input ? "\u201c" + data.input + "\u201d" : "";
    document.getElementById("explanation").textContent = data.explanation;
    const ignored = document.getElementById("ignored");
    ignored.replaceChildren();
    for (const note of data.ignored) ignored.append(element("li", {}, "not read as a clue \u2014 " + note));
    const rows = document.querySelector("#candidates tbody");
    rows.replaceChildren();
    data.candidates.forEach(function (candidate, index) {
      const row = element("tr", { "data-id": candidate.id, class: candidate.match ? "match" : "" });
      const name = element("td");
      name.append(element("a", { href: candidate.url }, candidate.name), element("code", {}, candidate.id));
      row.append(element("td", {}, index + 1), name, element("td", {}, candidate.kind),
                 element("td", {}, candidate.description),
                 element("td", { class: "score" }, candidate.score.toFixed(1) + (candidate.match ? " \u2713" : "")));
      rows.append(row);
    });
    document.getElementById("candidates").hidden = data.candidates.length === 0;
    document.getElementById("answer").hidden = false;
  }

  function formParams() {
    const params = new URLSearchParams();
    for (const name of CLUES) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  function lookup(params) {
    showError("");
    return getJSON("/api/lookup?" + params).then(render).catch(function (error) {
      document.getElementById("answer").hidden = true;
      showError(error.message);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    hideSuggestions();
    const params = formParams();
    if (!params.get("q")) return;
    history.replaceState(null, "", "/?" + params);
    lookup(params);
  });

  // -- start: the types, the endpoint, and a lookup given in the address -------------
  document.getElementById("endpoint").textContent = window.location.origin + "/reconcile";
  const typesReady = getJSON("/suggest/type?prefix=&limit=100").then(function (data) {
    for (const type of data.result) form.elements.type.append(element("option", { value: type.id }, type.name));
  }).catch(function () {});
  const given = new URLSearchParams(window.location.search);
  typesReady.then(function () {
    for (const name of CLUES) if (given.get(name)) form.elements[name].value = given.get(name);
    if (["oblast", "raion", "hromada", "coordinates", "type"].some(function (n) { return given.get(n); })) {
      document.getElementById("clues").open = true;
    }
    if (given.get("q")) lookup(formParams());
  });
})();
