/**
 * `tapedeck mock`: answers from a snapshot folder, as the recorded vendors did. The server is a
 * pipeline of stages in proxy/mock/ (see docs/mock-pipeline.md); this module is its public face.
 */
export { startMockServer, type MockOptions, type RunningMock } from './mock/server.js';
export type { Timing } from './replay.js';
export type {
  CallRef,
  MissInfo,
  MockEvent,
  MockEventListener,
  MockEvents,
  Outcome,
  Refusal,
} from './mock/events.js';
export type { RequestRecord } from './mock/report.js';
export type { Miss, UpstreamStats } from './mock/stats.js';
