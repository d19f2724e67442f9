#include "errors.h"

#include <cstdlib>
#include <cstring>

#include "addon.h"

namespace h5mpi {
namespace {

struct Frame {
  hid_t major, minor;
  std::string majorText, minorText, func, desc;
};

herr_t CollectFrame(unsigned, const H5E_error2_t* e, void* data) {
  auto* frames = static_cast<std::vector<Frame>*>(data);
  char major[256] = "", minor[256] = "";
  H5Eget_msg(e->maj_num, nullptr, major, sizeof major);
  H5Eget_msg(e->min_num, nullptr, minor, sizeof minor);
  frames->push_back({e->maj_num, e->min_num, major, minor, e->func_name ? e->func_name : "", e->desc ? e->desc : ""});
  return 0;
}

// The code for one frame's error numbers, or nullptr when they say nothing more specific than "failed".
const char* CodeOf(const Frame& f) {
  hid_t m = f.minor;
  if (m == H5E_NOTHDF5) return "NOT_HDF5";
  if (m == H5E_CANTLOCKFILE) return "LOCKED";
  if (m == H5E_EXISTS || m == H5E_ALREADYEXISTS || m == H5E_FILEEXISTS) return "EXISTS";
  if (m == H5E_NOTFOUND) return "NOT_FOUND";
  // H5E_PLUGIN: loading a filter's plugin failed (HDF5 1.14 fails a read so when a directory on
  // HDF5_PLUGIN_PATH does not exist, where 1.10 reports the filter missing).
  if (f.major == H5E_PLINE || f.major == H5E_PLUGIN || m == H5E_CANTFILTER || m == H5E_NOFILTER) return "FILTER";
  if (f.major == H5E_IO || m == H5E_READERROR || m == H5E_WRITEERROR || m == H5E_SEEKERROR || m == H5E_CLOSEERROR ||
      m == H5E_TRUNCATED) {
    return "IO";
  }
  return nullptr;
}

// The innermost frame with a specific code decides: it is closest to what really went wrong.
const char* CodeOf(const std::vector<Frame>& frames) {
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    if (const char* code = CodeOf(*f)) return code;
  }
  return "FAILED";
}

const char* MPIClassName(int errorClass) {
  static const struct {
    int cls;
    const char* name;
  } names[] = {
      {MPI_ERR_BUFFER, "MPI_ERR_BUFFER"},
      {MPI_ERR_COUNT, "MPI_ERR_COUNT"},
      {MPI_ERR_TYPE, "MPI_ERR_TYPE"},
      {MPI_ERR_TAG, "MPI_ERR_TAG"},
      {MPI_ERR_COMM, "MPI_ERR_COMM"},
      {MPI_ERR_RANK, "MPI_ERR_RANK"},
      {MPI_ERR_REQUEST, "MPI_ERR_REQUEST"},
      {MPI_ERR_ROOT, "MPI_ERR_ROOT"},
      {MPI_ERR_GROUP, "MPI_ERR_GROUP"},
      {MPI_ERR_OP, "MPI_ERR_OP"},
      {MPI_ERR_TOPOLOGY, "MPI_ERR_TOPOLOGY"},
      {MPI_ERR_DIMS, "MPI_ERR_DIMS"},
      {MPI_ERR_ARG, "MPI_ERR_ARG"},
      {MPI_ERR_UNKNOWN, "MPI_ERR_UNKNOWN"},
      {MPI_ERR_TRUNCATE, "MPI_ERR_TRUNCATE"},
      {MPI_ERR_OTHER, "MPI_ERR_OTHER"},
      {MPI_ERR_INTERN, "MPI_ERR_INTERN"},
      {MPI_ERR_IN_STATUS, "MPI_ERR_IN_STATUS"},
      {MPI_ERR_PENDING, "MPI_ERR_PENDING"},
      {MPI_ERR_FILE, "MPI_ERR_FILE"},
      {MPI_ERR_IO, "MPI_ERR_IO"},
      {MPI_ERR_NO_SPACE, "MPI_ERR_NO_SPACE"},
      {MPI_ERR_NO_MEM, "MPI_ERR_NO_MEM"},
      {MPI_ERR_ACCESS, "MPI_ERR_ACCESS"},
  };
  for (const auto& n : names) {
    if (n.cls == errorClass) return n.name;
  }
  return "MPI_ERR_OTHER";
}

[[noreturn]] void ThrowWith(Napi::Env env, Napi::FunctionReference& cls, const std::string& message,
                            std::initializer_list<napi_value> rest) {
  if (cls.IsEmpty()) throw Napi::Error::New(env, message);
  std::vector<napi_value> args{Napi::String::New(env, message)};
  args.insert(args.end(), rest);
  throw Napi::Error(env, cls.New(args));
}

// setErrorClasses(makeH5Error, makeMPIError): lib/native.ts hands over how to make its error classes.
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  AddonData& data = Data(info.Env());
  data.h5Error = Napi::Persistent(info[0].As<Napi::Function>());
  data.mpiError = Napi::Persistent(info[1].As<Napi::Function>());
  return info.Env().Undefined();
}

}  // namespace

ErrorSubject::ErrorSubject(Napi::Env env, hid_t id) : slot_(Data(env).errorSubject), saved_(slot_) { slot_ = id; }
ErrorSubject::~ErrorSubject() { slot_ = saved_; }

namespace {

// The errno HDF5's sec2 driver put in a frame's description ("..., errno = 28, error message = 'No space
// left on device', ..."), with its text; 0 when there is none.
int ErrnoOf(const std::vector<Frame>& frames, std::string* text) {
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    size_t at = f->desc.find("errno = ");
    if (at == std::string::npos) continue;
    int number = std::atoi(f->desc.c_str() + at + 8);
    if (number <= 0) continue;
    const std::string mark = "error message = '";
    size_t m = f->desc.find(mark, at);
    size_t end = m == std::string::npos ? m : f->desc.find('\'', m + mark.size());
    *text = end == std::string::npos ? std::strerror(number) : f->desc.substr(m + mark.size(), end - m - mark.size());
    return number;
  }
  return 0;
}

// What went wrong, from the innermost frame, short: the sec2 driver's descriptions run on with the time,
// the buffer's address and the sizes ("file write failed: time = ..., filename = ..."), cut before them.
std::string ReasonOf(const std::vector<Frame>& frames) {
  if (frames.empty()) return "";
  const Frame& inner = frames.back();
  std::string reason = inner.desc.empty() ? inner.minorText : inner.desc;
  size_t cut = reason.find(": time = ");
  if (cut != std::string::npos) reason.resize(cut);
  return reason;
}

// " of '/g' in file 'a.h5'" for what the failed call worked on, where `what` does not name them.
std::string SubjectOf(hid_t subject, const std::string& what) {
  if (subject < 0 || H5Iis_valid(subject) <= 0) return "";
  std::string out;
  ssize_t n = H5Iget_name(subject, nullptr, 0);
  if (n > 0) {
    std::string path(static_cast<size_t>(n) + 1, '\0');
    H5Iget_name(subject, &path[0], path.size());
    path.resize(static_cast<size_t>(n));
    // Only where `what` names no path of its own: an object's path as HDF5 keeps it is stale after a move.
    if (what.find("'/") == std::string::npos) out += " of " + Quote(path);
  }
  n = H5Fget_name(subject, nullptr, 0);
  if (n > 0) {
    std::string file(static_cast<size_t>(n) + 1, '\0');
    H5Fget_name(subject, &file[0], file.size());
    file.resize(static_cast<size_t>(n));
    if (what.find(Quote(file)) == std::string::npos) out += " in file " + Quote(file);
  }
  H5Eclear2(H5E_DEFAULT);
  return out;
}

}  // namespace

void ThrowOutOfMemory(Napi::Env env, const std::string& what) {
  ThrowH5Code(env,
              what +
                  " failed: not enough memory for the size the file claims (a damaged file can claim any size; "
                  "untrusted mode caps it: docs/untrusted-files.md)",
              "TOO_LARGE");
}

void ThrowH5(Napi::Env env, const std::string& what) {
  std::vector<Frame> frames;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, CollectFrame, &frames);
  H5Eclear2(H5E_DEFAULT);
  AddonData& data = Data(env);
  // The innermost frame says what really went wrong ("unable to lock file, errno = 11 ..."); the operating
  // system's errno, where HDF5 recorded one, is said by name.
  std::string message = what + SubjectOf(data.errorSubject, what) + " failed";
  std::string reason = ReasonOf(frames);
  std::string errnoText;
  int number = ErrnoOf(frames, &errnoText);
  if (!reason.empty()) message += ": " + reason;
  if (number > 0 && reason.find(errnoText) == std::string::npos) {
    message += ": " + errnoText + " (errno " + std::to_string(number) + ")";
  }
  Napi::Array stack = Napi::Array::New(env, frames.size());
  for (size_t i = 0; i < frames.size(); i++) {
    Napi::Object f = Napi::Object::New(env);
    f.Set("major", frames[i].majorText);
    f.Set("minor", frames[i].minorText);
    f.Set("func", frames[i].func);
    f.Set("desc", frames[i].desc);
    stack.Set(i, f);
  }
  Napi::Value errnoValue = number > 0 ? Napi::Number::New(env, number) : env.Undefined();
  ThrowWith(env, data.h5Error, message, {stack, Napi::String::New(env, CodeOf(frames)), errnoValue});
}

void ThrowH5Code(Napi::Env env, const std::string& message, const char* code) {
  ThrowWith(env, Data(env).h5Error, message, {Napi::Array::New(env, 0), Napi::String::New(env, code)});
}

void ThrowMPI(Napi::Env env, int code, const std::string& what) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(code, text, &len);
  int errorClass = code;
  MPI_Error_class(code, &errorClass);
  // MPICH's texts are stacks ("Invalid rank, error stack:" and a line per function): the message takes the
  // first line, the error's `detail` the whole text.
  std::string full(text, len);
  while (!full.empty() && (full.back() == '\n' || full.back() == ' ')) full.pop_back();
  std::string line = full.substr(0, full.find('\n'));
  const std::string stackMark = ", error stack:";
  if (line.size() > stackMark.size() &&
      line.compare(line.size() - stackMark.size(), stackMark.size(), stackMark) == 0) {
    line.erase(line.size() - stackMark.size());
  }
  Napi::Value detail = line.size() == full.size() ? env.Undefined() : Napi::String::New(env, full);
  ThrowWith(env, Data(env).mpiError, what + " failed: " + line,
            {Napi::Number::New(env, errorClass), Napi::String::New(env, MPIClassName(errorClass)), detail});
}

void ThrowUsage(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

std::vector<hsize_t> ToDims(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<hsize_t> dims(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) dims[i] = static_cast<hsize_t>(a.Get(i).As<Napi::Number>().DoubleValue());
  return dims;
}

Napi::Array FromDims(Napi::Env env, const hsize_t* dims, int rank) {
  Napi::Array a = Napi::Array::New(env, rank);
  for (int i = 0; i < rank; i++) a.Set(i, Napi::Number::New(env, static_cast<double>(dims[i])));
  return a;
}

Napi::Array FromStrings(Napi::Env env, const std::vector<std::string>& strings) {
  Napi::Array a = Napi::Array::New(env, strings.size());
  for (size_t i = 0; i < strings.size(); i++) a.Set(i, strings[i]);
  return a;
}

void InitErrors(Napi::Env env, Napi::Object exports) {
  // HDF5 prints its error stack to stderr by default; every failure becomes an exception instead.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  exports.Set("setErrorClasses", Napi::Function::New(env, SetErrorClasses));
}

}  // namespace h5mpi
