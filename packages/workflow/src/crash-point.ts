/**
 * Named points where a test makes the process die as a SIGKILL would, to prove that a run
 * resumes correctly from every state a real crash can leave (the failpoints of etcd or TiKV).
 * `QUANTA_CRASH_AT=<name>` arms one; unset, as in production, each point is a no-op.
 */
export type CrashPointName = 'publish:promoted' | 'publish:committed';

export function crashPoint(name: CrashPointName): void {
  if (process.env.QUANTA_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
