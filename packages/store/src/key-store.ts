/** A domain's data key, as stored: wrapped (encrypted) under the mesh's master key. */
export interface DomainKeyRecord {
  readonly domain: string;
  /** Public identifier of the data key (a hash prefix, never the key). */
  readonly keyId: string;
  /** The data key wrapped under the master key (base64 of AES-256-GCM iv | tag | ciphertext). */
  readonly wrappedKey: string;
  /** Which master key wrapped it. */
  readonly masterKeyId: string;
  readonly createdAt: string;
}

/** The new wrapping of one key, computed by the caller (the store never sees a key). */
export interface Rewrapped {
  readonly wrappedKey: string;
  readonly masterKeyId: string;
}

/**
 * The domains' data keys, wrapped: the store keeps ciphertext only. Rotating the master key
 * re-wraps every data key in one transaction; no data is rewritten.
 */
export interface KeyStore {
  listDomainKeys(): Promise<readonly DomainKeyRecord[]>;
  /** Records a domain's key; QUANTA_CONFLICT when the domain already has one. */
  addDomainKey(record: Omit<DomainKeyRecord, 'createdAt'>): Promise<DomainKeyRecord>;
  /** Re-wraps every key in one transaction (all or none); returns how many. */
  rewrapDomainKeys(rewrap: (record: DomainKeyRecord) => Rewrapped): Promise<number>;
}
