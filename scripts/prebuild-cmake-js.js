#!/usr/bin/env node
// prebuildify drives node-gyp; `npm run prebuild` passes this script as its node-gyp so that the addon is
// built with cmake-js like every other build. It is a Node-API addon (one build serves every Node >= 20),
// so prebuildify's --target only picks header versions and is ignored; cmake-js uses node-api-headers.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const [command, ...args] = process.argv.slice(2);
if (command !== 'rebuild') {
  process.stderr.write(`prebuild-cmake-js: only 'rebuild' is supported (prebuildify asked for '${command}')\n`);
  process.exit(1);
}
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const r = spawnSync(process.execPath, [cmakeJs, 'rebuild', ...(args.includes('--debug') ? ['--debug'] : [])], {
  stdio: 'inherit',
});
process.exit(r.status === null ? 1 : r.status);
