import { mpirunOk, RANK_COUNTS } from './helpers/mpirun';

describe.each(RANK_COUNTS)('MPI smoke on %i ranks', (n) => {
  test('allreduce and bcast cross ranks', async () => {
    const results = await mpirunOk(n, 'mpi_smoke.js');
    for (let r = 0; r < n; r++) {
      expect(results[r][0]).toEqual({ rank: r, size: n, sum: (n * (n + 1)) / 2, fromRoot: { hello: 'world' } });
    }
  });
});
