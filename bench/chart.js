// Small SVG line charts, no dependencies: throughput against ranks, one panel per operation (the io part), and
// figures against message size on log-log axes (the mpi part).
'use strict';

const COLORS = { h5mpi: '#1f77b4', h5py: '#ff7f0e', c: '#555555' };
const LABELS = { h5mpi: 'h5mpi', h5py: 'h5py', c: 'C (libhdf5)' };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (Number.isInteger(v) ? String(v) : v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** A "nice" axis maximum and step for values up to `max`. */
function niceAxis(max) {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.ceil(max / step) * step || step, step };
}

/**
 * rows: [{ op, mode, ranks, impl, median, min, max }] (MB/s). Panels per op ('write', 'read'); a line per
 * implementation and mode (collective solid, independent dashed); whiskers from the fastest to the slowest run.
 */
function throughputSvg(rows, { title, subtitle } = {}) {
  const ops = [...new Set(rows.map((r) => r.op))];
  const ranks = [...new Set(rows.map((r) => r.ranks))].sort((a, b) => a - b);
  const impls = Object.keys(COLORS).filter((i) => rows.some((r) => r.impl === i));
  const modes = ['collective', 'independent'].filter((m) => rows.some((r) => r.mode === m));
  const panelW = 420, panelH = 280, left = 64, top = 72, gap = 70, bottom = 112;
  const width = left + ops.length * panelW + (ops.length - 1) * gap + 24;
  const height = top + panelH + bottom;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="24" font-size="16" font-weight="bold">${esc(title ?? 'Throughput against ranks')}</text>`);
  if (subtitle) out.push(`<text x="${left}" y="44" fill="#444">${esc(subtitle)}</text>`);
  const xOf = (i) => (ranks.length === 1 ? panelW / 2 : 20 + (i * (panelW - 40)) / (ranks.length - 1));
  ops.forEach((op, p) => {
    const x0 = left + p * (panelW + gap);
    const mine = rows.filter((r) => r.op === op);
    const { top: yMax, step } = niceAxis(Math.max(1, ...mine.map((r) => r.max)));
    const yOf = (v) => top + panelH - (v / yMax) * panelH;
    out.push(`<g transform="translate(${x0},0)">`);
    out.push(`<text x="${panelW / 2}" y="${top - 8}" text-anchor="middle" font-weight="bold">${esc(op)} demo</text>`);
    for (let v = 0; v <= yMax + 1e-9; v += step) {
      const y = yOf(v).toFixed(1);
      out.push(`<line x1="0" x2="${panelW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="-6" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${fmt(v)}</text>`);
    }
    out.push(`<line x1="0" x2="0" y1="${top}" y2="${top + panelH}" stroke="#888"/>`);
    out.push(`<line x1="0" x2="${panelW}" y1="${top + panelH}" y2="${top + panelH}" stroke="#888"/>`);
    ranks.forEach((n, i) => {
      out.push(`<text x="${xOf(i).toFixed(1)}" y="${top + panelH + 16}" text-anchor="middle" fill="#444">${n}</text>`);
    });
    out.push(`<text x="${panelW / 2}" y="${top + panelH + 34}" text-anchor="middle">ranks</text>`);
    if (p === 0) out.push(`<text transform="translate(-46,${top + panelH / 2}) rotate(-90)" text-anchor="middle">MB/s (median)</text>`);
    for (const impl of impls) {
      for (const mode of modes) {
        const pts = ranks
          .map((n, i) => ({ i, r: mine.find((r) => r.impl === impl && r.mode === mode && r.ranks === n) }))
          .filter((p) => p.r);
        if (pts.length === 0) continue;
        const dash = mode === 'independent' ? ' stroke-dasharray="6 4"' : '';
        const line = pts.map((q) => `${xOf(q.i).toFixed(1)},${yOf(q.r.median).toFixed(1)}`).join(' ');
        out.push(`<polyline points="${line}" fill="none" stroke="${COLORS[impl]}" stroke-width="2"${dash}/>`);
        for (const q of pts) {
          const x = xOf(q.i).toFixed(1);
          out.push(`<line x1="${x}" x2="${x}" y1="${yOf(q.r.min).toFixed(1)}" y2="${yOf(q.r.max).toFixed(1)}" stroke="${COLORS[impl]}" stroke-opacity="0.5"/>`);
          const shape = mode === 'independent'
            ? `<rect x="${(+x - 3).toFixed(1)}" y="${(yOf(q.r.median) - 3).toFixed(1)}" width="6" height="6" fill="white" stroke="${COLORS[impl]}" stroke-width="1.5"/>`
            : `<circle cx="${x}" cy="${yOf(q.r.median).toFixed(1)}" r="3.5" fill="${COLORS[impl]}"/>`;
          out.push(shape);
        }
      }
    }
    out.push('</g>');
  });
  // Legend along the bottom: one column per implementation, collective above independent.
  const ly = top + panelH + 56;
  impls.forEach((impl, k) => {
    const lx = left + k * 260;
    modes.forEach((mode, m) => {
      const y = ly + m * 18;
      const dash = mode === 'independent' ? ' stroke-dasharray="6 4"' : '';
      out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${y}" y2="${y}" stroke="${COLORS[impl]}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${lx + 32}" y="${y}" dominant-baseline="middle">${esc(`${LABELS[impl]}, ${mode}`)}</text>`);
    });
  });
  out.push(`<text x="${left}" y="${ly + 18 * modes.length + 8}" fill="#666" font-size="11">Whiskers: fastest to slowest run. Lines: medians of alternating runs (A B C, B C A, ...).</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Bytes as the tables write them: 8 B, 64 KiB, 16 MiB. */
function sizeText(bytes) {
  for (const [unit, n] of [['MiB', 2 ** 20], ['KiB', 2 ** 10]]) if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  return `${bytes} B`;
}

const MPI_COLORS = { h5mpi: '#1f77b4', mpi4py: '#ff7f0e', c: '#555555' };
const MPI_LABELS = { h5mpi: 'h5mpi', mpi4py: 'mpi4py', c: 'C (same MPI)' };

/**
 * rows: [{ test, bytes, impl, median, min, max }]. A panel per entry of `panels` ({ test, title, unit }),
 * the test's figure against message size on log-log axes: a line per implementation through the medians,
 * whiskers from the fastest to the slowest run. Cells without a figure (median null or NaN) are left out.
 */
function sizeSvg(rows, { title, subtitle, panels }) {
  const impls = Object.keys(MPI_COLORS).filter((i) => rows.some((r) => r.impl === i));
  const panelW = 420, panelH = 280, left = 70, top = 72, gap = 80, bottom = 100;
  const width = left + panels.length * panelW + (panels.length - 1) * gap + 24;
  const height = top + panelH + bottom;
  const ok = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${left}" y="44" fill="#444">${esc(subtitle)}</text>`);
  panels.forEach((panel, p) => {
    const x0 = left + p * (panelW + gap);
    const mine = rows.filter((r) => r.test === panel.test && ok(r.median));
    const sizes = [...new Set(rows.filter((r) => r.test === panel.test).map((r) => r.bytes))].sort((a, b) => a - b);
    const values = mine.flatMap((r) => [r.min, r.median, r.max]).filter(ok);
    const lo = Math.floor(Math.log10(Math.min(...values, 1e9)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values, 1e-9))));
    const bLo = Math.log2(sizes[0] ?? 1), bHi = Math.log2(sizes[sizes.length - 1] ?? 2);
    const xOf = (bytes) => (bHi === bLo ? panelW / 2 : 16 + ((Math.log2(bytes) - bLo) / (bHi - bLo)) * (panelW - 32));
    const yOf = (v) => top + panelH - ((Math.log10(v) - lo) / (hi - lo)) * panelH;
    out.push(`<g transform="translate(${x0},0)">`);
    out.push(`<text x="${panelW / 2}" y="${top - 8}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`);
    for (let d = lo; d <= hi; d++) {
      for (const m of d < hi ? [1, 2, 5] : [1]) {
        const v = m * 10 ** d;
        const y = yOf(v).toFixed(1);
        out.push(`<line x1="0" x2="${panelW}" y1="${y}" y2="${y}" stroke="${m === 1 ? '#d5d5d5' : '#f0f0f0'}"/>`);
        if (m === 1 || hi - lo <= 2) out.push(`<text x="-6" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${v >= 1 ? fmt(v) : String(Number(v.toPrecision(1)))}</text>`);
      }
    }
    out.push(`<line x1="0" x2="0" y1="${top}" y2="${top + panelH}" stroke="#888"/>`);
    out.push(`<line x1="0" x2="${panelW}" y1="${top + panelH}" y2="${top + panelH}" stroke="#888"/>`);
    sizes.forEach((b, i) => {
      // Every size ticked; labels alternate rows where they are many, so that they do not overlap.
      const x = xOf(b).toFixed(1);
      out.push(`<line x1="${x}" x2="${x}" y1="${top + panelH}" y2="${top + panelH + 4}" stroke="#888"/>`);
      out.push(`<text x="${x}" y="${top + panelH + 16 + (sizes.length > 6 && i % 2 ? 13 : 0)}" text-anchor="middle" fill="#444" font-size="11">${esc(sizeText(b))}</text>`);
    });
    out.push(`<text x="${panelW / 2}" y="${top + panelH + 46}" text-anchor="middle">message size</text>`);
    out.push(`<text transform="translate(-50,${top + panelH / 2}) rotate(-90)" text-anchor="middle">${esc(panel.unit)} (median, log scale)</text>`);
    for (const impl of impls) {
      const pts = mine.filter((r) => r.impl === impl).sort((a, b) => a.bytes - b.bytes);
      if (pts.length === 0) continue;
      out.push(`<polyline points="${pts.map((q) => `${xOf(q.bytes).toFixed(1)},${yOf(q.median).toFixed(1)}`).join(' ')}" fill="none" stroke="${MPI_COLORS[impl]}" stroke-width="2"/>`);
      for (const q of pts) {
        const x = xOf(q.bytes).toFixed(1);
        if (ok(q.min) && ok(q.max)) out.push(`<line x1="${x}" x2="${x}" y1="${yOf(q.min).toFixed(1)}" y2="${yOf(q.max).toFixed(1)}" stroke="${MPI_COLORS[impl]}" stroke-opacity="0.5"/>`);
        out.push(`<circle cx="${x}" cy="${yOf(q.median).toFixed(1)}" r="3" fill="${MPI_COLORS[impl]}"/>`);
      }
    }
    out.push('</g>');
  });
  const ly = top + panelH + 70;
  impls.forEach((impl, k) => {
    const lx = left + k * 180;
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${MPI_COLORS[impl]}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">${esc(MPI_LABELS[impl])}</text>`);
  });
  out.push(`<text x="${left}" y="${ly + 20}" fill="#666" font-size="11">Whiskers: fastest to slowest run. Lines: medians of alternating runs (A B C, B C A, ...).</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The mpi part's chart: ping-pong latency and osu_bw bandwidth of typed arrays against message size. */
function latencySvg(rows, { title, subtitle } = {}) {
  return sizeSvg(rows, {
    title: title ?? 'MPI latency and bandwidth against message size',
    subtitle,
    panels: [
      { test: 'latency', title: 'one-way latency (ping-pong), 2 ranks', unit: 'µs' },
      { test: 'bandwidth', title: 'bandwidth (osu_bw window), 2 ranks', unit: 'MB/s' },
    ],
  });
}

module.exports = { latencySvg, sizeText, throughputSvg };
