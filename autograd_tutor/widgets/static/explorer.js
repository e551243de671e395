// autograd_tutor explorers: one anywidget front end for every explorer.
//
// Python sends the whole recorded run once (model trait "data": the graph laid out by
// Graphviz, every frame, one colour scale per tensor kind). Playing, stepping, the
// slider, the keyboard and inspecting run here, in the browser, without waiting for
// the kernel; only the training what-ifs ask the kernel for a new run.

const PALETTES = {
  // ColorBrewer diverging palettes, safe for the common colour-vision deficiencies
  value: ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"],
  grad: ["#542788", "#998ec3", "#d8daeb", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806"],
  step: ["#762a83", "#af8dc3", "#e7d4e8", "#f7f7f7", "#d9f0d3", "#7fbf7b", "#1b7837"],
};
const MIN_LABEL_PX = 12.05; // graph labels never smaller than 12 px (rounding)
const LABEL_PT = 14; // the font size Graphviz lays labels out with
const SPEEDS = [0.5, 1, 2, 4];
const MAX_PANE_PX = 600; // the graph pane's height at most
let uid = 0;

// ------------------------------------------------------------------ numbers & colour

function val(v) {
  if (typeof v === "number") return v;
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return Number(v);
}

export function fmt(v) {
  v = val(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

// a power of ten on a log axis: 0.01, 0.1, 1, 10, 100, 1000, then 1e4, 1e5...
function decade(e) {
  return Math.abs(e) <= 3 ? String(Number((10 ** e).toPrecision(1))) : `1e${e}`;
}

function hexRgb(h) {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

function lum(rgb) {
  const c = rgb.map((x) => {
    x /= 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

export function contrast(a, b) {
  const [la, lb] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (la + 0.05) / (lb + 0.05);
}

// symmetric log scale: colours change over two decades below the scale's end; the
// scale ends at the 98th percentile of the run's magnitudes, larger ones saturate
function position(v, max) {
  if (!Number.isFinite(v) || !(max > 0)) return 0;
  const c = max / 100;
  const t = Math.log10(1 + Math.abs(v) / c) / Math.log10(1 + max / c);
  return Math.sign(v) * Math.min(1, t);
}

export function colour(v, max, kind) {
  const pal = PALETTES[kind] || PALETTES.value;
  const x = ((position(val(v), max) + 1) / 2) * (pal.length - 1);
  const i = Math.min(pal.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [hexRgb(pal[i]), hexRgb(pal[i + 1])];
  const rgb = a.map((c, k) => Math.round(c + (b[k] - c) * f));
  // black or white text, whichever contrasts more (always at least 4.5:1)
  const text = contrast(rgb, [255, 255, 255]) >= contrast(rgb, [17, 17, 17]) ? "#fff" : "#111";
  return { bg: `rgb(${rgb.join(",")})`, text };
}

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function shapeText(s) {
  return `[${s.join(", ")}]`;
}

// ------------------------------------------------------------------ pieces of HTML

function heatmap(a, kind, scales, caption) {
  if (!a) return `<div class="agt-none">None</div>`;
  const max = val((scales[kind] || {}).max || 0);
  const rows = a.v.length, cols = a.v[0] ? a.v[0].length : 0;
  const full = a.s.length < 2 ? [1, a.s.reduce((p, q) => p * q, 1)] : [a.s.slice(0, -1).reduce((p, q) => p * q, 1), a.s[a.s.length - 1]];
  const cut = rows < full[0] || cols < full[1] ? `, showing ${rows}x${cols}` : "";
  let h = `<div class="agt-hm"><div class="agt-cap">${caption ? esc(caption) + ": " : ""}shape ${shapeText(a.s)}${cut}</div><table class="agt-hm-${kind}">`;
  for (const row of a.v) {
    h += "<tr>";
    for (const v of row) {
      const c = colour(v, max, kind);
      h += `<td style="background:${c.bg};color:${c.text}" title="${esc(val(v))}">${fmt(v)}</td>`;
    }
    h += "</tr>";
  }
  return h + "</table></div>";
}

function short(a) {
  if (!a) return "None";
  const flat = a.v.flat();
  if (a.s.length === 0 || flat.length === 1) return fmt(flat[0]);
  return `shape ${shapeText(a.s)}: [${flat.slice(0, 3).map(fmt).join(", ")}${flat.length > 3 ? ", ..." : ""}]`;
}

function legendBar(kind, scale) {
  const pal = PALETTES[kind] || PALETTES.value;
  const max = val(scale.max);
  const ticks = max > 0 ? [-max, -max / 10, 0, max / 10, max] : [0];
  const pos = (v) => ((position(v, max) + 1) / 2) * 100;
  const end = (t) => (scale.clipped && Math.abs(t) === max ? (t < 0 ? "≤" : "≥") : "");
  return `<div class="agt-legend-item"><span class="agt-legend-name">${esc(scale.label)}</span>
    <span class="agt-bar" style="background:linear-gradient(to right,${pal.join(",")})">${ticks
      .map((t) => `<span class="agt-tick" style="left:${pos(t)}%">${end(t)}${fmt(t)}</span>`)
      .join("")}</span></div>`;
}

function codeHtml(code, span) {
  if (!code) return "";
  if (!span) return `<pre class="agt-code">${esc(code).replace(/\./g, "<wbr>.")}</pre>`;
  const [s, e] = span;
  // a long chain of ops wraps before a ".", not inside a name
  const wrap = (t) => esc(t).replace(/\./g, "<wbr>.");
  return `<pre class="agt-code">${wrap(code.slice(0, s))}<mark class="agt-hl">${wrap(code.slice(s, e))}</mark>${wrap(code.slice(e))}</pre>`;
}

function seqText(f) {
  if (f.seq === null || f.seq === undefined)
    return "AccumulateGrad has no sequence number of its own: a leaf's accumulator runs as soon as its gradient is complete.";
  return `sequence number ${f.seq}: autograd numbers nodes in the order the forward pass created them; among the nodes whose gradients are complete, the highest number runs first.`;
}

// ------------------------------------------------------------------ Graphviz in the browser

let vizPromise = null; // one WebAssembly Graphviz per page, shared by every explorer

async function layoutInBrowser(model, dot) {
  if (!vizPromise) {
    const src = model.get("_viz_js");
    if (!src) throw new Error("no Graphviz: install graphviz or graphviz-pure in the kernel");
    const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    vizPromise = import(/* webpackIgnore: true */ url).then((m) => m.instance());
  }
  const viz = await vizPromise;
  const svg = viz.renderString(dot, { format: "svg" });
  return svg.slice(svg.indexOf("<svg")).replace(/<!--[\s\S]*?-->\s*/g, "").replace(/<svg width="[^"]*" height="[^"]*"/, "<svg");
}

// ------------------------------------------------------------------ the view

function el(tag, cls, html) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (html !== undefined) e.innerHTML = html;
  return e;
}

function button(label, title, key) {
  const b = el("button", "agt-btn", label);
  b.type = "button";
  b.title = title + (key ? ` (key: ${key})` : "");
  b.setAttribute("aria-label", title);
  return b;
}

class View {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.i = 0;
    this.timer = null;
    this.speed = 1;
    this.pinned = null;
    this.uid = ++uid;
    root.classList.add("agt-x");
    root.tabIndex = 0;
    root.setAttribute("role", "group");
    this.build();
    this.load(model.get("data"), model.get("index") || 0);
    model.on("change:data", () => {
      this.stop();
      this.load(model.get("data"), this.i);
      this.busy(false);
    });
  }

  build() {
    const r = this.root;
    this.head = el("div", "agt-title");
    this.intro = el("div", "agt-intro");
    const bar = el("div", "agt-controls");
    this.bReset = button("reset", "back to step 1 (stops playing)", "Home");
    this.bBack = button("◀ back", "one step back", "←");
    this.bPlay = button("▶ play", "play / pause", "space");
    this.bStep = button("step ▶", "one step forward", "→");
    this.slider = el("input", "agt-slider");
    this.slider.type = "range";
    this.slider.min = 1;
    this.slider.setAttribute("aria-label", "step");
    this.readout = el("span", "agt-readout");
    this.readout.setAttribute("aria-live", "polite");
    const sp = el("label", "agt-speed", "speed ");
    this.speedSel = el("select");
    for (const s of SPEEDS) {
      const o = el("option", "", `${s}x`);
      o.value = s;
      if (s === 1) o.selected = true;
      this.speedSel.appendChild(o);
    }
    sp.appendChild(this.speedSel);
    bar.append(this.bReset, this.bBack, this.bPlay, this.bStep, this.slider, this.readout, sp);
    this.whatif = el("div", "agt-whatif");
    this.body = el("div", "agt-body");
    this.pane = el("div", "agt-pane");
    this.details = el("div", "agt-details");
    this.body.append(this.pane, this.details);
    this.legend = el("div", "agt-legend");
    this.inspect = el("div", "agt-inspect");
    this.status = el("div", "agt-status");
    r.append(this.head, this.intro, bar, this.whatif, this.status, this.body, this.legend);

    this.bReset.onclick = () => this.reset();
    this.bBack.onclick = () => this.go(this.i - 1);
    this.bStep.onclick = () => this.go(this.i + 1);
    this.bPlay.onclick = () => (this.timer ? this.stop() : this.play());
    this.slider.oninput = () => this.go(Number(this.slider.value) - 1);
    this.speedSel.onchange = () => {
      this.speed = Number(this.speedSel.value);
      if (this.timer) {
        this.stop();
        this.play();
      }
    };
    // Keys are taken on the window, before the page's own shortcuts: Notebook 7 (Lumino
    // in its capture phase) would otherwise swallow the arrows before they reach us.
    this.onKey = (e) => this.root.contains(e.target) && this.key(e);
    window.addEventListener("keydown", this.onKey, true);
  }

  // the view is gone: no timer, no key listener left behind
  remove() {
    this.stop();
    clearTimeout(this.syncTimer);
    if (this.shown) this.shown.disconnect();
    window.removeEventListener("keydown", this.onKey, true);
  }

  key(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return; // the page's shortcuts
    const t = e.target.tagName;
    if (t === "INPUT" || t === "SELECT") return;
    if (t === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    const acts = {
      ArrowRight: () => this.go(this.i + 1),
      ArrowLeft: () => this.go(this.i - 1),
      " ": () => (this.timer ? this.stop() : this.play()),
      Home: () => this.reset(),
      End: () => this.go(this.n - 1),
    };
    const f = acts[e.key];
    if (f) {
      e.preventDefault();
      e.stopPropagation();
      f();
    }
  }

  load(data, index) {
    this.data = data;
    this.frames = data.frames;
    this.n = this.frames.length;
    this.head.textContent = data.title || "";
    this.intro.innerHTML = data.intro || "";
    this.root.setAttribute("aria-label", data.title || "explorer");
    this.slider.max = this.n;
    this.root.dataset.kind = data.kind;
    this.pane.innerHTML = "";
    this.graph = null;
    if (data.graph) this.buildGraph(data.graph);
    if (data.kind === "training") this.buildTraining();
    else this.pane.style.display = data.graph ? "" : "none";
    this.buildLegend();
    this.nodes = [];
    this.inspectShows = undefined;
    this.go(Math.min(index, this.n - 1), true);
    this.whenShown();
    this.prepare();
  }

  // The first layout needs the page's width, which a view rendered before it is
  // attached does not have yet: fit the graph and draw the curve once the root has a
  // width, then mark the view ready (data-ready="1"; the browser tests wait for it).
  whenShown() {
    delete this.root.dataset.ready;
    if (this.shown) this.shown.disconnect();
    if (this.data.graph && !this.graph) return; // laid out in the browser first
    const done = () => {
      if (this.graph) this.setZoom(null);
      if (this.curve) {
        this.drawCurve();
        this.paintCurve();
      }
      this.root.dataset.ready = "1";
    };
    if (this.root.clientWidth > 0) return done();
    this.shown = new ResizeObserver(() => {
      if (this.root.clientWidth === 0) return;
      this.shown.disconnect();
      done();
    });
    this.shown.observe(this.root);
  }

  // ---------------------------------------------------------------- graph

  buildGraph(g) {
    const box = el("div", "agt-graph");
    const zoom = el("div", "agt-zoom");
    const zout = button("−", "zoom out (labels stay at least 12 px)");
    const zfit = button("fit", "fit the width");
    const zin = button("+", "zoom in");
    zoom.append(zout, zfit, zin);
    const canvas = el("div", "agt-canvas");
    box.append(canvas);
    this.pane.append(zoom, box, this.inspect);
    if (!g.svg) {
      // no Graphviz in the kernel (JupyterLite): lay the graph out here, once
      canvas.innerHTML = `<div class="agt-none">Laying out the graph in the browser...</div>`;
      const data = this.data;
      layoutInBrowser(this.model, g.dot).then(
        (svg) => {
          if (this.data !== data) return;
          this.pane.innerHTML = "";
          this.buildGraph({ ...g, svg });
          this.go(this.i, true);
          this.whenShown();
        },
        (e) => (canvas.innerHTML = `<div class="agt-none">The graph could not be drawn: ${esc(e)}</div>`),
      );
      return;
    }
    canvas.innerHTML = g.svg;
    const svg = canvas.querySelector("svg");
    const vb = svg.viewBox.baseVal;
    const nodes = {}, edges = {};
    for (const n of svg.querySelectorAll("g.node")) nodes[n.querySelector("title").textContent] = n;
    for (const e of svg.querySelectorAll("g.edge")) edges[e.querySelector("title").textContent.replace("&#45;&gt;", "->")] = e;
    const info = {};
    for (const n of g.nodes) info[n.id] = n;
    // the marker of gradient arrows: drawn at the start of a data-flow edge, reversed
    const ns = "http://www.w3.org/2000/svg";
    const defs = document.createElementNS(ns, "defs");
    defs.innerHTML = `<marker id="agt-grad-${this.uid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b35806"/></marker>`;
    svg.prepend(defs);
    const layer = document.createElementNS(ns, "g");
    layer.setAttribute("class", "agt-flow");
    svg.querySelector("g").appendChild(layer);
    this.graph = { svg, vb, nodes, edges, info, layer, canvas, box, zoom: 1, pan: [0, 0] };
    for (const [id, n] of Object.entries(nodes)) {
      n.style.cursor = "pointer";
      n.addEventListener("mouseenter", () => this.showInspect(id, false));
      n.addEventListener("mouseleave", () => this.showInspect(this.pinned, true));
      n.addEventListener("click", () => {
        this.pinned = this.pinned === id ? null : id;
        this.showInspect(this.pinned, true);
      });
    }
    zin.onclick = () => this.setZoom(this.graph.zoom * 1.25);
    zout.onclick = () => this.setZoom(this.graph.zoom / 1.25);
    zfit.onclick = () => this.setZoom(null);
    this.enablePan();
    this.setZoom(null);
  }

  minScale() {
    return MIN_LABEL_PX / LABEL_PT;
  }

  // laid out once: the scale depends only on the pane's width and the zoom buttons
  setZoom(z) {
    const G = this.graph;
    if (!G) return;
    const width = G.box.clientWidth || 480;
    // fit the width and a 600 px tall pane, never below 12 px labels (then: pan)
    const fit = Math.max(this.minScale(), Math.min(1.15, (width - 4) / G.vb.width, MAX_PANE_PX / G.vb.height));
    G.scale = z === null ? fit : Math.max(this.minScale(), Math.min(3, z));
    G.zoom = G.scale;
    G.svg.setAttribute("width", (G.vb.width * G.scale).toFixed(2));
    G.svg.setAttribute("height", (G.vb.height * G.scale).toFixed(2));
    G.box.style.height = `${Math.min(MAX_PANE_PX, G.vb.height * G.scale) + 4}px`;
    this.panBy(0, 0);
  }

  enablePan() {
    const G = this.graph;
    let start = null;
    G.box.addEventListener("pointerdown", (e) => {
      start = [e.clientX, e.clientY, ...G.pan];
    });
    G.box.addEventListener("pointermove", (e) => {
      if (!start || !(e.buttons & 1)) return;
      G.pan = [start[2] + e.clientX - start[0], start[3] + e.clientY - start[1]];
      this.panBy(0, 0);
    });
    window.addEventListener("pointerup", () => (start = null));
  }

  panBy(dx, dy) {
    const G = this.graph;
    const w = G.vb.width * G.scale, h = G.vb.height * G.scale;
    const minx = Math.min(0, G.box.clientWidth - w), miny = Math.min(0, G.box.clientHeight - h);
    G.pan = [Math.max(minx, Math.min(0, G.pan[0] + dx)), Math.max(miny, Math.min(0, G.pan[1] + dy))];
    G.canvas.style.transform = `translate(${G.pan[0]}px, ${G.pan[1]}px)`;
    G.box.classList.toggle("agt-pannable", w > G.box.clientWidth + 1 || h > G.box.clientHeight + 1);
  }

  // Per frame, each node's and edge's class ("agt-future", "agt-done", "agt-cur" or ""),
  // worked out once per run; a step then touches only what changes.
  graphStates() {
    const G = this.graph, kind = this.data.kind;
    const seen = new Set(), done = new Set();
    const nodeIds = Object.keys(G.nodes), edgeIds = Object.keys(G.edges);
    return this.frames.map((f, i) => {
      if (kind === "forward") f.show.forEach((x) => seen.add(x));
      else if (i > 0) done.add(this.frames[i - 1].id);
      const nodes = nodeIds.map((id) => {
        if (id === f.id) return "agt-cur";
        if (kind === "forward") return seen.has(id) ? "agt-done" : "agt-future";
        return done.has(id) ? "agt-done" : "";
      });
      const edges = edgeIds.map((t) => {
        const [a, b] = t.split("->");
        return kind === "forward" && !(seen.has(a) && seen.has(b)) ? "agt-future" : "";
      });
      return { nodes, edges };
    });
  }

  paintGraph() {
    const G = this.graph;
    if (!G) return;
    if (!G.states) {
      G.states = this.graphStates();
      G.nodeList = Object.values(G.nodes);
      G.edgeList = Object.values(G.edges);
      G.shown = null;
    }
    const now = G.states[this.i], was = G.shown;
    const apply = (els, to, from) => {
      for (let k = 0; k < els.length; k++) {
        if (from && from[k] === to[k]) continue;
        if (from && from[k]) els[k].classList.remove(from[k]);
        else if (!from) els[k].classList.remove("agt-future", "agt-done", "agt-cur");
        if (to[k]) els[k].classList.add(to[k]);
      }
    };
    apply(G.nodeList, now.nodes, was && was.nodes);
    apply(G.edgeList, now.edges, was && was.edges);
    G.shown = now;
    // the gradients this node sends: paths made once per frame, swapped in
    if (this.data.kind !== "backward") return;
    G.paths = G.paths || [];
    if (!G.paths[this.i]) {
      const f = this.frames[this.i];
      G.paths[this.i] = [];
      for (const s of f.slots) {
        const e = s.toId && G.edges[`${s.toId}->${f.id}`];
        if (!e) continue;
        const g = document.createElementNS("http://www.w3.org/2000/svg", "path");
        g.setAttribute("d", e.querySelector("path").getAttribute("d"));
        g.setAttribute("class", "agt-gradpath");
        g.setAttribute("marker-start", `url(#agt-grad-${this.uid})`);
        G.paths[this.i].push(g);
      }
    }
    G.layer.replaceChildren(...G.paths[this.i]);
  }

  showInspect(id, pinned) {
    if (!this.graph) return;
    if (!id) {
      if (this.inspectShows !== null) {
        this.inspect.innerHTML = `<div class="agt-hint">Hover over or click a node to inspect it.</div>`;
        this.inspectShows = null;
      }
      return;
    }
    this.inspectShows = id;
    const n = this.graph.info[id];
    const kind = this.data.kind;
    const S = this.data.scales;
    let h = `<div class="agt-inspect-head"><b>${esc(n.label.replace(/\n/g, " "))}</b>${pinned ? " (pinned: click again to unpin)" : ""}</div>`;
    const k = this.frames.findIndex((f) => f.id === id);
    if (kind === "forward") {
      if (n.info) {
        h += `<div>input tensor: shape ${shapeText(n.info.shape)}, dtype ${esc(n.info.dtype)}, requires_grad=${n.info.requires_grad ? "True" : "False"}</div>`;
        h += heatmap(n.info.value, "value", S, "values");
      } else if (k >= 0) {
        const f = this.frames[k];
        h += `<div>op ${k + 1} of ${this.n}: ${esc(f.op)}(${esc(f.inputs.join(", "))}${f.params ? ", " + esc(f.params) : ""}) gives shape ${shapeText(f.shape)}, dtype ${esc(f.dtype)}; ${f.node ? "grad_fn " + esc(f.node) : "nothing recorded"}${k > this.i ? " (runs later)" : ""}</div>`;
        h += heatmap(f.out, "value", S, "result");
      }
    } else if (k >= 0) {
      const f = this.frames[k];
      const when = k === this.i ? "runs at this step" : k < this.i ? `ran at step ${k + 1}` : `runs at step ${k + 1} (not yet)`;
      h += `<div>${when}. ${esc(seqText(f))}</div><div>local rule: <code>${esc(f.rule)}</code></div>`;
      if (k <= this.i) {
        h += f.gin.map((g) => heatmap(g, "grad", S, "received")).join("");
        for (const s of f.slots) if (s.to) h += heatmap(s.g, "grad", S, `sent to ${s.to}`);
        if (f.leaf) h += heatmap(f.leafGrad, "grad", S, `${f.leaf}.grad`);
      }
    }
    this.inspect.innerHTML = h;
  }

  // ---------------------------------------------------------------- training

  buildTraining() {
    const d = this.data;
    this.pane.style.display = "";
    this.curve = el("div", "agt-curve");
    this.pane.append(this.curve);
    const s = d.settings;
    this.whatif.innerHTML = `
      <label>learning rate <input type="range" class="agt-lr" min="-6" max="-2" step="0.25" value="${Math.log10(s.lr)}"><span class="agt-lr-out">${val(s.lr).toExponential(1)}</span></label>
      <label><input type="checkbox" class="agt-zero" ${s.zero_grad ? "" : "checked"}> forget to zero the gradients</label>
      <label><input type="checkbox" class="agt-nograd" ${s.no_grad ? "" : "checked"}> forget no_grad</label>`;
    const lr = this.whatif.querySelector(".agt-lr");
    const out = this.whatif.querySelector(".agt-lr-out");
    lr.oninput = () => (out.textContent = (10 ** Number(lr.value)).toExponential(1));
    const send = () => {
      this.stop();
      this.busy(true);
      this.model.set("settings", {
        lr: Number((10 ** Number(lr.value)).toPrecision(3)),
        zero_grad: !this.whatif.querySelector(".agt-zero").checked,
        no_grad: !this.whatif.querySelector(".agt-nograd").checked,
      });
      this.model.save_changes();
    };
    lr.onchange = send;
    this.whatif.querySelector(".agt-zero").onchange = send;
    this.whatif.querySelector(".agt-nograd").onchange = send;
    this.drawCurve();
  }

  busy(on) {
    this.status.textContent = on ? "re-running training in the kernel..." : "";
  }

  drawCurve() {
    const d = this.data;
    const W = Math.max(300, Math.min(620, (this.pane.clientWidth || 520) - 8)), H = 270;
    const L = 64, R = 14, T = 14, B = 44;
    const losses = d.frames.map((f) => val(f.loss));
    const base = d.baseline.map(val);
    const all = losses.concat(base).filter((v) => Number.isFinite(v));
    const log = all.length > 0 && all.every((v) => v > 0);
    const tf = log ? Math.log10 : (v) => v;
    let lo = all.length ? Math.min(...all.map(tf)) : 0, hi = all.length ? Math.max(...all.map(tf)) : 1;
    if (log) {
      lo = Math.floor(lo);
      hi = Math.ceil(hi);
    }
    if (hi <= lo) hi = lo + 1;
    const N = Math.max(losses.length, base.length, 2);
    const X = (i) => L + ((W - L - R) * i) / (N - 1);
    const Y = (v) => H - B - ((H - B - T) * (tf(v) - lo)) / (hi - lo);
    const ok = (v) => Number.isFinite(v) && (!log || v > 0);
    const line = (vs) => vs.map((v, i) => (ok(v) ? `${X(i).toFixed(1)},${Y(v).toFixed(1)}` : null)).filter(Boolean).join(" ");
    let ticks = "";
    if (log) {
      const every = Math.max(1, Math.ceil((hi - lo) / 6));
      for (let e = lo; e <= hi; e += every) {
        const y = Y(10 ** e);
        ticks += `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" class="agt-grid"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${decade(e)}</text>`;
      }
    } else {
      for (let k = 0; k <= 4; k++) {
        const v = lo + ((hi - lo) * k) / 4, y = Y(v);
        ticks += `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" class="agt-grid"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`;
      }
    }
    const step = N <= 10 ? 1 : [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((s) => N / s <= 8);
    for (let it = 1; it <= N; it += it === 1 && step > 1 ? step - 1 : step) {
      ticks += `<text x="${X(it - 1)}" y="${H - B + 16}" text-anchor="middle">${it}</text>`;
    }
    this.curveGeom = { X, Y, ok, losses, N };
    this.curve.innerHTML = `<svg class="agt-curve-svg" width="${W}" height="${H}" role="img" aria-label="loss curve">
      ${ticks}<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - B - T}" fill="none" stroke="#737373"/>
      <polyline class="agt-base" points="${line(base)}"/>
      <polyline class="agt-run-all" points="${line(losses)}"/>
      <polyline class="agt-run" points=""/>
      <circle class="agt-dot" r="5" cx="-10" cy="-10"/>
      <text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">iteration</text>
      <text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">loss${log ? " (log scale)" : ""}</text>
    </svg>
    <div class="agt-curve-key"><span class="agt-key-run"></span> this run &nbsp; <span class="agt-key-base"></span> normal run (learning rate ${val(d.base.lr).toExponential(1)}, gradients zeroed, update under no_grad)</div>`;
  }

  paintCurve() {
    const g = this.curveGeom;
    if (!g) return;
    const pts = [];
    let last = null;
    for (let k = 0; k <= this.i; k++) {
      const v = g.losses[k];
      if (g.ok(v)) {
        last = [g.X(k), g.Y(v)];
        pts.push(`${last[0].toFixed(1)},${last[1].toFixed(1)}`);
      }
    }
    this.curve.querySelector(".agt-run").setAttribute("points", pts.join(" "));
    const dot = this.curve.querySelector(".agt-dot");
    dot.setAttribute("cx", last ? last[0] : -10);
    dot.setAttribute("cy", last ? last[1] : -10);
  }

  // ---------------------------------------------------------------- legend

  buildLegend() {
    const d = this.data;
    let h = "";
    if (d.graph) {
      h += `<div class="agt-legend-item"><span class="agt-sw agt-sw-cur"></span> ${d.kind === "forward" ? "the op running now" : "the node running now"}</div>`;
      if (d.kind === "forward") h += `<div class="agt-legend-item"><span class="agt-sw agt-sw-future"></span> not run yet</div><div class="agt-legend-item"><span class="agt-sw agt-sw-leaf"></span> leaf (requires_grad)</div><div class="agt-legend-item"><span class="agt-arrow"></span> data flows</div>`;
      else h += `<div class="agt-legend-item"><span class="agt-sw agt-sw-done"></span> already ran</div><div class="agt-legend-item"><span class="agt-sw agt-sw-leaf"></span> a leaf's AccumulateGrad</div><div class="agt-legend-item"><span class="agt-arrow"></span> data flowed (forward)</div><div class="agt-legend-item"><span class="agt-arrow agt-arrow-grad"></span> gradient sent now (backward)</div>`;
    }
    for (const [kind, s] of Object.entries(d.scales || {})) h += legendBar(kind, s);
    if (d.scales && Object.keys(d.scales).length)
      h += `<div class="agt-legend-note">One colour scale per kind of tensor for the whole run (symmetric log scale; the few larger numbers get the end colour); hover over a cell for its exact value.</div>`;
    this.legend.innerHTML = h;
    this.legend.style.display = h ? "" : "none";
  }

  // ---------------------------------------------------------------- stepping

  go(i, force) {
    i = Math.max(0, Math.min(this.n - 1, i));
    if (i === this.i && !force) return;
    this.i = i;
    this.slider.value = i + 1;
    this.readout.textContent = `${this.data.unit || "step"} ${i + 1} / ${this.n}`;
    this.bBack.disabled = i === 0;
    this.bStep.disabled = i === this.n - 1;
    this.details.replaceChildren(this.frameNode(i));
    this.paintGraph();
    this.paintCurve();
    if (this.graph) this.showInspect(this.pinned, true);
    this.syncIndex();
  }

  // The details of each frame, built once as DOM (ahead of time, while the browser is
  // idle): a step swaps the frame's ready-made element in, with nothing to parse and
  // nothing left for the garbage collector.
  frameNode(i) {
    if (!this.nodes[i]) this.nodes[i] = el("div", "agt-frame", this.render(i));
    return this.nodes[i];
  }

  prepare() {
    const data = this.data;
    let k = 0;
    const idle = window.requestIdleCallback || ((f) => setTimeout(() => f({ timeRemaining: () => 8 }), 30));
    const work = (deadline) => {
      if (this.data !== data) return; // a new run came: its own prepare() runs
      while (k < this.n && deadline.timeRemaining() > 2) this.frameNode(k++);
      if (k < this.n) idle(work);
    };
    idle(work);
  }

  // The kernel's copy of the cursor (ex.index, ex.timeline) follows once stepping
  // pauses for a moment, not on every step: no message is sent while clicking or playing.
  syncIndex() {
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      if (this.model.get("index") !== this.i) {
        this.model.set("index", this.i);
        this.model.save_changes();
      }
    }, 120);
  }

  play() {
    if (this.i >= this.n - 1) this.go(0);
    this.bPlay.textContent = "❚❚ pause";
    this.root.dataset.playing = "1";
    const tick = () => {
      if (this.i >= this.n - 1) return this.stop();
      this.go(this.i + 1);
      this.timer = setTimeout(tick, (this.data.interval || 700) / this.speed);
    };
    this.timer = setTimeout(tick, (this.data.interval || 700) / this.speed);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.bPlay.textContent = "▶ play";
    this.root.dataset.playing = "";
  }

  reset() {
    this.stop();
    this.go(0);
  }

  render(i) {
    const d = this.data, f = this.frames[i], S = d.scales || {};
    const head = (t) => `<div class="agt-step">${this.data.unit === "iteration" ? "Iteration" : "Step"} ${i + 1} of ${this.n}: ${t}</div>`;
    if (d.kind === "forward") {
      const rec = f.node ? `autograd recorded <b>${esc(f.node)}</b> as the result's grad_fn` : "nothing recorded (no input requires grad)";
      return `${head(`<b>${esc(f.op)}</b>`)}${codeHtml(d.code, f.span)}
        <div>${esc(f.op)}(${esc(f.inputs.join(", "))}${f.params ? ", " + esc(f.params) : ""}) gives result [${i + 1}], shape ${shapeText(f.shape)}; ${rec}.</div>
        ${heatmap(f.out, "value", S, `result [${i + 1}]`)}`;
    }
    if (d.kind === "backward") {
      let h = `${head(`<b>${esc(f.node)}</b>`)}<div class="agt-why">${esc(seqText(f))}</div><div>local rule: <code>${esc(f.rule)}</code></div>`;
      if (f.arrived.length > 1)
        h += `<div><b>fan-in:</b> ${f.arrived.length} gradients arrived and were added up: ${f.arrived.map((c) => esc(`${short(c.g)} from ${c.src}`)).join(" + ")}</div>`;
      h += `<div>received (from ${esc(f.arrived.map((c) => c.src).join(", ") || "?")}):</div>`;
      h += f.gin.map((g) => heatmap(g, "grad", S, "gradient")).join("");
      if (f.leaf) {
        h += heatmap(f.leafGrad, "grad", S, `${f.leaf}.grad now holds`);
      } else {
        h += `<table class="agt-slots"><tr><th>slot</th><th>goes to (next_functions)</th><th>gradient sent</th></tr>`;
        for (const s of f.slots) h += `<tr><td>${s.i}</td><td>${s.to ? esc(s.to) : "None (needs no grad)"}</td><td>${esc(short(s.g))}</td></tr>`;
        h += "</table>";
      }
      const filled = {};
      for (let k = 0; k <= i; k++) if (this.frames[k].leaf) filled[this.frames[k].leaf] = this.frames[k].leafGrad;
      h += `<table class="agt-slots"><tr><th>leaf</th><th>.grad so far</th></tr>${d.leaves.map((l) => `<tr><td>${esc(l)}.grad</td><td>${filled[l] ? esc(short(filled[l])) : "None (not reached yet)"}</td></tr>`).join("")}</table>`;
      return h;
    }
    if (d.kind === "update") {
      let h = `${head(`<b>${esc(f.param)}</b> (${esc(f.stage)}), learning_rate = ${fmt(d.lr)}`)}${codeHtml(f.code)}`;
      if (f.before) h += heatmap(f.before, "value", S, `${f.param} before`);
      h += heatmap(f.value, "value", S, f.before ? `${f.param} after` : f.param);
      h += heatmap(f.grad, "grad", S, `${f.param}.grad`);
      if (f.step) h += heatmap(f.step, "step", S, `learning_rate * ${f.param}.grad (subtracted)`);
      if (f.stage === "sub_")
        h += `<div class="agt-ok">Not recorded: ${esc(f.param)}.grad_fn = ${esc(f.gradFn)}, is_leaf = ${f.isLeaf ? "True" : "False"}, _version = ${f.version} (changed in place). Ops run under no_grad: ${esc(f.recorded.join("; ") || "none")}</div>`;
      return h;
    }
    if (d.kind === "training") {
      const flags = [];
      if (!d.settings.zero_grad) flags.push("forgetting to zero the gradients: they pile up");
      if (!d.settings.no_grad) flags.push("updating outside no_grad");
      let h = head(`learning_rate = ${val(d.settings.lr).toExponential(1)}${flags.length ? "; " + flags.join("; ") : ""}`);
      const bad = d.frames.findIndex((x) => !Number.isFinite(val(x.loss)));
      const err = d.frames.findIndex((x) => x.error);
      if (f.error) {
        h += `<div class="agt-bad"><b>PyTorch's error stopped the run at iteration ${i + 1}:</b> ${esc(f.error)}<br>PyTorch refuses to change a leaf in place while recording; wrap the update in <code>with at.no_grad():</code>.</div>`;
      } else {
        h += `<div>loss = <b>${fmt(f.loss)}</b>${i > 0 ? ` (normal run at this iteration: ${fmt(d.baseline[i] ?? NaN)})` : ""}</div>`;
        h += `<table class="agt-slots"><tr><th>parameter</th><th>size of its gradient |grad|</th></tr>${Object.entries(f.norms).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${fmt(v)}</td></tr>`).join("")}</table>`;
      }
      if (bad >= 0 && err < 0) h += `<div class="agt-bad">The loss diverged at iteration ${bad + 1}: it became ${fmt(d.frames[bad].loss)}. The learning rate is too large: each step overshoots.</div>`;
      else if (err >= 0 && !f.error) h += `<div class="agt-bad">PyTorch's error stops this run at iteration ${err + 1}.</div>`;
      return h;
    }
    return "";
  }
}

function render({ model, el }) {
  const view = new View(model, el);
  return () => view.remove();
}

export default { render };
