/**
 * Where the popover goes: centred under the tray icon, kept inside the work
 * area of the display that holds the icon. Pure, because multi-display
 * geometry (negative coordinates, a display above or left of the primary, the
 * menu bar eating the top of each work area) is easy to get wrong and
 * impossible to try on a headless test machine.
 */

export interface Rect { x: number; y: number; width: number; height: number }
export interface DisplayArea { bounds: Rect; workArea: Rect }

const contains = (r: Rect, x: number, y: number) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;

/** Squared distance from a point to a rectangle (0 inside it). */
function distance2(r: Rect, x: number, y: number): number {
  const dx = Math.max(r.x - x, 0, x - (r.x + r.width));
  const dy = Math.max(r.y - y, 0, y - (r.y + r.height));
  return dx * dx + dy * dy;
}

/** The display whose bounds hold the point, else the nearest one. */
export function displayAt<D extends DisplayArea>(displays: readonly D[], x: number, y: number): D | undefined {
  return displays.find((d) => contains(d.bounds, x, y))
    ?? [...displays].sort((a, b) => distance2(a.bounds, x, y) - distance2(b.bounds, x, y))[0];
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(value, Math.max(low, high)));

/**
 * Top-left corner for a window of `size` anchored to the tray icon's bounds:
 * below the icon when it sits in the top half of its display (the macOS menu
 * bar), above it otherwise, then clamped to that display's work area.
 */
export function popoverPosition(tray: Rect, size: { width: number; height: number }, displays: readonly DisplayArea[]): { x: number; y: number } {
  const centreX = tray.x + tray.width / 2;
  const centreY = tray.y + tray.height / 2;
  const display = displayAt(displays, centreX, centreY);
  const x = Math.round(centreX - size.width / 2);
  if (!display) return { x, y: Math.round(tray.y + tray.height) };
  const area = display.workArea;
  const below = centreY < display.bounds.y + display.bounds.height / 2;
  const y = below ? tray.y + tray.height : tray.y - size.height;
  return {
    x: clamp(x, area.x, area.x + area.width - size.width),
    y: Math.round(clamp(y, area.y, area.y + area.height - size.height)),
  };
}
