// The query page: named questions (bound exactly as `kb ask` binds them: a VALUES block at
// the start of the outermost WHERE group, with the terms the build wrote) or your own
// SPARQL, answered by Oxigraph's WebAssembly build in a Web Worker with a time limit.
// Every text is inserted with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("kb-query");
  if (!form) return;
  var select = document.getElementById("kb-question");
  var params = document.getElementById("kb-params");
  var textarea = document.getElementById("kb-sparql");
  var status = document.getElementById("kb-query-status");
  var output = document.getElementById("kb-query-result");
  var button = form.querySelector("button");
  var base = form.getAttribute("data-base") || "";
  var LOAD_LIMIT_MS = 60000;
  var QUERY_LIMIT_MS = 5000;
  var data = null;
  var worker = null;
  var ready = null;
  var nextId = 1;
  var pending = {};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function literal(text) {
    // A SPARQL string literal, as pyoxigraph writes ox.Literal(text).
    return '"' + String(text)
      .replace(/\\/g, "\\\\").replace(/"/g, '\\"')
      .replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t") + '"';
  }

  function question() {
    return data && data.questions.filter(function (q) { return q.name === select.value; })[0];
  }

  function boundQuery(q) {
    var names = [], terms = [];
    q.parameters.forEach(function (p) {
      var field = document.getElementById("kb-param-" + p.name);
      var value = field ? field.value : "";
      if (value === "") return;
      var term = p.choices
        ? (p.choices.filter(function (c) { return c.value === value; })[0] || {}).term
        : literal(value);
      if (!term) return;
      names.push("?" + p.name);
      terms.push(term);
    });
    var block = names.length
      ? "\nVALUES (" + names.join(" ") + ") { (" + terms.join(" ") + ") }\n"
      : "";
    return q.before + block + q.after;
  }

  function showQuestion() {
    params.textContent = "";
    var q = question();
    if (!q) return;
    if (q.description) params.appendChild(el("p", q.description, "kb-note"));
    q.parameters.forEach(function (p) {
      var id = "kb-param-" + p.name;
      var wrap = el("p");
      var label = el("label", p.name + (p.optional ? " (optional)" : "") + ": " + p.description);
      label.setAttribute("for", id);
      wrap.appendChild(label);
      wrap.appendChild(el("br"));
      var field;
      if (p.choices) {
        field = el("select");
        if (p.optional) field.appendChild(el("option", "(any)"));
        if (p.optional) field.lastChild.value = "";
        p.choices.forEach(function (c) {
          var option = el("option", c.label === c.value ? c.value : c.label + " (" + c.value + ")");
          option.value = c.value;
          field.appendChild(option);
        });
      } else {
        field = el("input");
        field.type = "text";
      }
      field.id = id;
      field.name = p.name;
      if (q.example[p.name] !== undefined) field.value = q.example[p.name];
      field.addEventListener("change", function () { textarea.value = boundQuery(q); });
      wrap.appendChild(field);
      params.appendChild(wrap);
    });
    textarea.value = boundQuery(q);
  }

  function startWorker() {
    worker = new Worker(form.getAttribute("data-worker"), { type: "module" });
    worker.onmessage = function (event) {
      var message = event.data;
      var waiting = pending[message.id];
      if (!waiting) return;
      delete pending[message.id];
      clearTimeout(waiting.timer);
      if (message.type === "error") waiting.reject(new Error(message.message));
      else waiting.resolve(message);
    };
    worker.onerror = function (event) {
      Object.keys(pending).forEach(function (id) {
        pending[id].reject(new Error(event.message || "the query engine failed"));
        clearTimeout(pending[id].timer);
        delete pending[id];
      });
    };
    ready = send({
      type: "load",
      wasm: new URL(base + "js/oxigraph/web_bg.wasm", window.location.href).toString(),
      dump: new URL(form.getAttribute("data-dump"), window.location.href).toString(),
      settings: { id_base: data.id_base, boolean: data.boolean, integers: data.integers }
    }, LOAD_LIMIT_MS);
    return ready;
  }

  function stopWorker() {
    if (worker) worker.terminate();
    worker = null;
    ready = null;
  }

  function send(message, limit) {
    var id = nextId++;
    message.id = id;
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        delete pending[id];
        stopWorker();
        reject(new Error("stopped after " + limit / 1000 + " s (the limit for one query)"));
      }, limit);
      pending[id] = { resolve: resolve, reject: reject, timer: timer };
      worker.postMessage(message);
    });
  }

  function table(rows) {
    if (!rows.length) return el("p", "No rows.");
    var columns = [];
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (c) { if (columns.indexOf(c) < 0) columns.push(c); });
    });
    var t = el("table");
    var head = el("tr");
    columns.forEach(function (c) {
      var th = el("th", c);
      th.setAttribute("scope", "col");
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    t.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      columns.forEach(function (c) {
        var value = row[c];
        tr.appendChild(el("td", value === undefined || value === null ? "" : value === true ? "yes" : value === false ? "no" : value));
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function show(result) {
    output.textContent = "";
    window.kbLastResult = result;
    if (result.kind === "boolean") {
      output.appendChild(el("p", "Answer: " + (result.value ? "yes (true)" : "no (false)")));
    } else if (result.kind === "text") {
      output.appendChild(el("pre", result.value));
    } else {
      output.appendChild(table(result.rows));
    }
    status.textContent = (result.rows ? result.rows.length + " row(s) in " : "answered in ") +
      result.ms.toFixed(1) + " ms";
  }

  function failed(error) {
    output.textContent = "";
    window.kbLastResult = { kind: "error", message: error.message };
    output.appendChild(el("p", "Refused or failed: " + error.message, "kb-error"));
    status.textContent = "";
  }

  function run(event) {
    if (event) event.preventDefault();
    var query = select.value ? textarea.value : data.prefixes + textarea.value;
    status.textContent = worker ? "running…" : "loading the query engine and the KB…";
    window.kbLastResult = null;
    (ready || startWorker())
      .then(function (loaded) {
        if (loaded && loaded.type === "loaded") window.kbLoadMs = loaded.ms;
        status.textContent = "running…";
        return send({ type: "query", query: query }, QUERY_LIMIT_MS);
      })
      .then(show, failed);
  }

  fetch(form.getAttribute("data-questions"))
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (loaded) {
      data = loaded;
      data.questions.forEach(function (q) {
        var option = el("option", q.title + " (" + q.name + ")");
        option.value = q.name;
        select.appendChild(option);
      });
      var wanted = new URL(window.location.href).searchParams.get("question");
      if (wanted && data.questions.some(function (q) { return q.name === wanted; })) {
        select.value = wanted;
      }
      select.addEventListener("change", showQuestion);
      textarea.addEventListener("input", function () {
        if (!select.value) return;
        select.value = "";  // an edited question is the reader's own SPARQL now
        params.textContent = "";
        textarea.value = textarea.value.replace(/^(PREFIX [^\n]*\n)*/, "");
      });
      form.addEventListener("submit", run);
      showQuestion();
      button.disabled = false;
      form.classList.add("kb-ready");
    })
    .catch(function (error) {
      status.textContent = "The named questions could not be loaded (" + error.message + ").";
    });
})();
