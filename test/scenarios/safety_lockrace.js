// Two participants (parallel jobs or plain node processes, without a shared communicator) race to open the
// same new file, round after round. Usage:
//   safety_lockrace.js <dir> <me> <other> <rounds> <mode>
// Round k: both meet (marker files in <dir>), open <dir>/race-<k>.h5 with <mode> at once, and, if they got
// it, write their name into the root's attribute 'who'; they meet again before anyone closes, so the two opens always
// overlap (a participant that opened after the other closed would win fairly, not race). Each rank reports
// { label: 'round', round, threw, name, message, ms } per round.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { File, MPI } = require('../..');
const { report } = require('./report');

const [dir, me, other, roundsArg, mode] = process.argv.slice(2);
const rounds = Number(roundsArg);
const comm = MPI.COMM_WORLD;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Both participants reach `name`: rank 0 of each marks it and waits for the other's mark; then its ranks meet. */
function meet(name) {
  if (comm.rank === 0) {
    fs.writeFileSync(path.join(dir, `${name}.${me}`), '');
    const theirs = path.join(dir, `${name}.${other}`);
    for (let i = 0; !fs.existsSync(theirs); i++) {
      if (i > 30_000) throw new Error(`${me}: ${other} never reached ${name}`);
      sleep(1);
    }
  }
  if (comm.size > 1) comm.barrier();
}

for (let k = 0; k < rounds; k++) {
  const file = path.join(dir, `race-${k}.h5`);
  meet(`start-${k}`);
  // Up to 3 ms apart, either way round, so that each side gets to be first (and in the middle of the
  // other's open) in some rounds.
  sleep((k * 7 + (me === 'A' ? 0 : 3)) % 4);
  const t0 = Date.now();
  let f;
  try {
    f = File.open(file, mode);
    f.attrs.set('who', me);
    f.flush();
    report({ label: 'round', round: k, threw: false, ms: Date.now() - t0 });
  } catch (e) {
    report({ label: 'round', round: k, threw: true, name: e.name, code: e.code, message: e.message, ms: Date.now() - t0 });
  }
  meet(`tried-${k}`);
  f?.close();
}
