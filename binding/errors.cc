#include "errors.h"

namespace h5mpi {
namespace {

Napi::FunctionReference h5ErrorClass;
Napi::FunctionReference mpiErrorClass;

struct Frame {
  std::string major, minor, func, desc;
};

herr_t CollectFrame(unsigned, const H5E_error2_t* e, void* data) {
  auto* frames = static_cast<std::vector<Frame>*>(data);
  char major[256] = "", minor[256] = "";
  H5Eget_msg(e->maj_num, nullptr, major, sizeof major);
  H5Eget_msg(e->min_num, nullptr, minor, sizeof minor);
  frames->push_back({major, minor, e->func_name ? e->func_name : "", e->desc ? e->desc : ""});
  return 0;
}

[[noreturn]] void ThrowWith(Napi::Env env, Napi::FunctionReference& cls, const std::string& message,
                            Napi::Value detail) {
  if (cls.IsEmpty()) throw Napi::Error::New(env, message);
  throw Napi::Error(env, cls.New({Napi::String::New(env, message), detail}));
}

Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  h5ErrorClass = Napi::Persistent(info[0].As<Napi::Function>());
  mpiErrorClass = Napi::Persistent(info[1].As<Napi::Function>());
  return info.Env().Undefined();
}

}  // namespace

void ThrowH5(Napi::Env env, const std::string& what) {
  std::vector<Frame> frames;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, CollectFrame, &frames);
  H5Eclear2(H5E_DEFAULT);
  // The innermost frame says what really went wrong ("unable to lock file, errno = 11 ...").
  std::string message = what + " failed";
  if (!frames.empty()) {
    const Frame& inner = frames.back();
    message += ": " + (inner.desc.empty() ? inner.minor : inner.desc);
  }
  Napi::Array stack = Napi::Array::New(env, frames.size());
  for (size_t i = 0; i < frames.size(); i++) {
    Napi::Object f = Napi::Object::New(env);
    f.Set("major", frames[i].major);
    f.Set("minor", frames[i].minor);
    f.Set("func", frames[i].func);
    f.Set("desc", frames[i].desc);
    stack.Set(i, f);
  }
  ThrowWith(env, h5ErrorClass, message, stack);
}

void ThrowMPI(Napi::Env env, int code, const std::string& what) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(code, text, &len);
  int errorClass = code;
  MPI_Error_class(code, &errorClass);
  ThrowWith(env, mpiErrorClass, what + " failed: " + std::string(text, len), Napi::Number::New(env, errorClass));
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
  // HDF5 prints its error stack to stderr by default; we turn every failure into an exception instead.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  exports.Set("setErrorClasses", Napi::Function::New(env, SetErrorClasses));
}

}  // namespace h5mpi
