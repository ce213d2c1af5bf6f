import path from 'node:path';
import { QuantaError } from '@quanta/model';
import type { SnapshotTarget, StagingTarget } from './data-engine.ts';

/** The staging folder inside each domain's space. */
export const STAGING_DIR = '.staging';

const SEGMENT_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._@-]*$/;

/** A snapshot file's place: absolute, and relative to the storage root with `/`. */
export interface SnapshotLocation {
  readonly absolutePath: string;
  readonly storagePath: string;
}

/**
 * Where files live under the storage root: `<domain>/.staging/<runId>/<name>.duckdb` while a run
 * stages, `<domain>/<product>/<port>/<snapshotId>.duckdb` once published. Every name becomes a
 * single path segment, so nothing can escape the root or another domain's space.
 */
export class StorageLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The folder holding a run's staging files in a domain. */
  runStagingDir(target: Omit<StagingTarget, 'name'>): string {
    return path.join(this.root, segment(target.domain), STAGING_DIR, segment(target.runId));
  }

  /** The staging file of one staged table. */
  stagingFile(target: StagingTarget): string {
    return path.join(this.runStagingDir(target), `${segment(target.name)}.duckdb`);
  }

  /** Where a published snapshot goes. */
  snapshotLocation(target: SnapshotTarget): SnapshotLocation {
    const parts = [target.domain, target.product, target.port, `${target.snapshotId}.duckdb`].map(segment);
    return { absolutePath: path.join(this.root, ...parts), storagePath: parts.join('/') };
  }

  /** The absolute path of a storage path; refuses anything outside the root (QUANTA_PATH_ESCAPE). */
  resolve(storagePath: string): string {
    if (storagePath.includes('\0') || path.isAbsolute(storagePath)) throw escapeError(storagePath);
    const absolute = path.resolve(this.root, storagePath);
    if (!this.#isInside(absolute) || absolute === this.root) throw escapeError(storagePath);
    return absolute;
  }

  /**
   * Checks that `file` is a staging file of `domain` (when given) and returns the domain it
   * belongs to: engines only ever promote or audit their own staging files.
   */
  stagingDomainOf(file: string, domain?: string): string {
    const relative = path.relative(this.root, path.resolve(file));
    const parts = relative.split(path.sep);
    const [fileDomain, staging, runId, name] = parts;
    const isStaging =
      parts.length === 4 &&
      fileDomain !== undefined &&
      staging === STAGING_DIR &&
      runId &&
      name?.endsWith('.duckdb');
    if (!isStaging || !this.#isInside(path.resolve(file))) {
      throw new QuantaError('QUANTA_PATH_ESCAPE', `${file} is not a staging file under ${this.root}`, {
        fix: 'pass the StagedTable returned by ingest or transform',
      });
    }
    if (domain !== undefined && fileDomain !== domain) {
      throw new QuantaError(
        'QUANTA_PATH_ESCAPE',
        `${file} is staged in domain ${fileDomain}, not ${domain}`,
        {
          fix: 'publish a staged table in the domain that staged it',
        },
      );
    }
    return fileDomain;
  }

  /** True when the file is one of the domain spaces' staging files (and so carries its own quarantine). */
  isStagingFile(file: string): boolean {
    const parts = path.relative(this.root, path.resolve(file)).split(path.sep);
    return parts.length === 4 && parts[1] === STAGING_DIR && this.#isInside(path.resolve(file));
  }

  #isInside(absolute: string): boolean {
    const relative = path.relative(this.root, absolute);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  }
}

function segment(name: string): string {
  if (!SEGMENT_PATTERN.test(name) || name.includes('..')) {
    throw new QuantaError('QUANTA_PATH_ESCAPE', `'${name}' cannot name a storage folder or file`, {
      fix: 'use letters, digits, `_`, `-`, `.` and `@` only',
    });
  }
  return name;
}

function escapeError(storagePath: string): QuantaError {
  return new QuantaError('QUANTA_PATH_ESCAPE', `storage path '${storagePath}' escapes the storage root`, {
    fix: 'use the storagePath recorded with the snapshot',
  });
}
