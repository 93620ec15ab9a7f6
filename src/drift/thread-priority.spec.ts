import { niceOf } from '../../test/support/thread-niceness';
import { currentThreadId, lowerThreadPriority } from './thread-priority';

describe('thread priority (Linux, per thread)', () => {
  it('knows the calling thread: on the main thread its id is the process id', () => {
    expect(currentThreadId()).toBe(process.pid);
  });

  it('refuses nothing silently: a step of 0 keeps the nice value and says which it is', () => {
    // Lowering the main thread of the test process would slow the rest of the suite; a step of 0 exercises the
    // same system calls and must report the unchanged value.
    const before = niceOf(process.pid);
    expect(lowerThreadPriority(0)).toBe(before);
    expect(niceOf(process.pid)).toBe(before);
  });
});
