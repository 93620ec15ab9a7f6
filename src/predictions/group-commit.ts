/**
 * Group commit: items submitted during one turn of the event loop are committed together, in one call of
 * `commitAll` (one database transaction), right after the loop has handled the I/O that produced them (a
 * `setImmediate`). Under load many requests finish in the same turn (the engine hands back a whole batch at
 * once), so they share one BEGIN/COMMIT instead of paying one each; a lone request waits for no one.
 *
 * `commitAll` may be asynchronous (PostgreSQL): groups then commit concurrently, each on its own connection.
 * Each submission's promise settles only after the commit that holds it returned: a caller never answers before
 * its item is durable. When the group's commit fails, each item is retried in a commit of its own, so one bad
 * item (or a failure that has since cleared) does not fail its neighbours; an item whose own commit fails rejects
 * with that error.
 */
export class GroupCommit<T> {
  private pending: PendingItem<T>[] = [];
  private scheduled = false;
  private immediate = false;

  constructor(private readonly commitAll: (items: readonly T[]) => Promise<void>) {}

  /** Resolves once `item` is committed; rejects with the commit's error when it could not be. */
  submit(item: T): Promise<void> {
    if (this.immediate) return this.commitAll([item]);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Items waiting for their commit. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Commits what is pending now, and from then on each submission at once, in the caller's own turn (shutdown:
   * whatever closes next, the database included, must not run between a late submission and its commit).
   */
  commitImmediately(): Promise<void> {
    this.immediate = true;
    return this.flush();
  }

  /** Commits everything submitted so far, now (the returned promise settles when that commit did). */
  async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    try {
      await this.commitAll(group.map((p) => p.item));
    } catch (error) {
      if (group.length === 1) group[0].reject(error);
      else await this.commitEachAlone(group);
      return;
    }
    for (const p of group) p.resolve();
  }

  private async commitEachAlone(group: readonly PendingItem<T>[]): Promise<void> {
    for (const p of group) {
      try {
        await this.commitAll([p.item]);
      } catch (error) {
        p.reject(error);
        continue;
      }
      p.resolve();
    }
  }
}

interface PendingItem<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}
