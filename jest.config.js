/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // `using` needs Symbol.dispose inside each test file's context (see the file).
  setupFiles: ['<rootDir>/test/helpers/jest-setup.js'],
  // Multi-rank tests start mpiexec jobs; on a 2-core machine running test files one at a time keeps them fast.
  maxWorkers: 1,
  testTimeout: 120000,
};
