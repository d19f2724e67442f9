// Runs every bad input of h5_serial_errors_cases.js in a plain `node` process (argv[2]: a scratch
// directory) and reports each error; the test checks that nothing reached stderr and the process lived on.
'use strict';
const h5 = require('../..');
const { report } = require('./report');
const { errorCases } = require('./h5_serial_errors_cases');

const { cases, afterwards, close } = errorCases(h5, process.argv[2]);
for (const c of cases) {
  try {
    c.run();
    report({ label: c.label, threw: false });
  } catch (e) {
    report({ label: c.label, threw: true, name: e.name, message: e.message, h5stack: Array.isArray(e.h5stack) ? e.h5stack.length : null });
  }
}
report({ label: 'afterwards', value: afterwards() });
close();
report({ label: 'done' });
