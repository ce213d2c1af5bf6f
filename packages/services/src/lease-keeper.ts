import { QuantaError } from '@quanta/model';
import type { RunLease, RunQueueStore } from '@quanta/store';
import type { StepJournal } from '@quanta/workflow';

/**
 * Holds a worker's lease on a run while it executes: renews it on a timer (three times per
 * lease period, so long steps keep it), journals steps through the fenced store method (which
 * renews too), and remembers whether the run was lost to another worker or asked to cancel.
 */
export class LeaseKeeper {
  readonly #queue: RunQueueStore;
  readonly #lease: RunLease;
  readonly #timer: NodeJS.Timeout;
  #isLost = false;
  #isCancelRequested = false;

  private constructor(queue: RunQueueStore, lease: RunLease) {
    this.#queue = queue;
    this.#lease = lease;
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(lease.leaseMs / 3)));
    // A lease alone never keeps the process alive.
    this.#timer.unref();
  }

  /** Starts renewing `lease`. */
  static start(queue: RunQueueStore, lease: RunLease): LeaseKeeper {
    return new LeaseKeeper(queue, lease);
  }

  /** True once a renewal or a journal write found the lease taken over or the run ended. */
  get isLost(): boolean {
    return this.#isLost;
  }

  /** True once someone asked the run to stop (`quanta run cancel`). */
  get isCancelRequested(): boolean {
    return this.#isCancelRequested;
  }

  /** The run's step journal, written under the lease. */
  journal(): StepJournal {
    return {
      record: async (entry) => {
        try {
          const { renewal } = await this.#queue.appendLeasedStepEvent(this.#lease, entry);
          this.#isCancelRequested ||= renewal.isCancelRequested;
        } catch (error) {
          if (error instanceof QuantaError && error.code === 'QUANTA_CONFLICT') this.#isLost = true;
          throw error;
        }
      },
    };
  }

  /** Stops renewing. */
  stop(): void {
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    try {
      const renewal = await this.#queue.renewLease(this.#lease);
      this.#isCancelRequested ||= renewal.isCancelRequested;
    } catch (error) {
      // An unreachable store is retried at the next tick; a lost lease is final.
      if (error instanceof QuantaError && error.code === 'QUANTA_CONFLICT') {
        this.#isLost = true;
        this.stop();
      }
    }
  }
}
