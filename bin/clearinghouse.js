#!/usr/bin/env node
// The installed `clearinghouse` command: runs the compiled CLI (build with `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  process.stderr.write(`clearinghouse: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
