/** A worker thread's share of a body search: read, extract and search some call files. */
import { parentPort, workerData } from 'node:worker_threads';
import { searchSlice, type SearchSliceRequest } from './body-search-slice.js';

parentPort?.postMessage(searchSlice(workerData as SearchSliceRequest));
