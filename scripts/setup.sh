#!/usr/bin/env bash
# Everything `npm test` and `npm run demo` need, done only when missing: system packages, node modules,
# the native addon, the compiled TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh ${H5MPI_INSTALL_FLAGS:-}

if [ ! -d node_modules ]; then
  echo "h5mpi: npm ci"
  npm ci --no-audit --no-fund   # its install script builds the addon; prepare compiles lib/
fi
# Either one will do (a checkout's prebuilds/ is usually missing: that alone must not mean "build").
if [ ! -e build/Release/h5mpi.node ] && ! compgen -G 'prebuilds/*/*.node' >/dev/null; then
  echo "h5mpi: building the native addon"
  npx --no-install cmake-js compile >/dev/null
fi
# Cheap when nothing changed; keeps dist/ in step with lib/.
npx --no-install tsc -p tsconfig.build.json
