/**
 * Monaco from npm, no CDN: the editor core and its contributions, the JSON language, and its two
 * workers built by Vite into the same folder as the app (so they load under `tapedeck ui`, a
 * custom Electron scheme and a strict CSP alike).
 */
import * as monaco from 'monaco-editor/editor/editor.api';
// Every editor contribution: they depend on each other's services (code lens cache, drag and
// drop), so a hand-picked subset fails at run time.
import 'monaco-editor/features/register.all';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import type { SchemaName } from '../../../shared/schema.js';
import { schemaOf, type FileKind, type PartId } from '../state/doc-parts.js';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

window.MonacoEnvironment = {
  getWorker: (_id, label) => (label === 'json' ? new JsonWorker() : new EditorWorker()),
};

export { monaco };

export type SchemaKey = SchemaName | 'tools';

/**
 * A model's URI names its schema in the authority (`tapedeck://call.schema/calls/….json`), so one
 * fileMatch glob per schema covers every file: the JSON service's globs match substrings of
 * path segments (`call/**` would match `calls/`), an authority at the start cannot be confused.
 * A document's parts have distinct schemas, hence distinct URIs.
 */
export function modelUri(schema: SchemaKey, path: string): monaco.Uri {
  return monaco.Uri.from({ scheme: 'tapedeck', authority: `${schema}.schema`, path: `/${path}` });
}

function fileMatchOf(schema: SchemaKey): string {
  return `tapedeck://${schema}.schema/**`;
}

/** The model of one part of one file; parts without a published schema are tool payloads. */
export function partUri(kind: FileKind, part: PartId, path: string): monaco.Uri {
  return modelUri(schemaOf(kind, part) ?? 'tools', path);
}

/** Tool payloads have no published schema: one is written here for the list the editor shows. */
const TOOL_CALLS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'arguments'],
    properties: {
      index: { type: 'integer', description: 'which tool call of the reply; do not change' },
      id: { type: ['string', 'null'] },
      name: { type: 'string', minLength: 1 },
      arguments: { description: 'the arguments as JSON, as the model sent them' },
    },
  },
};

export function configureSchemas(schemas: Partial<Record<SchemaName, object>>): void {
  const entries = Object.entries(schemas).map(([name, schema]) => ({
    uri: `tapedeck://schema/${name}.json`,
    fileMatch: [fileMatchOf(name as SchemaName)],
    schema,
  }));
  entries.push({
    uri: 'tapedeck://schema/tool-calls.json',
    fileMatch: [fileMatchOf('tools')],
    schema: TOOL_CALLS_SCHEMA,
  });
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemaValidation: 'error',
    trailingCommas: 'error',
    comments: 'error',
    schemas: entries,
  });
}

/** Drops every model of a closed document, and with them their undo history. */
export function disposeModelsOf(path: string): void {
  for (const model of monaco.editor.getModels()) {
    if (model.uri.scheme === 'tapedeck' && model.uri.path === `/${path}`) model.dispose();
  }
}

export function applyTheme(dark: boolean): void {
  monaco.editor.setTheme(dark ? 'vs-dark' : 'vs');
}
