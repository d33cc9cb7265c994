/**
 * Small self-made SVG charts for docs/benchmarks: grouped bars with value labels, a legend and
 * optional reference lines. Plain SVG 1.1, no scripts, readable on GitHub.
 */
export interface BarSeries {
  name: string;
  /** One value per category; NaN leaves a gap. */
  values: number[];
}

export interface ReferenceLine {
  value: number;
  label: string;
}

export interface BarChartSpec {
  title: string;
  /** Axis label, e.g. 'ms' or 'requests per second'. */
  unit: string;
  categories: string[];
  series: BarSeries[];
  references?: ReferenceLine[];
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];
const W = 760;
const H = 380;
const PAD = { left: 70, right: 20, top: 50, bottom: 95 };

export function barChart(spec: BarChartSpec): string {
  const top = niceMax(maxValue(spec));
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(spec.title)}</text>`,
    ...axis(top, y, spec.unit),
    ...bars(spec, y),
    ...(spec.references ?? []).map((r) => reference(r, y(r.value))),
    ...legend(spec.series),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function axis(top: number, y: (v: number) => number, unit: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const v = (top / 5) * i;
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e0e0e0"/>`,
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${label(v)}</text>`,
    );
  }
  const mid = (PAD.top + H - PAD.bottom) / 2;
  out.push(
    `<text x="16" y="${mid}" transform="rotate(-90 16 ${mid})" text-anchor="middle">${esc(unit)}</text>`,
  );
  return out;
}

function bars(spec: BarChartSpec, y: (v: number) => number): string[] {
  const out: string[] = [];
  const slot = (W - PAD.left - PAD.right) / spec.categories.length;
  const barW = Math.min(48, (slot * 0.8) / spec.series.length);
  spec.categories.forEach((category, c) => {
    const x0 = PAD.left + slot * c + (slot - barW * spec.series.length) / 2;
    spec.series.forEach((s, i) => out.push(...bar(s.values[c], x0 + i * barW, barW, y, i)));
    const cx = PAD.left + slot * (c + 0.5);
    out.push(categoryLabel(category, cx, Math.max(8, Math.floor(slot / 7))));
  });
  return out;
}

function bar(value: number, x: number, w: number, y: (v: number) => number, i: number): string[] {
  if (!Number.isFinite(value)) return [];
  const top = y(value);
  const base = y(0);
  return [
    `<rect x="${x + 1}" y="${top}" width="${w - 2}" height="${Math.max(0, base - top)}" fill="${COLORS[i % COLORS.length]}"/>`,
    `<text x="${x + w / 2}" y="${top - 4}" text-anchor="middle" font-size="10">${label(value)}</text>`,
  ];
}

/** A dashed line; its label sits on a white patch so bars behind it stay readable. */
function reference(line: ReferenceLine, at: number): string {
  const width = line.label.length * 6 + 8;
  const x = W - PAD.right - width;
  return [
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${at}" y2="${at}" stroke="#333" stroke-dasharray="6 4"/>`,
    `<rect x="${x}" y="${at - 17}" width="${width}" height="14" fill="#ffffff" fill-opacity="0.85"/>`,
    `<text x="${W - PAD.right - 4}" y="${at - 6}" text-anchor="end" font-size="11">${esc(line.label)}</text>`,
  ].join('\n');
}

/** A category name under its bars, wrapped at spaces to fit its slot. */
function categoryLabel(text: string, cx: number, maxChars: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + word.length + 1 <= maxChars) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  const spans = lines.map((l, i) => `<tspan x="${cx}" dy="${i === 0 ? 0 : 14}">${esc(l)}</tspan>`);
  return `<text x="${cx}" y="${H - PAD.bottom + 18}" text-anchor="middle">${spans.join('')}</text>`;
}

function legend(series: BarSeries[]): string[] {
  return series.map((s, i) => {
    const x = PAD.left + i * 170;
    const yy = H - 28;
    return [
      `<rect x="${x}" y="${yy - 10}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${x + 18}" y="${yy}">${esc(s.name)}</text>`,
    ].join('\n');
  });
}

function maxValue(spec: BarChartSpec): number {
  const values = spec.series.flatMap((s) => s.values).filter(Number.isFinite);
  const refs = (spec.references ?? []).map((r) => r.value);
  return Math.max(1e-9, ...values, ...refs);
}

/** The next 1, 2 or 5 times a power of ten above `v`, with 10 % headroom for labels. */
function niceMax(v: number): number {
  const target = v * 1.1;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * power >= target) ?? 10;
  return step * power;
}

function label(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
