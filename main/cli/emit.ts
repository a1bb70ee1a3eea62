import type { Redactor } from '../system/redact.ts';
import { writeOutputFile } from '../system/files.ts';

/**
 * The CLI's exits — stdout, stderr progress and `--out` files — each passing
 * the world's redactor, which by then holds every secret value the run read.
 * Commands hand over raw data and never redact themselves.
 */
export interface Out {
  /** The output contract: one JSON document with --json, else the human text. */
  print(json: boolean, document: object, human: () => string): void;
  /** Progress for long work: stderr, and only to a terminal. */
  progress(text: string): void;
  /** Text, or a document as JSON, to `--out FILE` (atomically, private) or to stdout (no --out, or `--out -`). */
  deliver(content: string | object, out: string | undefined): Promise<void>;
  /** Redacted text for a file the command writes itself (the metrics textfile). */
  safe(text: string): string;
}

export function createOut(redactor: Redactor, write: (text: string) => void, progress: (text: string) => void): Out {
  return {
    print(json, document, human) {
      write(json ? `${JSON.stringify(redactor.deep(document), null, 2)}\n` : redactor.text(human()));
    },
    progress(text) {
      progress(redactor.text(text));
    },
    async deliver(content, out) {
      const text = typeof content === 'string' ? redactor.text(content) : `${JSON.stringify(redactor.deep(content), null, 2)}\n`;
      if (out === undefined || out === '-') return write(text);
      await writeOutputFile(out, text, { mode: 0o600, createDir: false });
      progress(`wrote ${out}`);
    },
    safe: (text) => redactor.text(text),
  };
}
