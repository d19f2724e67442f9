/* The C side of test/mpi_interop.test.ts: rank 1 of an MPMD job whose rank 0 is h5mpi. It sends doubles
 * and ints with plain MPI_Send, receives h5mpi's typed-array messages with plain MPI_Recv (checking their
 * sizes with MPI_Get_count), sends them back doubled, and sends one message of raw bytes. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  double d[5] = {0.5, -1.25, 3e300, 0.0, 42.0};
  int i[3] = {-7, 0, 2147483647};
  MPI_Send(d, 5, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD);
  MPI_Send(i, 3, MPI_INT, 0, 2, MPI_COMM_WORLD);
  double in[16];
  MPI_Status st;
  MPI_Recv(in, 16, MPI_DOUBLE, 0, 3, MPI_COMM_WORLD, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_DOUBLE, &n);
  for (int k = 0; k < n; k++) in[k] *= 2;
  MPI_Send(in, n, MPI_DOUBLE, 0, 4, MPI_COMM_WORLD);
  float f[4];
  MPI_Recv(f, 4, MPI_FLOAT, 0, 5, MPI_COMM_WORLD, &st);
  MPI_Get_count(&st, MPI_FLOAT, &n);
  MPI_Send(&n, 1, MPI_INT, 0, 6, MPI_COMM_WORLD);
  unsigned char bytes[4] = {1, 2, 254, 255};
  MPI_Send(bytes, 4, MPI_BYTE, 0, 7, MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
