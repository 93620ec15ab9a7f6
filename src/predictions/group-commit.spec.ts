import { GroupCommit } from './group-commit';

/** Resolves after the pending setImmediate callbacks (the scheduled flush) have run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('commits everything submitted in one turn of the event loop in one call, in submission order', async () => {
    const commits: string[][] = [];
    const group = new GroupCommit<string>(async (items) => {
      commits.push([...items]);
    });
    const done = Promise.all(['a', 'b', 'c'].map((item) => group.submit(item)));
    expect(commits).toEqual([]);
    await done;
    expect(commits).toEqual([['a', 'b', 'c']]);
  });

  it('settles a submission only after the commit that holds it returned', async () => {
    const committed = new Set<string>();
    const group = new GroupCommit<string>(async (items) => {
      // The commit resolves a turn later, as a database's does: nobody may be answered before that.
      await new Promise((resolve) => setImmediate(resolve));
      items.forEach((item) => committed.add(item));
    });
    const seenAtResolution: boolean[] = [];
    await Promise.all(['x', 'y'].map((item) => group.submit(item).then(() => seenAtResolution.push(committed.has(item)))));
    expect(seenAtResolution).toEqual([true, true]);
  });

  it('starts a new group for submissions made after a flush', async () => {
    const commits: number[][] = [];
    const group = new GroupCommit<number>(async (items) => {
      commits.push([...items]);
    });
    await Promise.all([group.submit(1), group.submit(2)]);
    await group.submit(3);
    expect(commits).toEqual([[1, 2], [3]]);
  });

  it('retries each item alone when the group fails: only the bad item rejects, with its own error', async () => {
    const commits: string[][] = [];
    const group = new GroupCommit<string>(async (items) => {
      commits.push([...items]);
      if (items.includes('bad')) throw new Error(`cannot commit ${items.join('+')}`);
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((item) => group.submit(item)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('cannot commit bad'));
    expect(commits).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('rejects a lone item with the error of its one commit', async () => {
    const failure = new Error('disk full');
    let calls = 0;
    const group = new GroupCommit<string>(async () => {
      calls++;
      throw failure;
    });
    await expect(group.submit('a')).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('commits pending items at once on flush(), and the scheduled flush then finds nothing', async () => {
    const commits: string[][] = [];
    const group = new GroupCommit<string>(async (items) => {
      commits.push([...items]);
    });
    const done = group.submit('a');
    expect(group.size).toBe(1);
    void group.flush();
    expect(commits).toEqual([['a']]);
    expect(group.size).toBe(0);
    await done;
    await nextTurn();
    expect(commits).toEqual([['a']]);
  });
  it('after commitImmediately(), commits what was pending and then each submission in the turn that submits it', async () => {
    const commits: string[][] = [];
    const group = new GroupCommit<string>(async (items) => {
      commits.push([...items]);
    });
    const pending = group.submit('waiting');
    void group.commitImmediately();
    expect(commits).toEqual([['waiting']]);
    const late = group.submit('late');
    expect(commits).toEqual([['waiting'], ['late']]);
    await Promise.all([pending, late]);
  });

  it('after commitImmediately(), rejects a submission whose commit fails', async () => {
    const group = new GroupCommit<string>(async () => {
      throw new Error('the database is closed');
    });
    await group.commitImmediately();
    await expect(group.submit('late')).rejects.toThrow('the database is closed');
  });
});
