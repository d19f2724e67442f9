'use strict';
const { MPI } = require('../..');
const { report } = require('./report');
const c = MPI.COMM_WORLD;
report({ size: c.size, sum: c.allreduce(c.rank + 1, 'sum'), fromRoot: c.bcast(c.rank === 0 ? { hello: 'world' } : null) });
