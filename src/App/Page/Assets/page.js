// The run page: renders one data document (inlined by `nas report`, or polled from the daemon's /page/data) as inline SVG.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  const report = window.NAS_DATA !== null;
  const run = { status: null, detail: null, steps: [], epochs: [], cellsKey: "", genotype: null, polls: [] };
  const tokenKey = "nas-token";
  let archIndex = -1; // -1: follow "now"
  let stopped = false; // after a stop the daemon exits: polling ends

  const fmt = (v, d) => (v === null || v === undefined || !isFinite(v)) ? "–" : Number(v).toFixed(d);
  const fmtLr = (v) => (v === null || v === undefined) ? "–" : Number(v).toExponential(3);
  const fmtPct = (v) => (v === null || v === undefined) ? "–" : (100 * v).toFixed(2) + " %";
  function fmtSeconds(s) {
    if (!isFinite(s) || s < 0) return "–";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    return (h ? h + " h " : "") + (h || m ? m + " min " : "") + r + " s";
  }
  function fmtBytes(b) {
    if (!b) return "–";
    const u = ["B", "KiB", "MiB", "GiB"]; let i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return b.toFixed(i ? 1 : 0) + " " + u[i];
  }
  function el(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function say(text, error) { const m = $("message"); m.textContent = text; m.className = error ? "error" : ""; }

  // ---- data ----
  function merge(doc) {
    run.status = doc.status; run.detail = doc.detail || run.detail;
    for (const s of doc.steps || []) run.steps.push(s);
    for (const e of doc.epochs || []) run.epochs.push(e);
    if (doc.cells) { run.cellsKey = doc.cells.key; renderCells(doc.cells); }
    run.polls.push({ t: Date.parse(doc.now), step: doc.status.step || 0 });
    if (run.polls.length > 30) run.polls.shift();
  }

  function authHeaders() {
    const t = sessionStorage.getItem(tokenKey);
    return t ? { Authorization: "Bearer " + t } : {};
  }

  async function poll() {
    const last = run.steps.length ? run.steps[run.steps.length - 1].step : 0;
    const url = "page/data?steps_after=" + last + "&epochs_after=" + run.epochs.length + "&cells=" + encodeURIComponent(run.cellsKey);
    try {
      const r = await fetch(url, { headers: authHeaders(), cache: "no-store" });
      if (r.status === 401) { $("token-form").hidden = false; say("This daemon needs its bearer token to show the run.", true); return 0; } // the token form restarts polling
      if (!r.ok) { say("the daemon answered " + r.status + " to " + url, true); return 2000; }
      const doc = await r.json();
      $("token-form").hidden = true;
      merge(doc);
      render();
      document.body.dataset.polls = String((Number(document.body.dataset.polls) || 0) + 1); // tests wait on it
      const st = doc.status.state;
      return (st === "finished" || st === "stopped" || st === "failed") ? 0 : 1000;
    } catch (e) {
      say("the daemon is not answering (" + e.message + ")", true);
      return 3000;
    }
  }

  async function loop() {
    const wait = stopped ? 0 : await poll();
    if (wait > 0 && !stopped) setTimeout(loop, wait);
  }

  async function control(action) {
    say(action + "…");
    try {
      const r = await fetch(action, { method: "POST", headers: authHeaders() });
      let body = null;
      try { body = await r.json(); } catch (_) { /* 401 has no body */ }
      if (r.status === 401) {
        $("token-form").hidden = false;
        say("refused: " + action + " needs the daemon's bearer token (401); enter it above", true);
        return;
      }
      if (!r.ok) { say("refused: " + action + ": " + ((body && body.error) || r.status) + (body && body.state ? " (" + body.state + ")" : ""), true); return; }
      say(action === "snapshot" ? "snapshot written at step " + body.step + " (" + fmtBytes(body.bytes) + ")" : action + ": " + body.state);
      if (action !== "snapshot") { run.status = Object.assign({}, run.status, { state: body.state, step: body.step }); renderRun(); }
      if (action === "stop") { stopped = true; say("stopping: the daemon exits after its current step and final snapshot"); }
    } catch (e) {
      say(action + " failed: " + e.message, true);
    }
  }

  // ---- run panel ----
  function rate() {
    const p = run.polls;
    if (p.length >= 2) {
      const a = p[0], b = p[p.length - 1];
      if (b.t > a.t && b.step > a.step) return 1000 * (b.step - a.step) / (b.t - a.t);
    }
    const recent = run.steps.slice(-50).map(s => s.seconds).filter(s => s > 0);
    if (recent.length) return recent.length / recent.reduce((x, y) => x + y, 0);
    return NaN;
  }

  function renderRun() {
    const s = run.status || {}, d = run.detail || {};
    $("method").textContent = s.method || d.method || "?";
    $("dataset").textContent = d.dataset || "";
    const st = $("state"); st.textContent = s.state || "?"; st.className = "badge " + (s.state || "");
    $("step").textContent = s.step ?? "–";
    $("total-steps").textContent = s.total_steps ?? "–";
    $("epoch").textContent = s.epoch ?? "–";
    $("epochs").textContent = d.epochs ?? "–";
    const r = rate();
    const running = s.state === "running";
    $("rate").textContent = isFinite(r) ? r.toFixed(2) : "–";
    $("eta").textContent = running && isFinite(r) && s.total_steps ? fmtSeconds((s.total_steps - s.step) / r) : (s.state === "finished" ? "done" : "–");
    $("train-loss").textContent = fmt(s.train_loss, 4);
    $("train-accuracy").textContent = fmtPct(s.train_accuracy);
    $("val-loss").textContent = fmt(s.val_loss, 4);
    const last = run.steps[run.steps.length - 1] || {};
    $("lr").textContent = fmtLr(last.lr);
    const factor = (last.arch_lr && d.arch_lr) ? last.arch_lr / d.arch_lr : null;
    $("arch-lr").textContent = last.arch_lr ? fmtLr(last.arch_lr) + (factor !== null ? " (×" + factor.toFixed(3) + " confident-lr)" : "") : "–";
    const snap = s.last_snapshot;
    if (snap && snap.step !== undefined) {
      const age = report ? null : (Date.now() - Date.parse(snap.written_at)) / 1000;
      $("snapshot").textContent = "step " + snap.step + (age !== null ? ", " + fmtSeconds(age) + " ago" : "") + ", " + fmtBytes(snap.bytes);
    } else $("snapshot").textContent = snap && snap.path ? snap.path : "none";
    const ctl = !report && !["finished", "stopped", "failed"].includes(s.state);
    for (const b of document.querySelectorAll("#controls button")) b.disabled = !ctl;
    if (s.error) say("error: " + s.error, true);
  }

  // ---- charts ----
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
  // series: [{name, points: [[x, y]], dots}]; options: {xLabel, log, hlines: [{y, label}]}
  function chart(id, series, options) {
    options = options || {};
    const box = $(id); box.textContent = "";
    const W = 420, H = 200, L = 52, R = 10, T = 18, B = 26;
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}` }, box);
    const all = series.flatMap(s => s.points).filter(p => isFinite(p[1]) && (!options.log || p[1] > 0));
    if (!all.length) { el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "axis" }, svg).textContent = "no data yet"; return; }
    const ty = options.log ? (v) => Math.log10(v) : (v) => v;
    let x0 = Math.min(...all.map(p => p[0])), x1 = Math.max(...all.map(p => p[0]));
    const ys = all.map(p => ty(p[1])).concat((options.hlines || []).map(h => ty(h.y)));
    let y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
    const pad = (y1 - y0) * 0.05, floor = y0; y0 -= pad; y1 += pad;
    if (!options.log && floor >= 0 && y0 < 0) y0 = 0; // losses, accuracies and FLOPs never go below 0
    const X = (x) => L + (x - x0) / (x1 - x0) * (W - L - R), Y = (y) => T + (1 - (ty(y) - y0) / (y1 - y0)) * (H - T - B);
    for (let i = 0; i <= 4; i++) {
      const yv = y0 + (y1 - y0) * i / 4, yy = T + (1 - i / 4) * (H - T - B);
      el("line", { x1: L, x2: W - R, y1: yy, y2: yy, class: "grid" }, svg);
      el("text", { x: L - 4, y: yy + 3, "text-anchor": "end", class: "axis" }, svg).textContent =
        options.log ? Math.pow(10, yv).toExponential(1) : Math.abs(yv) >= 1e4 ? yv.toExponential(1) : yv.toPrecision(3);
    }
    el("text", { x: L, y: H - 6, class: "axis" }, svg).textContent = String(Math.round(x0));
    el("text", { x: W - R, y: H - 6, "text-anchor": "end", class: "axis" }, svg).textContent = String(Math.round(x1)) + " " + (options.xLabel || "step");
    for (const h of options.hlines || []) {
      el("line", { x1: L, x2: W - R, y1: Y(h.y), y2: Y(h.y), stroke: "#a40000", "stroke-dasharray": "4 3" }, svg);
      el("text", { x: W - R, y: Y(h.y) - 3, "text-anchor": "end", class: "axis" }, svg).textContent = h.label;
    }
    const hover = [];
    series.forEach((s, i) => {
      const color = s.color || palette[i % palette.length];
      const pts = s.points.filter(p => isFinite(p[1]) && (!options.log || p[1] > 0));
      const stride = Math.max(1, Math.floor(pts.length / 800)); // thin long runs; hover still sees every point
      if (!s.dots) {
        const d = pts.filter((p, k) => k % stride === 0 || k === pts.length - 1).map((p, k) => (k ? "L" : "M") + X(p[0]).toFixed(1) + " " + Y(p[1]).toFixed(1)).join("");
        el("path", { d, fill: "none", stroke: color, "stroke-width": 1.3 }, svg);
      }
      if (s.dots || pts.length <= 60) for (const p of pts) el("circle", { cx: X(p[0]), cy: Y(p[1]), r: s.dots ? 2.5 : 2, fill: color }, svg);
      el("text", { x: L + 6 + 90 * i, y: 11, class: "legend", fill: color }, svg).textContent = s.name;
      for (const p of pts) hover.push({ x: X(p[0]), y: Y(p[1]), label: `${s.name} @ ${options.xLabel || "step"} ${p[0]}: ${Number(p[1]).toPrecision(5)}` });
    });
    svg.addEventListener("mousemove", (ev) => {
      const r = svg.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
      let best = null, bd = 1e9;
      for (const h of hover) { const dd = (h.x - mx) ** 2 + (h.y - my) ** 2; if (dd < bd) { bd = dd; best = h; } }
      const tip = $("tooltip");
      if (best && bd < 900) { tip.hidden = false; tip.textContent = best.label; tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px"; }
      else tip.hidden = true;
    });
    svg.addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  }

  const series = (rows, key, xKey) => rows.filter(r => r[key] !== null && r[key] !== undefined).map(r => [r[xKey || "step"], r[key]]);

  function renderCharts() {
    const st = run.steps, ep = run.epochs;
    const epochPoints = (key) => ep.filter(e => e[key] !== undefined && e[key] !== null).map(e => [e.step, e[key]]);
    chart("chart-loss", [
      { name: "train", points: series(st, "train_loss") },
      { name: "val (step)", points: series(st, "val_loss") },
      { name: "val (epoch)", points: epochPoints("val_loss"), dots: true, color: "#000" },
    ]);
    chart("chart-accuracy", [
      { name: "train", points: series(st, "train_accuracy") },
      { name: "val (epoch)", points: epochPoints("val_accuracy"), dots: true, color: "#000" },
    ]);
    chart("chart-lr", [
      { name: "weights lr", points: series(st, "lr") },
      { name: "arch lr", points: series(st, "arch_lr") },
    ], { log: true });
  }

  // ---- architecture heatmaps ----
  function colour(v) { // white to dark blue
    const t = Math.max(0, Math.min(1, v));
    const c = (a, b) => Math.round(a + (b - a) * t);
    return `rgb(${c(247, 8)},${c(251, 48)},${c(255, 107)})`;
  }

  function heatmap(parent, cell, ops, beta) {
    const cw = 34, ch = 16, left = 78, top = 70;
    const cols = ops.length + (beta ? 1 : 0);
    const W = left + cols * cw + 50, H = top + cell.edges.length * ch + 26;
    const fig = document.createElement("figure"); parent.appendChild(fig);
    const cap = document.createElement("figcaption"); cap.textContent = cell.type + " cell"; fig.appendChild(cap);
    const svg = el("svg", { width: W, height: H, class: "heatmap", "data-cell": cell.type }, fig);
    // Colour spans this table's own range (near uniform early in a search), stated under it.
    const all = cell.weights.flat(), lo = Math.min(...all), hi = Math.max(...all);
    const shade = (w) => colour(hi - lo > 1e-7 ? (w - lo) / (hi - lo) : 0.5);
    ops.forEach((op, o) => {
      const x = left + o * cw + cw / 2;
      el("text", { x, y: top - 4, transform: `rotate(-55 ${x} ${top - 4})` }, svg).textContent = op;
    });
    if (beta) { const x = left + ops.length * cw + cw / 2; el("text", { x, y: top - 4, transform: `rotate(-55 ${x} ${top - 4})` }, svg).textContent = "beta"; }
    cell.edges.forEach((edge, e) => {
      el("text", { x: left - 4, y: top + e * ch + 12, "text-anchor": "end" }, svg).textContent = edge;
      ops.forEach((op, o) => {
        const w = cell.weights[e][o], masked = cell.kept && !cell.kept[e][o];
        const r = el("rect", { x: left + o * cw, y: top + e * ch, width: cw, height: ch, fill: shade(w), class: "w" + (masked ? " masked" : ""), "data-edge": e, "data-op": o }, svg);
        el("title", {}, r).textContent = `${cell.type} ${edge} ${op}: ${w.toPrecision(4)}${masked ? " (dropped this step)" : ""}`;
      });
      if (beta) {
        const b = cell.beta[e];
        const r = el("rect", { x: left + ops.length * cw, y: top + e * ch, width: cw, height: ch, fill: colour(b), class: "beta" }, svg);
        el("title", {}, r).textContent = `${cell.type} ${edge} beta: ${b.toPrecision(4)}`;
      }
    });
    el("text", { x: left, y: H - 8 }, svg).textContent = `white ${lo.toPrecision(4)} … blue ${hi.toPrecision(4)}` + (beta ? "; beta 0 … 1" : "");
  }

  function archStates() { // [{label, arch}] over epochs, then now
    const states = run.epochs.filter(e => e.architecture).map(e => ({ label: "end of epoch " + (e.epoch + 1), arch: e.architecture }));
    if (run.detail && run.detail.architecture) states.push({ label: "now (step " + (run.status ? run.status.step : "?") + ")", arch: run.detail.architecture });
    return states;
  }

  function renderArchitecture() {
    const states = archStates();
    $("architecture").hidden = states.length === 0;
    if (!states.length) return;
    const slider = $("arch-epoch");
    slider.max = states.length - 1;
    const i = archIndex < 0 || archIndex >= states.length ? states.length - 1 : archIndex;
    slider.value = i;
    $("arch-epoch-label").textContent = states[i].label;
    const a = states[i].arch;
    const masked = a.cells.some(c => c.kept), beta = a.cells.some(c => c.beta);
    $("weighting").textContent = "colour: the weight the forward mixes each op with, " + a.weighting + "." +
      (masked ? " Grey: op dropped this step (DropNAS)." : "") + (beta ? " beta: the edge's softmax(beta) over its node's inputs." : "");
    const box = $("heatmaps"); box.textContent = "";
    for (const cell of a.cells) heatmap(box, cell, a.ops, !!cell.beta);
  }

  // ---- genotype ----
  function renderCells(cells) {
    const box = $("cells"); box.textContent = "";
    for (const name of ["normal", "reduction"]) {
      if (!cells[name]) continue;
      const fig = document.createElement("figure");
      const cap = document.createElement("figcaption"); cap.textContent = name + " cell";
      const holder = document.createElement("div");
      const doc = new DOMParser().parseFromString(cells[name], "image/svg+xml");
      if (doc.documentElement && doc.documentElement.nodeName === "svg") holder.appendChild(document.importNode(doc.documentElement, true));
      fig.appendChild(cap); fig.appendChild(holder); box.appendChild(fig);
    }
  }

  function renderGenotype() {
    const g = run.status && run.status.genotype;
    if (g && g !== run.genotype) { run.genotype = g; $("genotype-text").textContent = g.trim(); }
  }

  // ---- one-shot ----
  function renderOneShot() {
    const o = run.detail && run.detail.search;
    $("oneshot").hidden = !o;
    if (!o) return;
    const big = (v) => Math.round(v).toLocaleString("en-US");
    const costs = o.best_flops == null ? "" : "; best: " + big(o.best_flops) + " MACs (limit " + (o.flops_limit ? big(o.flops_limit) : "none") +
      "), " + big(o.best_params) + " params (limit " + (o.params_limit ? big(o.params_limit) : "none") + ")";
    $("phase").textContent = o.phase + (o.fitness_kind ? " (fitness: " + o.fitness_kind + ")" : "") + costs;
    chart("chart-fitness", [
      { name: "best", points: o.history.map(h => [h.generation, h.best]), dots: o.history.length < 3 },
      { name: "mean", points: o.history.map(h => [h.generation, h.mean]), dots: o.history.length < 3 },
    ], { xLabel: "generation" });
    chart("chart-flops", [{ name: "population", points: o.population_flops.map((f, k) => [k, f]), dots: true }],
      { xLabel: "member", hlines: o.flops_limit ? [{ y: o.flops_limit, label: "limit" }] : [] });
    const shrink = run.epochs.filter(e => e.active_space_size !== undefined).map(e => [e.epoch + 1, e.active_space_size]);
    $("shrink-figure").hidden = shrink.length === 0;
    if (shrink.length) chart("chart-shrink", [{ name: "space size", points: shrink, dots: true }], { xLabel: "epoch", log: true });
  }

  function render() {
    renderRun();
    renderCharts();
    renderArchitecture();
    renderGenotype();
    renderOneShot();
    document.body.dataset.step = run.status ? run.status.step : "";
  }

  // ---- wiring ----
  $("arch-epoch").addEventListener("input", (e) => {
    const n = archStates().length;
    archIndex = Number(e.target.value) === n - 1 ? -1 : Number(e.target.value);
    renderArchitecture();
  });
  $("copy").addEventListener("click", async () => {
    const text = $("genotype-text").textContent;
    try { await navigator.clipboard.writeText(text); $("copied").textContent = "copied"; }
    catch (_) { // clipboard API refused (e.g. a file:// page): select the text for Ctrl+C
      const range = document.createRange(); range.selectNodeContents($("genotype-text"));
      const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
      $("copied").textContent = "selected: press Ctrl+C";
    }
  });
  for (const b of document.querySelectorAll("#controls button")) b.addEventListener("click", () => control(b.dataset.action));
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, $("token").value.trim());
    $("token").value = "";
    say("token kept for this tab");
    loop();
  });

  if (report) {
    document.body.classList.add("report");
    merge(window.NAS_DATA);
    render();
  } else {
    loop();
  }
})();
