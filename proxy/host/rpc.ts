/**
 * One dispatcher for both transports (HTTP and Electron IPC): the method name and the arguments
 * come from the renderer, so both are checked here before the host sees them.
 */
import { z } from 'zod';
import {
  RPC_METHODS,
  type DesktopApi,
  type FixRequest,
  type RpcMethod,
} from '../../shared/desktop-api.js';
import { HostError } from './host-error.js';

const none = z.tuple([]);
const onePath = z.tuple([z.string()]);

const ARGS: Record<RpcMethod, z.ZodType<unknown[]>> = {
  appInfo: none,
  recentFolders: none,
  sampleFolder: none,
  pickFolder: none,
  listDir: z.tuple([z.string().nullable().optional()]),
  openFolder: onePath,
  createFolder: onePath,
  readFile: onePath,
  saveFile: z.tuple([z.string(), z.string(), z.string().nullable()]),
  schemas: none,
  mockStatus: none,
  mockMisses: none,
  resetMock: none,
  previewFix: z.tuple([
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('widen'), key: z.string().min(1) }).strict(),
      z.object({ kind: z.literal('rule'), key: z.string().min(1), byModel: z.boolean() }).strict(),
    ]),
  ]),
  recordMiss: z.tuple([z.string().min(1)]),
  resendCall: onePath,
  searchBodies: z.tuple([z.string().max(1000)]),
  openReport: onePath,
  listRuns: none,
  openRun: z.tuple([z.string().min(1).max(255)]),
};

export function isRpcMethod(name: string): name is RpcMethod {
  return (RPC_METHODS as readonly string[]).includes(name);
}

export async function dispatch(api: DesktopApi, method: string, args: unknown): Promise<unknown> {
  if (!isRpcMethod(method)) throw new HostError('not_found', `no such method: ${method}`);
  const parsed = ARGS[method].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at argument ${issue.path.join('.')}` : '';
    throw new HostError(
      'bad_request',
      `bad arguments for ${method}${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const a = parsed.data;
  switch (method) {
    case 'listDir':
      return api.listDir((a[0] as string | null | undefined) ?? undefined);
    case 'openFolder':
      return api.openFolder(a[0] as string);
    case 'createFolder':
      return api.createFolder(a[0] as string);
    case 'readFile':
      return api.readFile(a[0] as string);
    case 'saveFile':
      return api.saveFile(a[0] as string, a[1] as string, a[2] as string | null);
    case 'previewFix':
      return api.previewFix(a[0] as FixRequest);
    case 'recordMiss':
      return api.recordMiss(a[0] as string);
    case 'resendCall':
      return api.resendCall(a[0] as string);
    case 'searchBodies':
      return api.searchBodies(a[0] as string);
    case 'openReport':
      return api.openReport(a[0] as string);
    case 'openRun':
      return api.openRun(a[0] as string);
    default:
      return api[method]();
  }
}
