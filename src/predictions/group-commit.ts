/**
 * Group commit: items submitted during one turn of the event loop are committed together, in one call of
 * `commitAll` (one database transaction), right after the loop has handled the I/O that produced them (a
 * `setImmediate`). Under load many requests finish in the same turn (the engine hands back a whole batch at
 * once), so they share one BEGIN/COMMIT instead of paying one each; a lone request waits for no one.
 *
 * Each submission's promise settles only after the commit that holds it returned: a caller never answers before
 * its item is durable. When the group's commit fails, each item is retried in a commit of its own, so one bad
 * item (or a failure that has since cleared) does not fail its neighbours; an item whose own commit fails rejects
 * with that error.
 */
export class GroupCommit<T> {
  private pending: PendingItem<T>[] = [];
  private scheduled = false;
  private immediate = false;

  constructor(private readonly commitAll: (items: readonly T[]) => void) {}

  /** Resolves once `item` is committed; rejects with the commit's error when it could not be. */
  submit(item: T): Promise<void> {
    if (this.immediate) {
      try {
        this.commitAll([item]);
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
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
  commitImmediately(): void {
    this.immediate = true;
    this.flush();
  }

  /** Commits everything submitted so far, now. */
  flush(): void {
    this.scheduled = false;
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    try {
      this.commitAll(group.map((p) => p.item));
    } catch (error) {
      if (group.length === 1) group[0].reject(error);
      else this.commitEachAlone(group);
      return;
    }
    for (const p of group) p.resolve();
  }

  private commitEachAlone(group: readonly PendingItem<T>[]): void {
    for (const p of group) {
      try {
        this.commitAll([p.item]);
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
