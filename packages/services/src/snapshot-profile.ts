import {
  formatAddress,
  parseAddress,
  type QualityReport,
  QuantaError,
  type SnapshotRecord,
  type TableProfile,
} from '@quanta/model';
import type { CatalogStore } from '@quanta/store';

/** A snapshot with its profile and the quality report it was published with. */
export interface SnapshotProfile {
  /** `quanta://d/p/port@version`. */
  readonly address: string;
  readonly snapshot: SnapshotRecord;
  readonly profile: TableProfile;
  readonly quality?: QualityReport;
}

/**
 * The profile of a port's snapshot: `quanta://d/p/port` (current) or `...@version`; a `#column`
 * keeps that column only. Columns come without their mergeable sketches.
 */
export async function snapshotProfile(store: CatalogStore, text: string): Promise<SnapshotProfile> {
  const address = parseAddress(text);
  if (!address.product || !address.port) {
    throw new QuantaError('QUANTA_USAGE', `${text} is not a port address`, {
      fix: 'name a port: quanta://<domain>/<product>/<port>[@version]',
    });
  }
  const port = formatAddress({ domain: address.domain, product: address.product, port: address.port });
  const snapshot =
    address.version === undefined
      ? await store.getCurrentSnapshot(port)
      : await store.getSnapshot(port, address.version);
  const profile = snapshot && (await store.getProfile(port, snapshot.version));
  if (!snapshot || !profile) {
    throw new QuantaError('QUANTA_NOT_FOUND', `no profiled snapshot at ${text}`, {
      address: text,
      fix: 'run the product (`quanta run`) to publish a profiled snapshot',
    });
  }
  const quality = (await store.getQualityReport(port, snapshot.version))?.report;
  // Sketches are what a later incremental profile merges with (ADR 016), not statistics to show.
  const columns = (
    address.column ? profile.columns.filter((column) => column.name === address.column) : profile.columns
  ).map(({ sketch: _sketch, ...column }) => column);
  return {
    address: `${port}@${snapshot.version}`,
    snapshot,
    profile: { ...profile, columns },
    ...(quality ? { quality } : {}),
  };
}
