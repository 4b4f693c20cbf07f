/** A worker thread's share of opening a folder for the mock: read and validate some call files. */
import { parentPort, workerData } from 'node:worker_threads';
import { replaySlice, type ReplaySliceRequest } from './replay-load.js';

const req = workerData as ReplaySliceRequest;
parentPort?.postMessage(replaySlice(req.dir, req.files));
