import { StartPage } from '../start/StartPage';
import { FolderBrowser } from '../start/FolderBrowser';
import { useSnapshot } from '../state/snapshot-store';
import { GuardDialog } from './GuardDialog';
import { LoadingOverlay } from './LoadingOverlay';
import { useAppEffects } from './useAppEffects';
import { Workspace } from './Workspace';

export function App() {
  useAppEffects();
  const hasFolder = useSnapshot((s) => s.dir !== null);
  return (
    <>
      {hasFolder ? <Workspace /> : <StartPage />}
      <LoadingOverlay />
      <FolderBrowser />
      <GuardDialog />
    </>
  );
}
