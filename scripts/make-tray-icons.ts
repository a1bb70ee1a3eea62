/**
 * Draws the menu-bar icons into main/app/assets/ and the app icon into
 * build/icon.png (all committed; re-run after a design change):
 * `npm run icons`.
 *
 * The glyph is three claw marks. `ok` and `unknown` are macOS template images
 * (black + alpha, named `...Template.png`), so the system tints them for a
 * light or dark menu bar; `unknown` is drawn at low alpha, the "pending"
 * grey OpenClaw's own menu-bar app uses. `warn` and `critical` cannot be
 * templates (templates lose their colour), so they are drawn in orange and
 * red, which read on both menu-bar appearances, each with a badge of its own
 * shape (a warning triangle, a dot) so the state does not rest on colour alone. Each comes at 16×16 and 32×32 (`@2x`).
 * Raw PNG encoding with node:zlib keeps the script free of image libraries.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];
type Badge = 'none' | 'triangle' | 'dot';
interface Variant { name: string; color: Rgb; alpha: number; badge: Badge }

const OUT = join(import.meta.dirname, '..', 'main', 'app', 'assets');
/** electron-builder turns a 1024 px PNG in build/ into the .icns the Finder and notifications show. */
const APP_ICON = join(import.meta.dirname, '..', 'build', 'icon.png');
const BLACK: Rgb = [0, 0, 0];
const VARIANTS: Variant[] = [
  { name: 'tray-okTemplate', color: BLACK, alpha: 1, badge: 'none' },
  { name: 'tray-unknownTemplate', color: BLACK, alpha: 0.45, badge: 'none' },
  // macOS system orange and red (dark-appearance values: they keep contrast on both bars).
  { name: 'tray-warn', color: [255, 159, 10], alpha: 1, badge: 'triangle' },
  { name: 'tray-critical', color: [255, 69, 58], alpha: 1, badge: 'dot' },
];

/** Distance from point p to the segment a–b, in the 16-unit design space. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// Three slanted strokes; the middle one is longer, like a claw swipe.
const MARKS = [[6.2, 2.6, 2.4, 12.2], [10.1, 1.6, 6.1, 14.2], [13.8, 3.4, 10.0, 13.0]] as const;
const STROKE = 1.25;
const DOT = { x: 12.6, y: 12.6, r: 2.9 };
const TRIANGLE = [[12.6, 8.9], [9.0, 15.4], [16.2, 15.4]] as const;
const GAP = 1.3;

/** Distance from p to the badge: 0 inside it, else to its nearest edge. */
function badgeDistance(x: number, y: number, badge: Badge): number {
  if (badge === 'dot') return Math.max(0, Math.hypot(x - DOT.x, y - DOT.y) - DOT.r);
  const [a, b, c] = TRIANGLE;
  const side = (p: readonly number[], q: readonly number[]) => (q[0]! - p[0]!) * (y - p[1]!) - (q[1]! - p[1]!) * (x - p[0]!);
  const signs = [side(a, b), side(b, c), side(c, a)];
  if (signs.every((s) => s >= 0) || signs.every((s) => s <= 0)) return 0;
  return Math.min(segmentDistance(x, y, a[0], a[1], b[0], b[1]), segmentDistance(x, y, b[0], b[1], c[0], c[1]), segmentDistance(x, y, c[0], c[1], a[0], a[1]));
}

/** Whether the design-space point is ink: the badge, else the glyph outside the badge's knock-out gap. */
function inside(x: number, y: number, badge: Badge): boolean {
  if (badge !== 'none') {
    const distance = badgeDistance(x, y, badge);
    if (distance === 0) return true;
    if (distance <= GAP) return false;
  }
  return MARKS.some(([ax, ay, bx, by]) => segmentDistance(x, y, ax, ay, bx, by) <= STROKE);
}

/** RGBA pixels at `size` px, 4×4 supersampled for anti-aliasing. */
function render(size: number, variant: Variant): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const scale = 16 / size;
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          if (inside((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale, variant.badge)) hits++;
        }
      }
      const offset = (py * size + px) * 4;
      pixels[offset] = variant.color[0];
      pixels[offset + 1] = variant.color[1];
      pixels[offset + 2] = variant.color[2];
      pixels[offset + 3] = Math.round((hits / (samples * samples)) * variant.alpha * 255);
    }
  }
  return pixels;
}

/** The app icon: the white glyph on a dark rounded square, with macOS's usual margin around it. */
function renderAppIcon(size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const margin = size * 0.1;
  const side = size - 2 * margin;
  const radius = side * 0.225;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = px + 0.5;
      const y = py + 0.5;
      const dx = Math.max(margin + radius - x, 0, x - (size - margin - radius));
      const dy = Math.max(margin + radius - y, 0, y - (size - margin - radius));
      const edge = Math.max(0, Math.min(1, radius - Math.hypot(dx, dy) + 0.5));
      // Glyph in the middle 60 % of the square, in the same 16-unit design space as the tray icons.
      const gx = ((x - margin) / side - 0.2) / 0.6 * 16;
      const gy = ((y - margin) / side - 0.2) / 0.6 * 16;
      const ink = inside(gx, gy, 'none');
      const shade = Math.round(48 - (py / size) * 20);
      const offset = (py * size + px) * 4;
      pixels[offset] = ink ? 255 : shade;
      pixels[offset + 1] = ink ? 255 : shade + 4;
      pixels[offset + 2] = ink ? 255 : shade + 14;
      pixels[offset + 3] = Math.round(edge * 255);
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A minimal PNG: 8-bit RGBA, one IDAT, filter 0 on every row. */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.main) {
  mkdirSync(OUT, { recursive: true });
  for (const variant of VARIANTS) {
    writeFileSync(join(OUT, `${variant.name}.png`), encodePng(16, render(16, variant)));
    writeFileSync(join(OUT, `${variant.name}@2x.png`), encodePng(32, render(32, variant)));
  }
  writeFileSync(APP_ICON, encodePng(1024, renderAppIcon(1024)));
  console.log(`wrote ${VARIANTS.length * 2} tray icons to ${OUT} and the app icon to ${APP_ICON}`);
}
