import { randomUUID } from 'node:crypto';
import { invalidArgument, namespaceNotFound } from '../common/errors';
import { MAX_ID_LENGTH, idTooLong } from '../common/id-length';
import { enums } from '../common/proto';
import type { NamespaceRecord } from '../store/records';
import type { NamespaceStore } from '../store/store';

const DEFAULT_RETENTION_MS = 24 * 3600 * 1000;
const NAMESPACE_TOO_LONG = 'Namespace length exceeds limit.';

/** Namespaces, read through a small cache: every namespaced RPC resolves its namespace first. */
export class NamespaceRegistry {
  private readonly byName = new Map<string, NamespaceRecord>();
  private readonly nameById = new Map<string, string>();

  constructor(
    private readonly store: NamespaceStore,
    private readonly now: () => number,
    /** `limit.maxIDLength`: the longest namespace name a request may carry. */
    private readonly maxIdLength = MAX_ID_LENGTH,
  ) {}

  /** Creates the namespace unless it exists (start-up: `default` and `--namespace`). */
  async ensure(name: string): Promise<NamespaceRecord> {
    const existing = await this.store.getNamespaceByName(name);
    if (existing) {
      this.remember(existing);
      return existing;
    }
    return this.register({ name, description: '', ownerEmail: '', retentionMs: DEFAULT_RETENTION_MS, data: {} });
  }

  async register(fields: Pick<NamespaceRecord, 'name' | 'description' | 'ownerEmail' | 'retentionMs' | 'data'>): Promise<NamespaceRecord> {
    if (!fields.name) throw invalidArgument('Namespace is not set on request.');
    if (idTooLong(fields.name, this.maxIdLength)) throw invalidArgument(NAMESPACE_TOO_LONG);
    const record: NamespaceRecord = {
      id: randomUUID(),
      state: enums.NamespaceState.NAMESPACE_STATE_REGISTERED,
      createdTime: this.now(),
      ...fields,
      retentionMs: fields.retentionMs || DEFAULT_RETENTION_MS,
    };
    await this.store.createNamespace(record);
    this.remember(record);
    return record;
  }

  /** The namespace by name, or NOT_FOUND with NamespaceNotFoundFailure details. */
  async resolve(name: string | null | undefined): Promise<NamespaceRecord> {
    if (!name) throw invalidArgument('Namespace is not set on request.');
    if (idTooLong(name, this.maxIdLength)) throw invalidArgument(NAMESPACE_TOO_LONG);
    const cached = this.byName.get(name);
    if (cached) return cached;
    const record = await this.store.getNamespaceByName(name);
    if (!record) throw namespaceNotFound(name);
    this.remember(record);
    return record;
  }

  async update(record: NamespaceRecord): Promise<void> {
    await this.store.updateNamespace(record);
    this.remember(record);
  }

  /** Loads every namespace into the cache, so `nameOf` answers synchronously. */
  async load(): Promise<void> {
    for (const record of await this.store.listNamespaces()) this.remember(record);
  }

  nameOf(namespaceId: string): string {
    return this.nameById.get(namespaceId) ?? '';
  }

  private remember(record: NamespaceRecord): void {
    this.byName.set(record.name, record);
    this.nameById.set(record.id, record.name);
  }

  list(): Promise<NamespaceRecord[]> {
    return this.store.listNamespaces();
  }
}
