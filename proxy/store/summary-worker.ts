/** A worker thread's share of opening a folder: read, validate and summarize some call files. */
import { parentPort, workerData } from 'node:worker_threads';
import { summarizeSlice, type SliceRequest } from './summaries.js';

const req = workerData as SliceRequest;
parentPort?.postMessage(summarizeSlice(req.dir, req.files, req.prices));
