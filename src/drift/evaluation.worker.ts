/**
 * The drift evaluation thread (node:worker_threads): receives closed windows, runs the statistics, posts the
 * result back. Nothing here touches the service's state; a window's tests never run on the event loop.
 */
import { parentPort } from 'node:worker_threads';
import { EvaluationJob, runEvaluationJob } from './evaluation-job';

interface JobMessage {
  id: number;
  job: EvaluationJob;
}

if (!parentPort) throw new Error('evaluation.worker must run as a worker thread. This is a bug.');
const port = parentPort;

port.on('message', ({ id, job }: JobMessage) => {
  const started = performance.now();
  try {
    const evaluation = runEvaluationJob(job);
    port.postMessage({ id, evaluation, evaluationMs: performance.now() - started });
  } catch (error) {
    port.postMessage({ id, error: (error as Error).message ?? String(error) });
  }
});
