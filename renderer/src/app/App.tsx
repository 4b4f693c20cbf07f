import { StartPage } from '../start/StartPage.js';
import { FolderBrowser } from '../start/FolderBrowser.js';
import { useSnapshot } from '../state/snapshot-store.js';
import { GuardDialog } from './GuardDialog.js';
import { LoadingOverlay } from './LoadingOverlay.js';
import { useAppEffects } from './useAppEffects.js';
import { Workspace } from './Workspace.js';

export function App() {
  useAppEffects();
  const dir = useSnapshot((s) => s.dir);
  return (
    <>
      {/* Keyed by folder: filters, sorting and column sizes start fresh in another snapshot. */}
      {dir !== null ? <Workspace key={dir} /> : <StartPage />}
      <LoadingOverlay />
      <FolderBrowser />
      <GuardDialog />
    </>
  );
}
