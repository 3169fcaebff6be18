#!/usr/bin/env node
// Draws Burrow's icons: the app icon and one tray icon per state at 16, 22
// and 32 px (and @2x), supersampled so the small sizes stay crisp. Run
// `node build/make-icons.mjs` after changing a shape or a colour; the PNGs are
// committed so packaging needs no drawing tools.
import { writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';

const STATES = {
  setup: { color: [120, 128, 140], glyph: 'plus' },
  ok: { color: [34, 160, 90], glyph: 'arch' },
  running: { color: [40, 110, 220], glyph: 'dots' },
  tunnel: { color: [20, 150, 190], glyph: 'arrow' },
  failed: { color: [215, 50, 50], glyph: 'bang' },
  missed: { color: [230, 150, 20], glyph: 'clock' },
  paused: { color: [110, 118, 130], glyph: 'pause' },
};

function png(size, rgba) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Is the point (x, y in 0..1) inside the glyph (white) or the disc (colour)? */
function inGlyph(glyph, x, y) {
  const cx = x - 0.5;
  const cy = y - 0.5;
  switch (glyph) {
    case 'arch': {
      // A tunnel mouth: a half-disc on a bar, with its dark opening.
      const outer = (cy < 0.1 && Math.hypot(cx, cy - 0.1) < 0.27) || (cy >= 0.1 && cy < 0.22 && Math.abs(cx) < 0.27);
      const hole = (cy < 0.12 && Math.hypot(cx, cy - 0.12) < 0.13) || (cy >= 0.12 && cy < 0.22 && Math.abs(cx) < 0.13);
      return outer && !hole;
    }
    case 'plus':
      return (Math.abs(cx) < 0.07 && Math.abs(cy) < 0.25) || (Math.abs(cy) < 0.07 && Math.abs(cx) < 0.25);
    case 'dots':
      return [-0.18, 0, 0.18].some((dx) => Math.hypot(cx - dx, cy) < 0.075);
    case 'arrow':
      return (Math.abs(cy) < 0.065 && cx > -0.26 && cx < 0.08) || (cx >= 0.02 && cx < 0.26 && Math.abs(cy) < 0.24 - (cx - 0.02));
    case 'bang':
      return (Math.abs(cx) < 0.07 && cy > -0.26 && cy < 0.08) || Math.hypot(cx, cy - 0.19) < 0.075;
    case 'clock': {
      const r = Math.hypot(cx, cy);
      return (r < 0.27 && r > 0.19) || (Math.abs(cx) < 0.045 && cy > -0.16 && cy < 0.02) || (Math.abs(cy) < 0.045 && cx > -0.02 && cx < 0.13);
    }
    case 'pause':
      return Math.abs(cy) < 0.24 && (Math.abs(cx + 0.11) < 0.065 || Math.abs(cx - 0.11) < 0.065);
    default:
      return false;
  }
}

function draw(size, { color, glyph }) {
  const ss = 8; // samples per axis per pixel
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let disc = 0;
      let white = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          if (Math.hypot(x - 0.5, y - 0.5) <= 0.47) {
            if (inGlyph(glyph, x, y)) white++;
            else disc++;
          }
        }
      }
      const n = ss * ss;
      const a = (disc + white) / n;
      const i = (py * size + px) * 4;
      if (a === 0) continue;
      const w = white / (disc + white);
      for (let c = 0; c < 3; c++) out[i + c] = Math.round(color[c] * (1 - w) + 255 * w);
      out[i + 3] = Math.round(a * 255);
    }
  }
  return png(size, out);
}

for (const [state, spec] of Object.entries(STATES)) {
  for (const size of [16, 22, 32]) {
    writeFileSync(new URL(`tray/${state}-${size}.png`, import.meta.url), draw(size, spec));
    writeFileSync(new URL(`tray/${state}-${size}@2x.png`, import.meta.url), draw(size * 2, spec));
  }
}
writeFileSync(new URL('icon.png', import.meta.url), draw(512, STATES.ok));
console.log('wrote build/icon.png and build/tray/*.png');
