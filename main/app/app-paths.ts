import { join } from 'node:path';

/**
 * Where the app's files are, in development (`electron .` from the checkout:
 * the app path is the project folder) and packaged (the app path is
 * app.asar; tray images are extraResources beside it, because macOS loads
 * template images by file name and build/ is not packed).
 */
export function appPaths(appPath: string, isPackaged: boolean, resourcesPath: string) {
  return {
    renderer: join(appPath, 'out', 'renderer'),
    preload: join(appPath, 'out', 'preload', 'index.cjs'),
    trayAssets: isPackaged ? join(resourcesPath, 'tray') : join(appPath, 'main', 'app', 'assets'),
  };
}
