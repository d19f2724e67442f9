# An OpenMPI CI container for h5mpi: the same install script as `npm test` on a fresh machine.
FROM node:20-bookworm
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --with-peers && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --shell /bin/bash h5mpi
USER h5mpi
WORKDIR /home/h5mpi/h5mpi
COPY --chown=h5mpi:h5mpi . .
RUN npm ci --no-audit --no-fund
CMD ["npm", "test"]
