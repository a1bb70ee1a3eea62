import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayAt, popoverPosition, type DisplayArea } from '../../../main/app/popover-position.ts';

const SIZE = { width: 420, height: 600 };
/** A macOS display: the menu bar (24 pt) takes the top of the work area. */
const display = (x: number, y: number, width: number, height: number, menuBar = 24): DisplayArea => ({
  bounds: { x, y, width, height },
  workArea: { x, y: y + menuBar, width, height: height - menuBar },
});
const primary = display(0, 0, 1440, 900);
const icon = (x: number, y: number) => ({ x, y, width: 24, height: 24 });

describe('popover position', () => {
  it('centres the popover under the icon, right below the menu bar', () => {
    assert.deepEqual(popoverPosition(icon(1000, 0), SIZE, [primary]), { x: 1000 + 12 - 210, y: 24 });
  });

  it('keeps it inside the work area near the right and left edges', () => {
    assert.deepEqual(popoverPosition(icon(1410, 0), SIZE, [primary]), { x: 1440 - 420, y: 24 });
    assert.deepEqual(popoverPosition(icon(5, 0), SIZE, [primary]), { x: 0, y: 24 });
  });

  it('uses the display that holds the icon: one left of the primary, with negative coordinates', () => {
    const left = display(-1920, 0, 1920, 1080);
    assert.deepEqual(popoverPosition(icon(-30, 0), SIZE, [primary, left]), { x: -420, y: 24 }, 'clamped to the left display, not spilling onto the primary');
    assert.deepEqual(popoverPosition(icon(-1000, 0), SIZE, [primary, left]), { x: -1000 + 12 - 210, y: 24 });
  });

  it('handles a display above the primary (negative y) and one below it', () => {
    const above = display(200, -1080, 1920, 1080);
    assert.deepEqual(popoverPosition(icon(1200, -1080), SIZE, [primary, above]), { x: 1200 + 12 - 210, y: -1080 + 24 });
    const below = display(0, 900, 1440, 900);
    assert.deepEqual(popoverPosition(icon(700, 900), SIZE, [primary, below]), { x: 700 + 12 - 210, y: 924 });
  });

  it('opens above an icon in the lower half of its display (a bottom bar) and clamps to the work area', () => {
    const bottomBar: DisplayArea = { bounds: { x: 0, y: 0, width: 1440, height: 900 }, workArea: { x: 0, y: 0, width: 1440, height: 860 } };
    assert.deepEqual(popoverPosition({ x: 700, y: 870, width: 24, height: 30 }, SIZE, [bottomBar]), { x: 502, y: 260 });
  });

  it('clamps a popover taller than the work area to its top, and an icon between displays to the nearest', () => {
    const small = display(0, 0, 800, 500);
    assert.deepEqual(popoverPosition(icon(400, 0), SIZE, [small]), { x: 202, y: 24 });
    const right = display(1440, 0, 1280, 800);
    assert.equal(displayAt([primary, right], 1450, 10), right);
    assert.equal(displayAt([primary, right], 5000, 10), right, 'off every display: the nearest one');
    assert.deepEqual(popoverPosition(icon(2700, 0), SIZE, [primary, right]), { x: 1440 + 1280 - 420, y: 24 });
  });

  it('still answers with no displays at all', () => {
    assert.deepEqual(popoverPosition(icon(100, 0), SIZE, []), { x: -98, y: 24 });
  });
});
