/** Where Tapedeck keeps its own state (recent folders, window placement, the sample's copy). */
import { homedir } from 'node:os';
import path from 'node:path';

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['TAPEDECK_CONFIG_DIR'];
  return override ? path.resolve(override) : path.join(homedir(), '.config', 'tapedeck');
}
