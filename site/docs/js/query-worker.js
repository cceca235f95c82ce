// The query page's engine: Oxigraph's WebAssembly build, in a worker so that a runaway
// query never freezes the page (the page terminates the worker when its time is up).
// Only SELECT/ASK/CONSTRUCT/DESCRIBE are evaluated (Store.query parses no updates), and
// Oxigraph's web build has no HTTP client, so SERVICE cannot reach the network.
import init, { Store } from "./oxigraph/web.js";

let store = null;
let settings = null;

function plain(term) {
  if (!term) return null;
  if (term.termType === "NamedNode") {
    return term.value.startsWith(settings.id_base)
      ? term.value.slice(settings.id_base.length)
      : term.value;
  }
  if (term.termType === "Literal") {
    const datatype = term.datatype ? term.datatype.value : "";
    if (datatype === settings.boolean) return term.value === "true" || term.value === "1";
    if (settings.integers.indexOf(datatype) >= 0) {
      const number = Number(term.value);
      return Number.isSafeInteger(number) ? number : term.value;
    }
    return term.value;
  }
  if (term.termType === "BlankNode") return "_:" + term.value;
  return String(term.value);
}

async function load(message) {
  settings = message.settings;
  const started = performance.now();
  await init({ module_or_path: message.wasm });
  const response = await fetch(message.dump);
  if (!response.ok) throw new Error("cannot load the KB dump: HTTP " + response.status);
  const text = await response.text();
  store = new Store();
  store.load(text, { format: "application/n-triples" });
  return { loaded: store.size, ms: performance.now() - started };
}

function run(query) {
  const started = performance.now();
  const result = store.query(query);
  const ms = performance.now() - started;
  if (typeof result === "boolean") return { kind: "boolean", value: result, ms };
  if (!Array.isArray(result)) return { kind: "text", value: String(result), ms };
  if (result.length && result[0] && result[0].subject) {
    const rows = result.map((q) => ({
      subject: plain(q.subject),
      predicate: plain(q.predicate),
      object: plain(q.object),
    }));
    return { kind: "graph", rows, ms };
  }
  const rows = result.map((solution) => {
    const row = {};
    solution.forEach((term, name) => {
      row[name] = plain(term);
    });
    return row;
  });
  return { kind: "select", rows, ms };
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    if (message.type === "load") {
      self.postMessage({ type: "loaded", id: message.id, ...(await load(message)) });
    } else if (message.type === "query") {
      self.postMessage({ type: "result", id: message.id, ...run(message.query) });
    }
  } catch (error) {
    self.postMessage({ type: "error", id: message.id, message: String(error && error.message || error) });
  }
};
