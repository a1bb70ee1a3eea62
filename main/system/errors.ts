/**
 * Exit codes of the CLI contract. Kept in one place so the CLI, the app and the
 * tests agree on what each number means.
 */
export const EXIT = {
  ok: 0,
  warn: 1,
  critical: 2,
  usage: 64,
  dataErr: 65,
  internal: 70,
} as const;

/**
 * Input that cannot be read or parsed at all (garbage plist, unreadable file).
 * Becomes exit 65 with `message` on stderr — never a stack trace.
 */
export class InputError extends Error {
  readonly path: string | undefined;
  constructor(message: string, path?: string) {
    super(message);
    this.name = 'InputError';
    this.path = path;
  }
}

/** Bad command-line usage: exit 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
