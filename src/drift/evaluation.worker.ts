/**
 * The drift evaluation thread (node:worker_threads): receives closed windows (runs the statistics) and new
 * references (fits the projection, fixes the bandwidth), posts the result back. Nothing here touches the service's state; a window's tests never run on the event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EvaluationJob, ReferenceJob, runEvaluationJob, runReferenceJob } from './evaluation-job';
import { lowerThreadPriority } from './thread-priority';

type JobMessage = { id: number; kind: 'window'; job: EvaluationJob } | { id: number; kind: 'reference'; job: ReferenceJob };

if (!parentPort) throw new Error('evaluation.worker must run as a worker thread. This is a bug.');
const port = parentPort;

// The statistics are background work: on cores that the engine and the event loop already fill, they take what
// those leave instead of preempting them (the event loop's delay under load is what this protects).
lowerThreadPriority(Number((workerData as { nicenessStep?: number } | null)?.nicenessStep ?? 0));

port.on('message', (message: JobMessage) => {
  const { id } = message;
  const started = performance.now();
  try {
    const result = message.kind === 'window' ? runEvaluationJob(message.job) : runReferenceJob(message.job);
    port.postMessage({ id, result, evaluationMs: performance.now() - started });
  } catch (error) {
    port.postMessage({ id, error: (error as Error).message ?? String(error) });
  }
});
