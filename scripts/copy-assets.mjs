// Copies non-TypeScript assets that the compiled code reads at run time (SQL migrations) into dist/.
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = ['store/migrations'];
for (const rel of assets) {
  mkdirSync(join(root, 'dist', rel), { recursive: true });
  cpSync(join(root, 'src', rel), join(root, 'dist', rel), { recursive: true });
}
