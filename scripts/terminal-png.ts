// Renders captured terminal text (tmux capture-pane -p) as a PNG, for README
// screenshots of the command line: bun scripts/terminal-png.ts screen.txt docs/cli-progress.png
// Plain text only (no colours: kadr's bar has none), in DejaVu Sans Mono.
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';

const [input, output, fontFile = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: bun scripts/terminal-png.ts SCREEN.txt OUT.png [MONOSPACE.ttf]');
  process.exit(2);
}
const lines = (await Bun.file(input).text()).replace(/\s+$/, '').split('\n');
const FONT_SIZE = 15;
const LINE = Math.round(FONT_SIZE * 1.45);
const columns = Math.max(...lines.map((l) => [...l].length));
// DejaVu Sans Mono's advance is 0.602 em.
const width = Math.ceil(columns * FONT_SIZE * 0.602) + 48;
const height = lines.length * LINE + 40;
const svg = await satori(
  {
    type: 'div',
    key: null,
    props: {
      style: { display: 'flex', flexDirection: 'column', width, height, padding: '20px 24px', background: '#1e1e1e', color: '#e6e6e6', fontFamily: 'mono', fontSize: FONT_SIZE },
      children: lines.map((line, i) => ({ type: 'div', key: i, props: { style: { height: LINE, whiteSpace: 'pre' }, children: line || ' ' } })),
    },
  },
  { width, height, fonts: [{ name: 'mono', data: await Bun.file(fontFile).arrayBuffer(), weight: 400, style: 'normal' }] },
);
await Bun.write(output, new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng());
console.log(`wrote ${output} (${width}x${height})`);
