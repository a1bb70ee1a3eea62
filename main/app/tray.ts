import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage, type Rectangle } from 'electron';
import type { AgentState } from '../ipc-contract.ts';
import { trayAppearance, type TrayIcon } from './tray-state.ts';

/**
 * The menu-bar icon: a click opens the popover, a right-click (or
 * control-click) the context menu. The icon, title and tooltip follow the
 * agent's state; the menu is rebuilt from each state so its status lines are
 * current when it opens.
 */
export interface TrayController {
  update(state: AgentState, menu: MenuItemConstructorOptions[]): void;
  /** The icon's screen rectangle, for anchoring the popover. */
  bounds(): Rectangle;
}

/** Creates the menu-bar icon; images are loaded once per state from `assetsDir`. */
export function createTray(assetsDir: string, onClick: () => void): TrayController {
  const images = new Map<TrayIcon, NativeImage>();
  const image = (icon: TrayIcon) => {
    let loaded = images.get(icon);
    if (!loaded) {
      // nativeImage picks up the @2x file next to it; "Template" images are tinted by macOS for light and dark bars.
      loaded = nativeImage.createFromPath(join(assetsDir, `${icon}.png`));
      loaded.setTemplateImage(icon.endsWith('Template'));
      images.set(icon, loaded);
    }
    return loaded;
  };
  const tray = new Tray(image('tray-unknownTemplate'));
  tray.setToolTip('clawbar — checking');
  let menu = Menu.buildFromTemplate([]);
  let shownIcon: TrayIcon = 'tray-unknownTemplate';
  tray.on('click', (event) => (event.ctrlKey ? tray.popUpContextMenu(menu) : onClick()));
  tray.on('right-click', () => tray.popUpContextMenu(menu));
  return {
    update(state, template) {
      const look = trayAppearance(state);
      if (look.icon !== shownIcon) tray.setImage(image(look.icon));
      shownIcon = look.icon;
      tray.setTitle(look.title);
      tray.setToolTip(look.tooltip);
      menu = Menu.buildFromTemplate(template);
    },
    bounds: () => tray.getBounds(),
  };
}
