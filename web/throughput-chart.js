// Draws the throughput bars into an <svg> with DOM calls (the page's CSP
// allows no inline styles, and none are needed: SVG attributes suffice).

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 160;
const AXIS = 20;

function node(tag, attrs) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
}

/** Sums per-second counts into groups of `size` seconds. */
function group(counts, size) {
  const out = [];
  for (let i = 0; i < counts.length; i += size) out.push(counts.slice(i, i + size).reduce((a, b) => a + b, 0));
  return out;
}

/** Redraws `svg` from a snapshot's throughput ({ start, done[], failed[] } per second). */
export function drawThroughput(svg, throughput, secondsPerBar = 10) {
  const done = group(throughput.done, secondsPerBar);
  const failed = group(throughput.failed, secondsPerBar);
  const max = Math.max(1, ...done.map((d, i) => d + failed[i]));
  const bar = WIDTH / done.length;
  const scale = (HEIGHT - AXIS) / max;
  const parts = [
    node('line', { x1: 0, y1: HEIGHT - AXIS, x2: WIDTH, y2: HEIGHT - AXIS, class: 'axis' }),
    Object.assign(node('text', { x: 2, y: 12, class: 'label' }), { textContent: `${max} / ${secondsPerBar} s` }),
    Object.assign(node('text', { x: 2, y: HEIGHT - 4, class: 'label' }), { textContent: `−${throughput.done.length / 60} min` }),
    Object.assign(node('text', { x: WIDTH - 30, y: HEIGHT - 4, class: 'label' }), { textContent: 'now' }),
  ];
  done.forEach((d, i) => {
    const f = failed[i];
    const x = i * bar + 1;
    if (d > 0) parts.push(node('rect', { x, y: HEIGHT - AXIS - d * scale, width: bar - 2, height: d * scale, class: 'done' }));
    if (f > 0) parts.push(node('rect', { x, y: HEIGHT - AXIS - (d + f) * scale, width: bar - 2, height: f * scale, class: 'failed' }));
  });
  svg.replaceChildren(...parts);
}
