// Charts drawn as SVG by our own code (no library, nothing fetched): a bar
// chart of one value per category and a line chart of several series over
// ordered categories (months). Values are fractions 0..1 (rates) or null.
// Every chart is a <figure> whose SVG is described by the table beside it
// (role="img" with aria-describedby), so the numbers can be read too.
const NS = "http://www.w3.org/2000/svg";
const COLOURS = ["#c0392b", "#1e7d4f", "#2c5d9e", "#b35c00", "#6b3fa0", "#0f7c8c", "#7a6a00", "#8c2d5a"];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// size draws at 1:1 (never scaled up; narrowed on a phone by max-width).
const size = (w, hgt) => ({ viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt });

const pct = (v) => (v === null || v === undefined ? "–" : Math.round(v * 100) + "%");

function axis(svg, x0, y0, w, hgt) {
  for (const f of [0, 0.5, 1]) {
    const y = y0 + hgt - f * hgt;
    svg.append(s("line", { x1: x0, x2: x0 + w, y1: y, y2: y, stroke: "#d9dee4" }),
      s("text", { x: x0 - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5d6b7a" }, pct(f)));
  }
}

/** barChart draws one bar per {label, value} (value 0..1 or null). */
export function barChart({ id, title, items, table }) {
  const bw = 46, gap = 24, x0 = 90, y0 = 24, hgt = 160;
  const w = Math.max(1, items.length) * (bw + gap);
  const svg = s("svg", { ...size(x0 + w + 10, y0 + hgt + 90), role: "img", "aria-label": title, "aria-describedby": id + "-table", class: "chart" });
  axis(svg, x0, y0, w, hgt);
  items.forEach((it, i) => {
    const x = x0 + gap / 2 + i * (bw + gap);
    const v = it.value ?? 0;
    const bh = v * hgt;
    svg.append(s("rect", { x, y: y0 + hgt - bh, width: bw, height: Math.max(bh, 1), fill: it.value === null ? "#d9dee4" : COLOURS[i % COLOURS.length], "data-bar": it.label, "data-value": it.value ?? "" },
      s("title", {}, `${it.label}: ${pct(it.value)}`)),
    s("text", { x: x + bw / 2, y: y0 + hgt - bh - 4, "text-anchor": "middle", "font-size": 11 }, pct(it.value)),
    s("text", { x: x + bw / 2, y: y0 + hgt + 14, "text-anchor": "end", "font-size": 11, transform: `rotate(-30 ${x + bw / 2} ${y0 + hgt + 14})` }, it.label));
  });
  return figure(id, title, svg, table, items.length);
}

/** lineChart draws one line per {label, values: [v per category]}. */
export function lineChart({ id, title, categories, series, table }) {
  const x0 = 50, y0 = 24, hgt = 160, step = 70;
  const w = Math.max(200, (categories.length - 1) * step);
  const svg = s("svg", { ...size(Math.max(x0 + w + 40, 260), y0 + hgt + 40 + 18 * series.length), role: "img", "aria-label": title, "aria-describedby": id + "-table", class: "chart" });
  axis(svg, x0, y0, w, hgt);
  const xAt = (i) => x0 + (categories.length === 1 ? w / 2 : i * step);
  categories.forEach((c, i) => svg.append(s("text", { x: xAt(i), y: y0 + hgt + 16, "text-anchor": "middle", "font-size": 11 }, c)));
  series.forEach((sr, k) => {
    const colour = COLOURS[k % COLOURS.length];
    let d = "";
    sr.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const y = y0 + hgt - v * hgt;
      d += (d ? " L" : "M") + xAt(i) + " " + y;
      svg.append(s("circle", { cx: xAt(i), cy: y, r: 3.5, fill: colour, "data-point": `${sr.label} ${categories[i]}` }, s("title", {}, `${sr.label} ${categories[i]}: ${pct(v)}`)));
    });
    if (d) svg.append(s("path", { d, fill: "none", stroke: colour, "stroke-width": 2, "data-series": sr.label }));
    const ly = y0 + hgt + 34 + 18 * k;
    svg.append(s("rect", { x: x0, y: ly - 9, width: 12, height: 12, fill: colour }), s("text", { x: x0 + 18, y: ly + 1, "font-size": 12 }, sr.label));
  });
  return figure(id, title, svg, table, series.length);
}

function figure(id, title, svg, table, n) {
  const fig = document.createElement("figure");
  fig.className = "chart";
  fig.id = id;
  fig.dataset.count = n;
  const cap = document.createElement("figcaption");
  cap.textContent = title;
  table.id = id + "-table";
  const wrap = document.createElement("div");
  wrap.className = "chart-pair";
  wrap.append(svg, table);
  fig.append(cap, wrap);
  return fig;
}

export { pct };
