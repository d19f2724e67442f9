/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Multi-rank tests start mpiexec jobs; on a 2-core machine running test files one at a time keeps them fast.
  maxWorkers: 1,
  testTimeout: 120000,
};
