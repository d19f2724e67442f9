// MPI communicators for Node: NativeComm (comm.cc) and what the files that add its calls share. Each
// concept is a file of its own (point-to-point in p2p.cc, collectives in collectives.cc and nonblocking.cc, topologies
// in topology.cc) that lists its calls in a table; every NativeComm gets them as functions bound to it. Serialisation
// of JS values and all policy live in lib/; here are only MPI calls.
#pragma once
#include <memory>
#include <vector>

#include "common.h"
#include "types.h"

namespace h5mpi {

// Initialises MPI on first use (MPI_THREAD_FUNNELED); safe to call again.
void EnsureMPI(Napi::Env env);
// The MPI_Comm inside a JS NativeComm (throws when it is freed or not a NativeComm).
MPI_Comm CommFromValue(Napi::Env env, const Napi::Value& v);
// A new NativeComm over `comm`; `owned`: made by h5mpi (split, dup, a topology), so free() may free it.
Napi::Object WrapComm(Napi::Env env, MPI_Comm comm, bool owned);

// A call on a communicator: `comm` is the live MPI_Comm of the NativeComm it is called on.
using CommCall = Napi::Value (*)(const Napi::CallbackInfo& info, MPI_Comm comm);
struct CommCallEntry {
  const char* name;
  CommCall call;
};
// The tables, one per file.
void PointToPointCalls(std::vector<CommCallEntry>& out);
void CollectiveCalls(std::vector<CommCallEntry>& out);
void NonblockingCollectiveCalls(std::vector<CommCallEntry>& out);
void TopologyCalls(std::vector<CommCallEntry>& out);

// ---- shared by the calls ----

// Largest element count passed to one MPI call (MPI counts are int); longer buffers go in pieces, or as
// one message of a derived type (BigType).
constexpr size_t kMaxCount = size_t(1) << 30;

// A view of a typed array / Buffer: its bytes, element count and MPI datatype.
struct View {
  char* data;
  size_t length;  // elements
  size_t elementSize;
  MPI_Datatype type;
  DType dtype;
  size_t bytes() const { return length * elementSize; }
};
View ToView(Napi::Env env, const Napi::Value& v);

// `length` elements of `base` as one (count, datatype) pair that MPI's int counts can hold: the base type
// itself up to kMaxCount elements, beyond that a derived type, freed with the object.
class BigType {
 public:
  BigType(Napi::Env env, MPI_Datatype base, size_t length);
  ~BigType();
  BigType(const BigType&) = delete;
  BigType& operator=(const BigType&) = delete;
  int count() const { return count_; }
  MPI_Datatype type() const { return type_; }

 private:
  int count_ = 0;
  MPI_Datatype type_;
  bool derived_ = false;
};

// Moves `count` elements of `elementSize` bytes in pieces of at most kMaxCount with `op(ptr, n)`.
template <typename F>
void InPieces(char* data, size_t count, size_t elementSize, F op) {
  do {
    size_t n = count < kMaxCount ? count : kMaxCount;
    op(data, static_cast<int>(n));
    data += n * elementSize;
    count -= n;
  } while (count > 0);
}

// The reduction op for a code of lib/'s OP_CODES.
MPI_Op ToOp(Napi::Env env, int code);

// lib/'s rank and tag arguments: -1 stands for MPI_ANY_SOURCE / MPI_ANY_TAG, -2 for MPI_PROC_NULL.
int ToRank(const Napi::Value& v);
int ToTag(const Napi::Value& v);
// lib/'s value for a rank MPI reports (MPI_PROC_NULL and MPI_ANY_SOURCE mapped back).
double FromRank(int rank);

// The first bytes of an object message (lib/message.ts's OBJECT_MAGIC): a receive into a typed array
// that got one says so (status flag 2).
constexpr unsigned char kObjectMark[8] = {0x89, 'H', '5', 'M', 'P', 'I', '\r', '\n'};

// Writes a status into the environment's status slots: source, tag, bytes, and `flag` (1: a receive
// longer than its buffer, or a cancelled request).
void ReportStatus(Napi::Env env, const MPI_Status& status, double bytes, double flag = 0);
void ReportStatus(Napi::Env env, int source, int tag, double bytes, double flag);

}  // namespace h5mpi
