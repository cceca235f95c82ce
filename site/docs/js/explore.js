// The classify page: look the reader's facts up in the table the build computed with the
// approaches' rules (explore/classification.json). No rule is implemented here; every text
// is inserted with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("kb-classify");
  var out = document.getElementById("kb-classify-result");
  if (!form || !out) return;
  var base = form.getAttribute("data-base") || "";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function show(value) {
    if (value === true) return "yes";
    if (value === false) return "no";
    return String(value);
  }

  function chosen(data) {
    var facts = {};
    data.facts.forEach(function (fact) {
      var input = form.querySelector('input[name="' + fact.name + '"]:checked');
      facts[fact.name] = input ? JSON.parse(input.value) : fact.values[0];
    });
    return facts;
  }

  function setForm(data, facts) {
    data.facts.forEach(function (fact) {
      var inputs = form.querySelectorAll('input[name="' + fact.name + '"]');
      Array.prototype.forEach.call(inputs, function (input) {
        input.checked = JSON.parse(input.value) === facts[fact.name];
      });
    });
  }

  function find(data, facts) {
    return data.rows.filter(function (row) {
      return data.facts.every(function (fact) {
        return row.facts[fact.name] === facts[fact.name];
      });
    })[0];
  }

  var SHOWN = ["value", "hedged", "rationale", "conflict"];

  function render(data, row) {
    out.textContent = "";
    out.appendChild(el("h2", "Verdicts", "kb-result-heading"));
    Object.keys(data.approaches).forEach(function (approach) {
      var verdict = row.verdicts[approach];
      var card = el("section", null, "kb-verdict-card");
      var head = el("h3");
      head.appendChild(document.createTextNode(data.approaches[approach] + ": "));
      head.appendChild(el("span", verdict.value, "kb-v-" + verdict.value));
      if (verdict.hedged) {
        head.appendChild(document.createTextNode(" "));
        head.appendChild(el("span", "hedged", "kb-mark kb-hedged"));
      }
      card.appendChild(head);
      Object.keys(verdict).forEach(function (field) {
        if (SHOWN.indexOf(field) < 0 && verdict[field] !== null && verdict[field] !== false) {
          card.appendChild(el("p", field.replace(/_/g, " ") + ": " + show(verdict[field])));
        }
      });
      card.appendChild(el("p", verdict.rationale));
      if (verdict.conflict) card.appendChild(el("p", "Conflict: " + verdict.conflict, "kb-conflict"));
      out.appendChild(card);
    });
    var same = data.scenarios.filter(function (s) { return s.key === row.key; });
    var note = el("p", null, "kb-same");
    if (same.length) {
      note.appendChild(document.createTextNode("Same facts as the essay's "));
      same.forEach(function (s, i) {
        if (i) note.appendChild(document.createTextNode(", "));
        var a = el("a", s.label);
        a.href = base + s.path;
        note.appendChild(a);
      });
      note.appendChild(document.createTextNode("."));
    } else {
      note.textContent = "None of the essay's scenarios has these facts.";
    }
    var key = el("p", null, "kb-key");
    key.appendChild(document.createTextNode("Combination "));
    key.appendChild(el("code", row.key));
    key.appendChild(document.createTextNode(" (link to this page to share it)."));
    out.appendChild(note);
    out.appendChild(key);
  }

  function update(data, push) {
    var row = find(data, chosen(data));
    if (!row) return;
    render(data, row);
    if (push) {
      var url = new URL(window.location.href);
      url.searchParams.set("facts", row.key);
      url.hash = "";
      window.history.replaceState(null, "", url.toString());
    }
  }

  fetch(form.getAttribute("data-table"))
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      var wanted = new URL(window.location.href).searchParams.get("facts");
      var start = data.rows.filter(function (r) { return r.key === wanted; })[0];
      if (!start) {
        var first = data.scenarios[0];
        start = data.rows.filter(function (r) { return first && r.key === first.key; })[0] || data.rows[0];
      }
      setForm(data, start.facts);
      form.addEventListener("change", function () { update(data, true); });
      update(data, false);
      form.classList.add("kb-ready");
    })
    .catch(function (error) {
      out.textContent = "The table of verdicts could not be loaded (" + error.message +
        "); the full table below gives the same answers.";
    });
})();
