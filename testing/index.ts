/**
 * `tapedeck/testing`: Tapedeck inside the test runner (docs/testing.md). Unit tests use
 * `createMockFetch` / `withMockFetch` / `mockClient` in process; integration tests share one
 * `startMock` server, each test isolated by its `x-tapedeck-test` id.
 */
export {
  createMockFetch,
  withMockFetch,
  type MockCall,
  type MockFetch,
  type MockMiss,
  type MockSource,
  type ResponsesSource,
  type ScriptedResponse,
  type ScriptedToolCall,
  type SnapshotSource,
  type TimingOption,
} from './mock-fetch.js';
export {
  mockClient,
  type MockAnthropic,
  type MockClientExtras,
  type MockClientOptions,
  type MockOpenAI,
} from './mock-client.js';
export {
  forTest,
  startMock,
  type MockStatsView,
  type StartMockOptions,
  type StartedMock,
  type TestClient,
} from './start-mock.js';
export { TEST_HEADER } from '../shared/test-header.js';
