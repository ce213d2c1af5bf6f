import { execFileSync } from 'node:child_process';

/**
 * Why the tests that drive the real `psql` client must be skipped, or undefined to run them.
 * On a laptop without the PostgreSQL client they are skipped with a message; under CI=true
 * they always run (and fail loudly if psql is missing: .ci/run installs it).
 */
export function psqlSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CI === 'true') return undefined;
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'psql (the PostgreSQL client) is not installed: apt-get install postgresql-client';
  }
}
