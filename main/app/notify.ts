import { Notification } from 'electron';
import type { Notice, ViewName } from '../ipc-contract.ts';
import type { Settings } from '../settings-schema.ts';
import { createDebouncer, wanted } from './notify-policy.ts';

/**
 * Shows the agent's notices as macOS notifications, filtered by the
 * operator's choices and debounced by id; a click opens the view the notice
 * names.
 */
export function createNotifier(options: { settings: () => Settings; open: (view: ViewName) => void; now?: () => number }): (notice: Notice) => boolean {
  const admit = createDebouncer(undefined, options.now);
  // macOS drops click handlers of notifications that were garbage-collected: keep the recent ones alive.
  const alive: Notification[] = [];
  return (notice) => {
    if (!Notification.isSupported() || !wanted(notice.id, options.settings()) || !admit(notice.id)) return false;
    const notification = new Notification({ title: notice.title, body: notice.body });
    notification.on('click', () => options.open(notice.view));
    alive.push(notification);
    if (alive.length > 20) alive.shift();
    notification.show();
    return true;
  };
}
