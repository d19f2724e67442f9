'use strict';
// The command-line options of the bench scripts: `--name value` pairs, each name one the script declares
// (with its default). An unknown or valueless option is an error that names it and exits 2, so a mistyped
// `--kill-run 5` cannot quietly run the default.
const { parseArgs } = require('node:util');

/**
 * `args` parsed against `defaults` ({ 'kill-runs': '20', ... }; a default of undefined: none): the values
 * as strings by name; `positionals` allowed only when asked for.
 */
function options(args, defaults, { usage, positionals = false } = {}) {
  const spec = Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: 'string' }]));
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, strict: true, allowPositionals: positionals });
  } catch (e) {
    const known = Object.keys(defaults).map((n) => `--${n}`).join(', ');
    console.error(`${e.message}\naccepted options: ${known}${usage ? `\n${usage}` : ''}`);
    process.exit(2);
  }
  const values = { ...defaults };
  for (const [name, value] of Object.entries(parsed.values)) values[name] = value;
  return positionals ? { values, positionals: parsed.positionals } : values;
}

module.exports = { options };
