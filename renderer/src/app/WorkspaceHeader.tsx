/** The folder's name and the files beside the calls: tapedeck.json and the scenarios. */
import { useState } from 'react';
import { addScenario, useSnapshot } from '../state/snapshot-store.js';
import { backToStart, selectFile } from '../state/navigation.js';
import { pickFolder } from './app-info.js';
import { MockStatusBar } from '../mock/MockStatusBar.js';
import { showView, useRuns, type View } from '../state/runs-store.js';

const SCENARIO_NAME = /^[A-Za-z0-9._-]+$/;

function ScenarioPicker() {
  const scenarios = useSnapshot((s) => s.scenarios);
  const selected = useSnapshot((s) => s.selected);
  const [name, setName] = useState('');
  const valid = SCENARIO_NAME.test(name);
  return (
    <span className="scenario-picker">
      {scenarios.map((path) => (
        <button
          key={path}
          type="button"
          className={selected === path ? 'file-tab active' : 'file-tab'}
          onClick={() => selectFile(path)}
        >
          {path.slice('scenarios/'.length, -'.json'.length)}
        </button>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid) return;
          const path = `scenarios/${name.replace(/\.json$/, '')}.json`;
          addScenario(path);
          selectFile(path);
          setName('');
        }}
      >
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="scenario name"
          aria-label="open or create a scenario"
          size={14}
        />
        <button type="submit" disabled={!valid}>
          Open scenario
        </button>
      </form>
    </span>
  );
}

function ViewTab({ view, label, title }: { view: View; label: string; title: string }) {
  const active = useRuns((s) => s.view === view);
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      className={active ? 'view-tab active' : 'view-tab'}
      onClick={() => showView(view)}
      title={title}
    >
      {label}
    </button>
  );
}

export function WorkspaceHeader() {
  const name = useSnapshot((s) => s.name);
  const dir = useSnapshot((s) => s.dir);
  const selected = useSnapshot((s) => s.selected);
  const hasManifest = useSnapshot(
    (s) => s.manifest !== null || s.errors.some((e) => e.file === 'tapedeck.json'),
  );
  return (
    <header className="app-header">
      <button type="button" className="brand" onClick={backToStart} title="Back to the start page">
        Tapedeck
      </button>
      <span className="folder-name" title={dir ?? ''}>
        {name}
      </span>
      <span className="view-switch" role="tablist" aria-label="view">
        <ViewTab view="calls" label="Calls" title="The calls table and the file editor" />
        <ViewTab view="runs" label="Runs" title="tapedeck load runs of this folder (runs/)" />
      </span>
      {hasManifest && (
        <button
          type="button"
          className={selected === 'tapedeck.json' ? 'file-tab active' : 'file-tab'}
          onClick={() => selectFile('tapedeck.json')}
          title="Manifest: normalizers, faults, price overrides"
        >
          tapedeck.json
        </button>
      )}
      <ScenarioPicker />
      <span className="spacer" />
      <MockStatusBar />
      <button type="button" onClick={() => void pickFolder()} title="Open folder (Ctrl/⌘ O)">
        Open folder…
      </button>
    </header>
  );
}
