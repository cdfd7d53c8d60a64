// crmio import wizard: plain JavaScript over the wizard's JSON API (no build
// step). Every URL is relative to the page, so the wizard works under any
// mount path.
"use strict";
(function () {
  const api = new URL("api/v1/", document.baseURI);
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  const state = {
    session: null,
    modules: [],
    step: "upload",
    upload: null,      // the upload, as POST uploads answered
    module: "",
    format: {},        // sheet, header_row, encoding, delimiter
    header: [],
    rows: [],
    suggestions: [],
    mapping: { columns: [] },
    changed: new Set(), // columns whose mapping the person chose
    statics: {},        // field -> value
    job: null,          // the job being followed or shown
    events: null,
    submitKey: "",
  };

  // ---- helpers -----------------------------------------------------------

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function say(msg) { // for screen readers
    const s = $("#wz-status");
    s.textContent = "";
    setTimeout(() => { s.textContent = msg; }, 30);
  }

  function alertError(msg) {
    const a = $("#wz-alert");
    if (!msg) { a.hidden = true; a.textContent = ""; return; }
    a.textContent = msg;
    a.hidden = false;
    a.scrollIntoView({ block: "nearest" });
  }

  class APIError extends Error {
    constructor(status, body) {
      super((body && body.error) || ("HTTP " + status));
      this.status = status;
      this.body = body || {};
    }
  }

  async function call(method, path, body, headers) {
    const init = { method, headers: Object.assign({}, headers || {}), credentials: "same-origin" };
    if (method !== "GET" && method !== "HEAD" && state.session) {
      init.headers[state.session.csrf_header] = state.session.csrf_token;
    }
    if (body instanceof FormData || body instanceof Blob) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(new URL(path, api), init);
    if (res.status === 204) return null;
    let data = null;
    const type = res.headers.get("Content-Type") || "";
    if (type.includes("application/json")) data = await res.json();
    if (!res.ok) throw new APIError(res.status, data);
    return data;
  }

  function url(path, params) {
    const u = new URL(path, api);
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== "") u.searchParams.set(k, v);
    return u.href;
  }

  function num(n) { return (n || 0).toLocaleString(); }
  function bytes(n) {
    if (n < 1024) return n + " bytes";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1024 / 1024).toFixed(1) + " MiB";
  }
  function when(t) { return t ? new Date(t).toLocaleString() : ""; }
  function moduleOf(name) { return state.modules.find((m) => m.name === name); }
  function fieldLabel(mod, name) {
    const f = mod && mod.fields.find((x) => x.name === name);
    return f ? (f.label || f.name) : name;
  }
  function statusBadge(status) {
    const names = { completed: "Completed", failed: "Failed", cancelled: "Cancelled", interrupted: "Interrupted",
      running: "Running", queued: "Queued", rolled_back: "Rolled back" };
    return el("span", { class: "wz-badge wz-st-" + status, text: names[status] || status });
  }
  function newKey() {
    const a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- views and steps ----------------------------------------------------

  const stepOrder = ["upload", "map", "preview", "progress", "summary"];

  function show(view, step) {
    for (const s of $$("main > section")) s.hidden = true;
    const steps = $("#wz-steps");
    steps.hidden = view !== "import";
    for (const a of $$("[data-nav]")) {
      if (a.dataset.nav === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    let section;
    if (view === "import") {
      state.step = step;
      section = $("#step-" + step);
      const at = stepOrder.indexOf(step);
      for (const li of $$("li", steps)) {
        const i = stepOrder.indexOf(li.dataset.step);
        li.classList.toggle("wz-done", i < at);
        if (i === at) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
      }
    } else {
      section = $("#view-" + view);
    }
    section.hidden = false;
    const h = $("h2", section);
    if (h) h.focus();
  }

  function goStep(step) {
    alertError("");
    show("import", step);
  }

  async function route() {
    alertError("");
    const hash = location.hash || "#/import";
    const m = hash.match(/^#\/jobs\/([^/]+)$/);
    if (m) { await openJob(decodeURIComponent(m[1])); return; }
    if (hash.startsWith("#/history")) { show("history"); await loadHistory(); return; }
    if (hash.startsWith("#/export")) { show("export"); renderExport(); return; }
    if (state.step === "progress" && state.events) { show("import", "progress"); return; }
    show("import", state.upload && state.step !== "summary" ? state.step : "upload");
  }

  // ---- step 1: upload -----------------------------------------------------

  function renderModules() {
    for (const sel of [$("#module"), $("#export-module")]) {
      sel.replaceChildren(...state.modules.map((m) => el("option", { value: m.name, text: m.label })));
    }
    updateTemplateLinks();
  }

  function updateTemplateLinks() {
    const m = $("#module").value;
    $("#template-csv").href = url("templates/" + encodeURIComponent(m), { format: "csv" });
    $("#template-xlsx").href = url("templates/" + encodeURIComponent(m), { format: "xlsx" });
  }

  async function onUpload(ev) {
    ev.preventDefault();
    alertError("");
    const file = $("#file").files[0];
    if (!file) { alertError("Choose a file first."); return; }
    if (file.size > state.session.limits.max_upload_size) {
      alertError(file.name + " is " + bytes(file.size) + ": the limit is " + bytes(state.session.limits.max_upload_size) + ".");
      return;
    }
    const button = $("#upload-button");
    button.disabled = true;
    say("Uploading " + file.name);
    try {
      const fd = new FormData();
      fd.append("file", file, file.name);
      state.upload = await call("POST", "uploads", fd);
      state.module = $("#module").value;
      state.format = {};
      state.statics = {};
      state.changed = new Set();
      state.submitKey = newKey();
      await suggest();
      goStep("map");
      say("Uploaded. Map the columns.");
    } catch (e) {
      alertError(e.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---- step 2: map ----------------------------------------------------------

  async function suggest() {
    const res = await call("POST", "uploads/" + encodeURIComponent(state.upload.id) + "/suggestions",
      { module: state.module, format: state.format });
    state.header = res.header;
    state.rows = res.rows;
    state.suggestions = res.suggestions;
    state.mapping = res.mapping;
    state.info = res.info;
    state.changed = new Set();
    renderMap();
  }

  function targetKey(t) {
    if (!t || !t.field) return "";
    return JSON.stringify([t.field, t.label || "", t.part || "", t.group || "", t.role || ""]);
  }
  function targetOfKey(k) {
    if (!k) return null;
    const [field, label, part, group, role] = JSON.parse(k);
    const t = { field };
    if (label) t.label = label;
    if (part) t.part = part;
    if (group) t.group = group;
    if (role) t.role = role;
    return t;
  }
  function describeTarget(mod, t) {
    let s = fieldLabel(mod, t.field);
    if (t.label) s += " (" + t.label.charAt(0).toUpperCase() + t.label.slice(1) + ")";
    if (t.part) s += " – " + t.part;
    if (t.group) s += " #" + t.group;
    if (t.role === "label") s += " label";
    return s;
  }

  function targetSelect(mod, col, current, id) {
    const sel = el("select", { id, "data-column": col });
    sel.append(el("option", { value: "", text: "— Do not import —" }));
    const groups = new Map();
    for (const t of mod.targets) {
      if (!groups.has(t.field)) {
        groups.set(t.field, el("optgroup", { label: fieldLabel(mod, t.field) + (t.required ? " (required)" : "") }));
      }
      groups.get(t.field).append(el("option", { value: targetKey(t), text: t.title }));
    }
    const key = targetKey(current);
    if (key && !mod.targets.some((t) => targetKey(t) === key)) {
      const g = groups.get(current.field);
      if (g) g.append(el("option", { value: key, text: describeTarget(mod, current) }));
    }
    sel.append(...groups.values());
    sel.value = key;
    return sel;
  }

  function renderMap() {
    const mod = moduleOf(state.module);
    const info = state.info || {};
    const bits = [state.upload.name, (info.format || "").toUpperCase(), bytes(state.upload.size)];
    if (info.encoding) bits.push(info.encoding);
    if (info.delimiter) bits.push("delimiter " + (info.delimiter === "\t" ? "tab" : "“" + info.delimiter + "”"));
    if (info.sheet) bits.push("sheet “" + info.sheet + "”");
    bits.push("header on row " + info.header_row);
    if (info.estimated_rows) bits.push("about " + num(info.estimated_rows) + " rows");
    $("#file-info").textContent = bits.join(" · ") + " → " + mod.label;
    // read settings
    const sheets = info.sheets || [];
    $("#sheet-field").hidden = sheets.length < 2;
    $("#sheet").replaceChildren(...sheets.map((s) => el("option", { value: s, text: s })));
    if (info.sheet) $("#sheet").value = info.sheet;
    $("#header-row").value = info.header_row || 1;
    for (const e of $$(".csv-only")) e.hidden = info.format !== "csv";
    $("#encoding").value = state.format.encoding || "";
    $("#delimiter").value = state.format.delimiter || "";

    const tbody = $("#map-table tbody");
    tbody.replaceChildren();
    state.header.forEach((h, i) => {
      const sg = state.suggestions.find((s) => s.column === i) || { confidence: "none" };
      const cur = (state.mapping.columns || []).find((c) => c.column === i);
      const selId = "map-col-" + i;
      const samples = state.rows.slice(0, 3).map((r) => r.fields[i] || "").filter((v) => v !== "");
      const changed = state.changed.has(i);
      const conf = changed ? "user" : sg.confidence;
      const confText = changed ? "Your choice" : { high: "High", medium: "Medium", low: "Low", none: "No suggestion" }[sg.confidence];
      const reason = changed ? (sg.target && sg.target.field ? "Suggested: " + describeTarget(mod, sg.target) + " (" + sg.confidence + ")" : "")
        : (sg.reason || "") + (sg.confidence === "low" && sg.target && sg.target.field && !cur ? " Not applied: low confidence." : "");
      const sel = targetSelect(mod, i, cur, selId);
      sel.addEventListener("change", () => onMapChange(i, sel.value));
      tbody.append(el("tr", { "data-column": i },
        el("th", { scope: "row" }, el("label", { for: selId, text: h })),
        el("td", { class: "wz-samples" }, samples.length ? samples.map((v) => el("span", { text: v })) : el("span", { text: "(empty)" })),
        el("td", {}, sel),
        el("td", {}, el("span", { class: "wz-badge wz-conf-" + conf, text: confText }),
          reason ? el("span", { class: "wz-reason", text: reason }) : null)));
    });
    // static values
    $("#static-field").replaceChildren(...mod.fields.filter((f) => f.type !== "address")
      .map((f) => el("option", { value: f.name, text: f.label || f.name })));
    renderStatics();
  }

  function onMapChange(col, key) {
    const t = targetOfKey(key);
    const cols = (state.mapping.columns || []).filter((c) => c.column !== col);
    if (t) cols.push(Object.assign({ column: col, header: state.header[col] }, t));
    cols.sort((a, b) => a.column - b.column);
    state.mapping.columns = cols;
    state.changed.add(col);
    const mod = moduleOf(state.module);
    say("Column " + state.header[col] + ": " + (t ? describeTarget(mod, t) : "not imported"));
    // Refresh only the badge of that row, keeping focus on the select.
    const row = $('#map-table tr[data-column="' + col + '"]');
    const sg = state.suggestions.find((s) => s.column === col) || {};
    const cell = row.cells[3];
    cell.replaceChildren(el("span", { class: "wz-badge wz-conf-user", text: "Your choice" }),
      sg.target && sg.target.field ? el("span", { class: "wz-reason", text: "Suggested: " + describeTarget(mod, sg.target) + " (" + sg.confidence + ")" }) : null);
  }

  function renderStatics() {
    const mod = moduleOf(state.module);
    const list = $("#static-list");
    list.replaceChildren(...Object.entries(state.statics).map(([f, v]) =>
      el("li", {}, el("span", { text: fieldLabel(mod, f) + " = “" + v + "”" }),
        el("button", { type: "button", "aria-label": "Remove the value of " + fieldLabel(mod, f),
          onclick: () => { delete state.statics[f]; renderStatics(); } }, "Remove"))));
  }

  async function onReadAgain(ev) {
    ev.preventDefault();
    const f = {};
    const hr = parseInt($("#header-row").value, 10);
    if (hr > 0) f.header_row = hr;
    if (!$("#sheet-field").hidden && $("#sheet").value) f.sheet = $("#sheet").value;
    if (state.info && state.info.format === "csv") {
      if ($("#encoding").value) f.encoding = $("#encoding").value;
      if ($("#delimiter").value) f.delimiter = $("#delimiter").value;
    }
    state.format = f;
    try {
      await suggest();
      say("Read again: " + state.header.length + " columns.");
    } catch (e) { alertError(e.message); }
  }

  // ---- step 3: preview -----------------------------------------------------

  function updateMerge() {
    $("#merge").disabled = $('input[name="duplicates"]:checked').value !== "update";
  }

  function renderMatchFields() {
    const mod = moduleOf(state.module);
    const box = $("#match-fields");
    box.replaceChildren(...mod.fields.filter((f) => f.type !== "address").map((f) =>
      el("span", { class: "wz-check" },
        el("input", { type: "checkbox", id: "match-" + f.name, value: f.name }),
        el("label", { for: "match-" + f.name, text: f.label || f.name }))));
  }

  function planBody() {
    const dup = $('input[name="duplicates"]:checked').value;
    const body = {
      module: state.module,
      format: state.format,
      mapping: { columns: state.mapping.columns || [] },
      duplicates: dup,
      merge: $("#merge").value,
      match_fields: $$("#match-fields input:checked").map((i) => i.value),
      match_all: $("#match-all").checked,
      auto_create_references: $("#auto-refs").checked,
      mode: $("#mode").value,
    };
    if (Object.keys(state.statics).length) body.static = state.statics;
    return body;
  }

  async function validate() {
    const body = planBody();
    delete body.mode;
    const table = $("#check-table");
    table.setAttribute("aria-busy", "true");
    try {
      const res = await call("POST", "uploads/" + encodeURIComponent(state.upload.id) + "/validation", body);
      renderValidation(res);
      table.dataset.checks = String(Number(table.dataset.checks || 0) + 1);
    } finally {
      table.setAttribute("aria-busy", "false");
    }
  }

  function renderValidation(res) {
    const c = res.counts;
    const n = res.rows.length;
    $("#check-counts").textContent = "Of the first " + num(n) + " rows: " + num(c.created) + " would be created, " +
      num(c.updated) + " updated, " + num(c.skipped) + " skipped, " + num(c.failed) + " would fail" +
      (c.references_created ? "; " + num(c.references_created) + " referenced records would be created" : "") + ".";
    $("#check-warnings").replaceChildren(...res.warnings.map((w) => el("li", { text: w })));
    const mapped = new Map((res.mapping.columns || []).map((m) => [m.column, m]));
    const mod = moduleOf(state.module);
    const thead = $("#check-table thead");
    thead.replaceChildren(el("tr", {}, el("th", { scope: "col", text: "Row" }), el("th", { scope: "col", text: "Check" }),
      res.header.map((h, i) => el("th", { scope: "col" }, h,
        el("span", { class: "wz-reason", text: mapped.has(i) ? "→ " + describeTarget(mod, mapped.get(i)) : "not imported" })))));
    const tbody = $("#check-table tbody");
    tbody.replaceChildren(...res.rows.map((r) => {
      const statusText = { ok: "OK", warning: "Warning", error: "Would fail" }[r.status];
      const first = el("td", { class: "wz-status-" + r.status }, statusText,
        (r.errors || []).map((m) => el("span", { class: "wz-msg wz-msg-error", text: m })),
        (r.warnings || []).map((m) => el("span", { class: "wz-msg wz-msg-warning", text: m })));
      return el("tr", { "data-row": r.row, "data-status": r.status },
        el("th", { scope: "row", class: "wz-rownum", text: r.row }), first,
        r.cells.map((cell) => {
          const cls = cell.errors ? "wz-cell-error" : cell.warnings ? "wz-cell-warning" : null;
          return el("td", { class: cls }, cell.value,
            (cell.errors || []).map((m) => el("span", { class: "wz-msg wz-msg-error", text: m })),
            (cell.warnings || []).map((m) => el("span", { class: "wz-msg wz-msg-warning", text: m })));
        }));
    }));
    say($("#check-counts").textContent);
  }

  async function toPreview() {
    alertError("");
    const button = $("#map-next");
    button.disabled = true;
    try {
      renderMatchFields();
      await validate();
      goStep("preview");
    } catch (e) {
      alertError(e.message);
    } finally {
      button.disabled = false;
    }
  }

  async function onCheckAgain(ev) {
    ev.preventDefault();
    alertError("");
    try { await validate(); } catch (e) { alertError(e.message); }
  }

  // ---- step 4: import with progress -----------------------------------------

  async function startImport() {
    alertError("");
    const button = $("#start-import");
    button.disabled = true;
    try {
      const body = planBody();
      body.upload = state.upload.id;
      const res = await call("POST", "imports", body, { "Idempotency-Key": state.submitKey });
      state.job = res.job;
      follow(res.job);
    } catch (e) {
      if (e.body && e.body.code === "double_submit" && e.body.job) {
        alertError(e.message);
        location.hash = "#/jobs/" + encodeURIComponent(e.body.job);
      } else {
        alertError(e.message);
      }
    } finally {
      button.disabled = false;
    }
  }

  function follow(job) {
    show("import", "progress");
    $("#progress-file").textContent = job.file + " → " + (moduleOf(job.module) || { label: job.module }).label +
      (job.mode ? " (" + job.mode + ")" : "");
    $("#cancel-import").disabled = false;
    renderProgress({ counts: job.counts, status: job.status, mode: job.mode, elapsed_ms: 0 });
    if (state.events) state.events.close();
    const es = new EventSource(url("imports/" + encodeURIComponent(job.id) + "/events"));
    state.events = es;
    es.addEventListener("progress", (e) => renderProgress(JSON.parse(e.data)));
    es.addEventListener("done", (e) => {
      es.close();
      state.events = null;
      const p = JSON.parse(e.data);
      renderProgress(p);
      say("The import has ended: " + p.status);
      location.hash = "#/jobs/" + encodeURIComponent(job.id);
    });
    es.addEventListener("closing", () => { es.close(); state.events = null; pollJob(job.id); });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) { state.events = null; pollJob(job.id); }
    };
  }

  async function pollJob(id) { // when the stream is gone: poll
    for (;;) {
      try {
        const res = await call("GET", "imports/" + encodeURIComponent(id));
        renderProgress({ counts: res.job.counts, status: res.job.status, mode: res.job.mode });
        if (res.job.done) { location.hash = "#/jobs/" + encodeURIComponent(id); return; }
      } catch (e) { alertError(e.message); return; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  function renderProgress(p) {
    const c = p.counts || {};
    const bar = $("#progress-bar");
    const ended = p.done || (p.status && p.status !== "running" && p.status !== "queued");
    // Once it has ended, what was read is the whole: the estimate was one.
    const total = ended ? (c.read || 0) : Math.max(c.estimated || 0, c.read || 0);
    $("#cancel-import").disabled = !!ended;
    if (ended && total === 0) {
      bar.max = 1;
      bar.value = 1;
    } else if (total > 0 && !(p.mode === "instant" && !ended)) {
      bar.max = total;
      bar.value = c.read || 0;
    } else {
      bar.removeAttribute("value"); // indeterminate: an instant import reports at its end
    }
    let text = num(c.read) + (total && !ended ? " of about " + num(total) : "") + " rows read: " + num(c.created) + " created, " +
      num(c.updated) + " updated, " + num(c.skipped) + " skipped, " + num(c.failed) + " failed";
    if (p.elapsed_ms) text += " · " + (p.elapsed_ms / 1000).toFixed(1) + " s";
    if (p.status && p.status !== "running") text += " · " + p.status;
    $("#progress-text").textContent = text;
  }

  async function cancelImport() {
    if (!state.job) return;
    $("#cancel-import").disabled = true;
    try {
      await call("POST", "imports/" + encodeURIComponent(state.job.id) + "/cancel", {});
      say("Cancelling: the import stops after the batch in hand.");
    } catch (e) { alertError(e.message); }
  }

  // ---- step 5: summary, rollback ---------------------------------------------

  async function openJob(id) {
    try {
      const res = await call("GET", "imports/" + encodeURIComponent(id));
      state.job = res.job;
      if (!res.job.done) { follow(res.job); return; }
      const sum = await call("GET", "imports/" + encodeURIComponent(id) + "/summary");
      renderSummary(res.job, sum);
      show("import", "summary");
    } catch (e) {
      show("history");
      alertError(e.message);
    }
  }

  function renderSummary(job, sum) {
    const mod = moduleOf(job.module) || { label: job.module };
    $("#h-summary").textContent = "Summary of job " + job.id + ": " + job.file + " → " + mod.label;
    const line = $("#summary-status");
    line.replaceChildren(statusBadge(job.status), " ",
      (sum.mode ? sum.mode + " import" : "") + (sum.duration_ms ? ", " + (sum.duration_ms / 1000).toFixed(1) + " s" : ""));
    if (job.error) line.append(el("span", { class: "wz-reason", text: job.error }));
    const stats = [["Read", sum.read], ["Created", sum.created], ["Updated", sum.updated], ["Skipped", sum.skipped],
      ["Failed", sum.failed], ["References created", sum.references_created]];
    $("#summary-counts").replaceChildren(...stats.map(([k, v]) => el("div", {}, el("dt", { text: k }), el("dd", { text: num(v) }))));
    const failed = $("#summary-failed");
    failed.hidden = !(sum.failed > 0 && sum.failed_rows_kept !== 0 && sum.failed_rows_kept !== -1);
    $("#failed-csv").href = url("imports/" + encodeURIComponent(job.id) + "/failed-rows", { format: "csv" });
    $("#failed-xlsx").href = url("imports/" + encodeURIComponent(job.id) + "/failed-rows", { format: "xlsx" });
    const tbody = $("#problems-table tbody");
    const problems = sum.problems || [];
    tbody.replaceChildren(...(problems.length ? problems.map((p) => el("tr", {},
      el("td", {}, el("span", { class: "wz-badge " + (p.severity === "error" ? "wz-conf-low" : "wz-conf-medium"), text: p.severity === "error" ? "Error" : "Warning" })),
      el("td", { text: p.column || p.field || "" }),
      el("td", { text: num(p.count) + (p.rows && p.rows.length ? " (" + (p.rows.length === 1 ? "row " : "rows ") + p.rows.join(", ") + (p.count > p.rows.length ? ", …" : "") + ")" : "") }),
      el("td", { text: p.example ? p.reason.replaceAll("…", p.example) + (p.count > 1 ? " (first of them)" : "") : p.reason })))
      : [el("tr", {}, el("td", { colspan: 4, text: "No problems." }))]));
    $("#summary-export").href = "#/export?module=" + encodeURIComponent(job.module);
    // rollback
    const box = $("#rollback-box");
    box.hidden = !(job.can_rollback || job.status === "rolled_back");
    $("#rollback-start").hidden = !job.can_rollback;
    $("#rollback-confirm").hidden = true;
    $("#rollback-refused").hidden = true;
    $("#rollback-result").hidden = job.status !== "rolled_back";
    if (job.status === "rolled_back") $("#rollback-result").textContent = "This import was rolled back.";
    // The counts as the tiles above show them: the records created, and
    // apart the referenced records (accounts) created for them.
    const made = [plural(sum.created, "record")];
    if (sum.references_created > 0) made.push(plural(sum.references_created, "referenced record"));
    let text = "Rolling back deletes the " + made.join(" and the ") + " this import created";
    if (sum.updated > 0) text += ", and restores the " + plural(sum.updated, "record") + " it updated";
    $("#rollback-text").textContent = text + ".";
  }

  // plural says "1 record", "2 records".
  function plural(n, noun) {
    return num(n) + " " + noun + (n === 1 ? "" : "s");
  }

  function askRollback() {
    $("#rollback-question").textContent = "Roll back job " + state.job.id + "? This cannot be undone.";
    $("#rollback-confirm").hidden = false;
    $("#rollback-yes").focus();
  }

  async function rollback(force) {
    const id = state.job.id;
    $("#rollback-confirm").hidden = true;
    $("#rollback-yes").disabled = true;
    $("#rollback-force").disabled = true;
    try {
      const res = await call("POST", "imports/" + encodeURIComponent(id) + "/rollback", { force: !!force });
      state.job = res.job;
      const r = res.result;
      $("#rollback-refused").hidden = true;
      $("#rollback-start").hidden = true;
      const out = $("#rollback-result");
      out.textContent = "Rolled back: " + num(r.deleted) + " records deleted, " + num(r.restored) + " restored" +
        (r.cleared ? ", references cleared in " + num(r.cleared) + " records" : "") + ".";
      out.hidden = false;
      $("#summary-status").replaceChildren(statusBadge(res.job.status));
      say(out.textContent);
      out.focus && out.setAttribute("tabindex", "-1");
      out.focus();
    } catch (e) {
      if (e.status === 409 && (e.body.code === "conflict" || e.body.code === "referenced")) {
        $("#rollback-refused").hidden = false;
        $("#rollback-refusal").textContent = "The rollback was refused, nothing was changed: " + e.message;
        const details = $("#rollback-details");
        details.replaceChildren();
        if (e.body.conflict) {
          details.append(el("li", { text: num(e.body.conflict.count) + " records changed since the import: " + e.body.conflict.records.join(", ") }));
        }
        for (const r of e.body.references || []) {
          details.append(el("li", { text: num(r.count) + " " + r.module + " records reference, by " + r.field + ", " + r.target +
            " records the import created" + (r.ids && r.ids.length ? ": " + r.ids.join(", ") : "") }));
        }
        const force = $("#rollback-force");
        force.hidden = !e.body.can_force;
        if (!e.body.can_force) details.append(el("li", { text: "Only someone who sees every record may force it." }));
        (e.body.can_force ? force : $("#rollback-refusal")).focus();
        say($("#rollback-refusal").textContent);
      } else {
        alertError(e.message);
      }
    } finally {
      $("#rollback-yes").disabled = false;
      $("#rollback-force").disabled = false;
    }
  }

  // ---- history ------------------------------------------------------------------

  async function loadHistory() {
    try {
      const res = await call("GET", "imports", undefined);
      const tbody = $("#history-table tbody");
      $("#history-empty").hidden = res.jobs.length > 0;
      tbody.replaceChildren(...res.jobs.map((j) => {
        const c = j.counts;
        const actions = [el("a", { href: "#/jobs/" + encodeURIComponent(j.id), text: j.done ? "Summary" : "Progress" })];
        if (j.can_cancel) {
          actions.push(el("button", { type: "button", "aria-label": "Cancel job " + j.id, onclick: async () => {
            try { await call("POST", "imports/" + encodeURIComponent(j.id) + "/cancel", {}); await loadHistory(); } catch (e) { alertError(e.message); }
          } }, "Cancel"));
        }
        if (j.can_rollback) actions.push(el("a", { href: "#/jobs/" + encodeURIComponent(j.id), "aria-label": "Roll back job " + j.id, text: "Roll back…" }));
        return el("tr", { "data-job": j.id },
          el("th", { scope: "row", text: j.id }), el("td", { text: j.file }),
          el("td", { text: (moduleOf(j.module) || { label: j.module }).label }),
          el("td", {}, statusBadge(j.status)), el("td", { text: when(j.started || j.created) }),
          el("td", { text: num(c.read) + " read · " + num(c.created) + " created · " + num(c.updated) + " updated · " + num(c.failed) + " failed" }),
          el("td", {}, el("span", { class: "wz-rowactions" }, actions)));
      }));
    } catch (e) { alertError(e.message); }
  }

  // ---- export ---------------------------------------------------------------------

  const ops = [["=", "is"], ["!=", "is not"], ["contains", "contains"], ["<", "is less than"], ["<=", "is at most"],
    [">", "is more than"], [">=", "is at least"]];
  let filterSeq = 0;

  function renderExport() {
    const want = new URLSearchParams((location.hash.split("?")[1]) || "").get("module");
    if (want && moduleOf(want)) $("#export-module").value = want;
    $("#export-format").replaceChildren(...state.session.formats.export.map((f) => el("option", { value: f, text: f.toUpperCase() })));
    $("#filter-list").replaceChildren();
    updateExportLinks();
  }

  function updateExportLinks() {
    const m = encodeURIComponent($("#export-module").value);
    $("#export-template-csv").href = url("templates/" + m, { format: "csv" });
    $("#export-template-xlsx").href = url("templates/" + m, { format: "xlsx" });
  }

  function addFilter() {
    const mod = moduleOf($("#export-module").value);
    const n = ++filterSeq;
    const li = el("li", { class: "wz-inline" },
      el("span", { class: "wz-field" }, el("label", { for: "f-field-" + n, text: "Field" }),
        el("select", { id: "f-field-" + n, class: "f-field" }, mod.fields.filter((f) => f.type !== "address")
          .map((f) => el("option", { value: f.name, text: f.label || f.name })))),
      el("span", { class: "wz-field" }, el("label", { for: "f-op-" + n, text: "Condition" }),
        el("select", { id: "f-op-" + n, class: "f-op" }, ops.map(([v, t]) => el("option", { value: v, text: t })))),
      el("span", { class: "wz-field" }, el("label", { for: "f-value-" + n, text: "Value" }),
        el("input", { id: "f-value-" + n, class: "f-value", type: "text" })));
    li.append(el("button", { type: "button", "aria-label": "Remove this condition", onclick: () => li.remove() }, "Remove"));
    $("#filter-list").append(li);
    $(".f-field", li).focus();
  }

  async function onExport(ev) {
    ev.preventDefault();
    alertError("");
    const module = $("#export-module").value;
    const q = { where: $$("#filter-list li").map((li) => ({ field: $(".f-field", li).value, op: $(".f-op", li).value, value: $(".f-value", li).value })) };
    const limit = parseInt($("#export-limit").value, 10);
    if (limit > 0) q.limit = limit;
    const params = { format: $("#export-format").value, q: JSON.stringify(q) };
    try {
      await call("GET", url("exports/" + encodeURIComponent(module), Object.assign({ check: "1" }, params)));
      const a = $("#wz-download");
      a.href = url("exports/" + encodeURIComponent(module), params);
      a.setAttribute("download", "");
      a.click();
      say("The export is downloading.");
    } catch (e) { alertError(e.message); }
  }

  // ---- start ------------------------------------------------------------------------

  async function init() {
    try {
      state.session = await call("GET", "session");
      state.modules = (await call("GET", "modules")).modules;
    } catch (e) {
      alertError("The wizard cannot start: " + e.message);
      return;
    }
    const s = state.session;
    $("#wz-caller").textContent = "Signed in as " + s.caller.name + (s.caller.scope ? " · sees " + s.caller.scope : "");
    $("#file-hint").textContent = "Up to " + bytes(s.limits.max_upload_size) + ". The format is found from the content.";
    renderModules();
    $("#module").addEventListener("change", updateTemplateLinks);
    $("#upload-form").addEventListener("submit", onUpload);
    $("#read-form").addEventListener("submit", onReadAgain);
    $("#map-next").addEventListener("click", toPreview);
    $("#static-add").addEventListener("click", () => {
      const f = $("#static-field").value;
      const v = $("#static-value").value.trim();
      if (!v) { alertError("Type the value to set."); return; }
      state.statics[f] = v;
      $("#static-value").value = "";
      renderStatics();
    });
    $("#options-form").addEventListener("submit", onCheckAgain);
    for (const r of $$('input[name="duplicates"]')) r.addEventListener("change", updateMerge);
    updateMerge();
    $("#start-import").addEventListener("click", startImport);
    $("#cancel-import").addEventListener("click", cancelImport);
    $("#rollback-start").addEventListener("click", askRollback);
    $("#rollback-yes").addEventListener("click", () => rollback(false));
    $("#rollback-no").addEventListener("click", () => { $("#rollback-confirm").hidden = true; $("#rollback-start").focus(); });
    $("#rollback-force").addEventListener("click", () => rollback(true));
    $("#export-form").addEventListener("submit", onExport);
    $("#export-module").addEventListener("change", () => { $("#filter-list").replaceChildren(); updateExportLinks(); });
    $("#filter-add").addEventListener("click", addFilter);
    for (const b of $$("[data-go]")) b.addEventListener("click", () => goStep(b.dataset.go));
    for (const a of $$("[data-new-import]")) a.addEventListener("click", () => { state.upload = null; state.step = "upload"; $("#upload-form").reset(); });
    window.addEventListener("hashchange", route);
    await route();
    document.documentElement.dataset.ready = "true";
  }

  init();
})();
