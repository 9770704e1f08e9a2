#include "net/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace quarry::net {
namespace {

// zlib counts in uInt; feed larger inputs in slices of this size.
constexpr size_t kMaxSlice = size_t{1} << 30;
// First output allocation: a guess from the input size (typical JSON inflates
// 5-10x), clamped so a tiny body does not allocate the whole cap up front.
constexpr size_t kMinInitialOutput = 4 * 1024;
constexpr size_t kMaxInitialOutput = 256 * 1024;

// Grows `s` so that capacity() >= target without ever allocating more than
// `target`. libstdc++'s reserve() doubles when the request is below twice the
// current capacity, which would break the "never beyond cap + padding" promise.
void GrowExactly(std::string& s, size_t target) {
  if (target <= s.capacity()) return;
  if (target >= 2 * s.capacity()) {
    s.reserve(target);
    return;
  }
  std::string bigger;
  bigger.reserve(target);
  bigger.assign(s);
  s.swap(bigger);
}

class InflateStream {
 public:
  InflateStream() = default;
  ~InflateStream() {
    if (initialised_) inflateEnd(&strm_);
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  bool Init() {
    initialised_ = inflateInit2(&strm_, 16 + MAX_WBITS) == Z_OK;
    return initialised_;
  }
  z_stream* get() { return &strm_; }

 private:
  z_stream strm_{};
  bool initialised_ = false;
};

}  // namespace

Result<std::string> GunzipCapped(std::string_view input, size_t max_output, size_t padding) {
  InflateStream stream;
  if (!stream.Init()) return Fail(ErrorCode::kInternal, "inflateInit2 failed");
  z_stream* strm = stream.get();

  const unsigned char* in = reinterpret_cast<const unsigned char*>(input.data());
  size_t in_left = input.size();

  std::string out;
  size_t initial = std::clamp(input.size() * 4, kMinInitialOutput, kMaxInitialOutput);
  GrowExactly(out, std::min(initial, max_output) + padding);
  // The string's size tracks its capacity while inflating so that every byte
  // zlib writes is inside [data(), data() + size()).
  out.resize(out.capacity());
  size_t produced = 0;

  for (;;) {
    if (strm->avail_in == 0 && in_left > 0) {
      size_t slice = std::min(in_left, kMaxSlice);
      strm->next_in = const_cast<unsigned char*>(in);
      strm->avail_in = static_cast<uInt>(slice);
      in += slice;
      in_left -= slice;
    }

    size_t usable = std::min(out.size() - padding, max_output);
    if (produced == usable && usable < max_output) {
      // Out of room below the cap: grow geometrically, never past cap + padding.
      size_t next = std::min(std::max(usable * 2, kMinInitialOutput), max_output);
      GrowExactly(out, next + padding);
      out.resize(out.capacity());
      usable = std::min(out.size() - padding, max_output);
    }

    int ret;
    if (produced == max_output) {
      // At the cap: ask for one more byte into a scratch slot. Any output means
      // the stream is larger than allowed.
      unsigned char probe;
      strm->next_out = &probe;
      strm->avail_out = 1;
      ret = inflate(strm, Z_NO_FLUSH);
      if (strm->avail_out == 0) {
        return Fail(ErrorCode::kTooLarge,
                    "inflated body exceeds " + std::to_string(max_output) + " bytes");
      }
    } else {
      size_t room = std::min(usable - produced, kMaxSlice);
      strm->next_out = reinterpret_cast<unsigned char*>(out.data() + produced);
      strm->avail_out = static_cast<uInt>(room);
      ret = inflate(strm, Z_NO_FLUSH);
      produced += room - strm->avail_out;
    }

    if (ret == Z_STREAM_END) {
      if (strm->avail_in != 0 || in_left != 0) {
        return Fail(ErrorCode::kInvalidArgument, "trailing bytes after the gzip stream");
      }
      break;
    }
    if (ret == Z_OK) continue;
    if (ret == Z_BUF_ERROR) {
      // No progress possible: either zlib needs more input (there is none:
      // the stream is truncated) or more output (handled at the loop top).
      if (strm->avail_in == 0 && in_left == 0) {
        return Fail(ErrorCode::kInvalidArgument, "truncated gzip stream");
      }
      continue;
    }
    if (ret == Z_MEM_ERROR) return Fail(ErrorCode::kInternal, "inflate: out of memory");
    return Fail(ErrorCode::kInvalidArgument,
                std::string("invalid gzip stream: ") + (strm->msg ? strm->msg : "data error"));
  }

  out.resize(produced);
  GrowExactly(out, produced + padding);
  return out;
}

std::string Gzip(std::string_view input, int level) {
  z_stream strm{};
  if (deflateInit2(&strm, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out;
  out.resize(deflateBound(&strm, static_cast<uLong>(input.size())) + 32);
  size_t produced = 0;
  const unsigned char* in = reinterpret_cast<const unsigned char*>(input.data());
  size_t in_left = input.size();
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    if (strm.avail_in == 0 && in_left > 0) {
      size_t slice = std::min(in_left, kMaxSlice);
      strm.next_in = const_cast<unsigned char*>(in);
      strm.avail_in = static_cast<uInt>(slice);
      in += slice;
      in_left -= slice;
    }
    if (produced == out.size()) out.resize(out.size() * 2);
    size_t room = std::min(out.size() - produced, kMaxSlice);
    strm.next_out = reinterpret_cast<unsigned char*>(out.data() + produced);
    strm.avail_out = static_cast<uInt>(room);
    ret = deflate(&strm, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
    produced += room - strm.avail_out;
    if (ret == Z_STREAM_ERROR) break;
  }
  deflateEnd(&strm);
  out.resize(produced);
  return out;
}

}  // namespace quarry::net
