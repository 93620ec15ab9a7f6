/**
 * The engine's threads, as the operating system sees them (Linux /proc): each carries a name that says what it is
 * (engine-batcher, engine-runner-N, engine-intra-op), and `threadNiceness` lowers the priority of every one of them
 * (and of no other thread), so that the event loop gets a core first when both want one. The process-wide shared
 * pools are created once per addon instance, by the first engine that loads, so that case runs in a child process
 * of its own.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import { Engine } from '../../lib';
import { niceOf, threadName, threadNiceness } from '../support/thread-niceness';
import { demoModelDir } from './demo-fixture';

interface ThreadView {
  tid: number;
  name: string;
  nice: number;
}

/** Every thread of this process: its name and nice value. */
function threads(): ThreadView[] {
  return [...threadNiceness()].map(([tid, nice]) => ({ tid, name: threadName(tid), nice }));
}

const engineThreads = (all: ThreadView[]) => all.filter((t) => t.name.startsWith('engine-'));
const processNice = () => niceOf(process.pid); // the main thread's: every thread starts from it

describe("the engine's threads", () => {
  it('are named, and keep the process priority by default', async () => {
    const before = new Set(threads().map((t) => t.tid));
    const engine = await Engine.load(demoModelDir(), { runners: 2, intraOpThreads: 2 });
    try {
      await engine.classify(['warm up every thread', 'a second text']);
      const added = engineThreads(threads().filter((t) => !before.has(t.tid)));
      const names = added.map((t) => t.name).sort();
      expect(names.filter((n) => n === 'engine-batcher')).toHaveLength(1);
      expect(names.filter((n) => /^engine-runner-\d+$/.test(n))).toHaveLength(2);
      expect(engine.info().batching.threadNiceness).toBe(0);
      for (const t of added) expect(t.nice).toBe(processNice());
    } finally {
      await engine.close();
    }
  });

  it('run threadNiceness levels below the process: batcher, runners and intra-op threads, and nothing else', async () => {
    const before = new Map(threads().map((t) => [t.tid, t.nice]));
    const engine = await Engine.load(demoModelDir(), { runners: 2, intraOpThreads: 2, threadNiceness: 3 });
    try {
      await engine.classify(['warm up every thread', 'a second text']);
      const now = threads();
      const added = engineThreads(now.filter((t) => !before.has(t.tid)));
      expect(added.map((t) => t.name)).toEqual(expect.arrayContaining(['engine-batcher', 'engine-runner-0', 'engine-runner-1', 'engine-intra-op']));
      for (const t of added) expect({ name: t.name, nice: t.nice }).toEqual({ name: t.name, nice: Math.min(19, processNice() + 3) });
      // Threads that were there before (the JS thread, libuv's pool, other engines) keep their priority.
      for (const t of now.filter((x) => before.has(x.tid))) expect({ tid: t.tid, nice: t.nice }).toEqual({ tid: t.tid, nice: before.get(t.tid) });
      expect(engine.info().batching.threadNiceness).toBe(3);
    } finally {
      await engine.close();
    }
  });

  it('refuses a niceness outside 0-19 at once, naming the option (a lower nice value would need privileges)', () => {
    expect(() => Engine.load(demoModelDir(), { threadNiceness: 20 })).toThrow(/between 0 and 19 for options\.threadNiceness/);
    expect(() => Engine.load(demoModelDir(), { threadNiceness: -1 })).toThrow(/between 0 and 19 for options\.threadNiceness/);
  });

  it('shared pools take the niceness of the first engine loaded in the process', () => {
    // A fresh process: in this one the shared pools may already exist (another spec loaded an engine with them).
    const script = `
      const { Engine } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib'))});
      const fs = require('fs');
      (async () => {
        const engine = await Engine.load(${JSON.stringify(demoModelDir())}, { sharedThreads: true, runners: 2, threadNiceness: 4 });
        await engine.classify(['warm up every thread', 'a second text']);
        const out = fs.readdirSync('/proc/self/task').map((tid) => {
          const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
          return { name: fs.readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim(), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
        });
        await engine.close();
        process.stdout.write(JSON.stringify(out));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const seen = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { name: string; nice: number }[];
    const base = processNice();
    const pool = seen.filter((t) => t.name === 'engine-intra-op');
    expect(pool.length).toBeGreaterThan(0);
    for (const t of seen.filter((x) => x.name.startsWith('engine-'))) expect(t).toEqual({ name: t.name, nice: Math.min(19, base + 4) });
    for (const t of seen.filter((x) => !x.name.startsWith('engine-'))) expect(t).toEqual({ name: t.name, nice: base });
  });
});
