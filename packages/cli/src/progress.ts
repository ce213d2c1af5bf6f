import type { ProgressReporter } from '@quanta/workflow';
import pc from 'picocolors';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress on stderr for long work: a live line with elapsed time on a terminal, plain lines
 * otherwise (CI logs), nothing in --json mode or when quiet.
 */
export class TerminalProgress implements ProgressReporter {
  readonly #stream: NodeJS.WriteStream;
  readonly #isEnabled: boolean;
  readonly #started = performance.now();
  #frame = 0;
  #hasLine = false;

  constructor(options: { stream?: NodeJS.WriteStream; isEnabled: boolean }) {
    this.#stream = options.stream ?? process.stderr;
    this.#isEnabled = options.isEnabled;
  }

  update(message: string): void {
    if (!this.#isEnabled) return;
    const elapsed = ((performance.now() - this.#started) / 1000).toFixed(1);
    if (this.#stream.isTTY) {
      this.#frame = (this.#frame + 1) % FRAMES.length;
      this.#stream.write(
        `\r\x1b[2K${pc.cyan(FRAMES[this.#frame] ?? '')} ${message} ${pc.dim(`${elapsed}s`)}`,
      );
      this.#hasLine = true;
    } else {
      this.#stream.write(`${pc.dim(`[${elapsed}s]`)} ${message}\n`);
    }
  }

  /** Clears the live line before the result is printed. */
  done(): void {
    if (this.#hasLine) this.#stream.write('\r\x1b[2K');
    this.#hasLine = false;
  }
}
