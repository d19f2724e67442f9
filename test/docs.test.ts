// The API reference builds without a warning: TypeDoc (typedoc.json, as `npm run docs` runs it) with warnings
// as errors, so that an export that refers to an unexported type, a broken {@link} or a TSDoc mistake in
// lib/ fails here. Written into a temporary directory, not docs/api/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

test('typedoc builds the API reference of lib/index.ts without warnings', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-docs-'));
  try {
    const r = spawnSync(process.execPath, [TYPEDOC, '--treatWarningsAsErrors', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 90_000,
    });
    if (r.status !== 0) {
      const how = r.error ? `failed to run (${r.error.message})` : `exited with ${r.status ?? r.signal}`;
      throw new Error(`typedoc ${how}:\n${r.stdout}${r.stderr}`);
    }
    expect(fs.existsSync(path.join(out, 'index.html'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'classes', 'File.html'))).toBe(true);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
