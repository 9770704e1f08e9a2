#include "net/sse.h"

#include <algorithm>

namespace quarry::net {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Appends `value` to `out` without CR, LF and (when `drop_nul`) NUL.
void AppendClean(std::string& out, std::string_view value, bool drop_nul) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || (drop_nul && c == '\0')) continue;
    out += c;
  }
}

}  // namespace

void SseParser::Feed(std::string_view bytes,
                     const std::function<void(const SseEvent&)>& on_event) {
  if (failed_ || bytes.empty()) return;
  if (!started_) {
    // A BOM may only open the stream, and may arrive split across calls: hold
    // up to three bytes until it is clear whether they are one.
    const size_t take = std::min(kBom.size() - pending_bom_.size(), bytes.size());
    pending_bom_.append(bytes.substr(0, take));
    if (pending_bom_.size() < kBom.size() && kBom.substr(0, pending_bom_.size()) == pending_bom_) {
      return;  // all of `bytes` went into pending_bom_
    }
    started_ = true;
    std::string head = pending_bom_ == kBom ? std::string() : std::move(pending_bom_);
    pending_bom_.clear();
    pending_bom_.shrink_to_fit();
    FeedLines(head, on_event);
    FeedLines(bytes.substr(take), on_event);
    return;
  }
  FeedLines(bytes, on_event);
}

void SseParser::FeedLines(std::string_view bytes,
                          const std::function<void(const SseEvent&)>& on_event) {
  size_t pos = 0;
  const size_t n = bytes.size();
  if (after_cr_ && n > 0) {
    after_cr_ = false;
    if (bytes[0] == '\n') pos = 1;  // the LF of a CRLF split across calls
  }
  while (pos < n && !failed_) {
    const size_t eol = bytes.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) {
      line_.append(bytes.substr(pos));
      if (line_.size() + data_.size() > max_event_bytes_) Fail();
      return;
    }
    std::string_view line = bytes.substr(pos, eol - pos);
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    if (line.size() + data_.size() > max_event_bytes_) {
      Fail();
      return;
    }
    Line(line, on_event);
    line_.clear();
    if (bytes[eol] == '\r') {
      if (eol + 1 < n) {
        pos = eol + (bytes[eol + 1] == '\n' ? 2 : 1);
      } else {
        after_cr_ = true;  // an LF may open the next call
        pos = n;
      }
    } else {
      pos = eol + 1;
    }
  }
}

void SseParser::Line(std::string_view line,
                     const std::function<void(const SseEvent&)>& on_event) {
  if (line.empty()) {
    // Dispatch. An event without data only resets the type.
    if (!data_.empty()) {
      out_.id = last_id_;
      out_.event = event_;
      out_.data.assign(data_, 0, data_.size() - 1);  // without the last "\n"
      data_.clear();
      event_.clear();
      on_event(out_);
    } else {
      event_.clear();
    }
    return;
  }
  if (line.front() == ':') return;  // a comment (heartbeats are comments)
  std::string_view name = line;
  std::string_view value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    name = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    data_.append(value);
    data_ += '\n';
  } else if (name == "event") {
    event_.assign(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // "retry" and unknown fields are ignored.
}

void SseParser::Fail() {
  failed_ = true;
  line_ = std::string();
  data_ = std::string();
  event_ = std::string();
}

std::string FormatSseEvent(std::string_view event, std::string_view id, std::string_view data) {
  std::string out;
  out.reserve(event.size() + id.size() + data.size() + 32);
  std::string clean;
  AppendClean(clean, event, /*drop_nul=*/false);
  if (!clean.empty()) {
    out += "event: ";
    out += clean;
    out += '\n';
  }
  clean.clear();
  AppendClean(clean, id, /*drop_nul=*/true);
  if (!clean.empty()) {
    out += "id: ";
    out += clean;
    out += '\n';
  }
  size_t pos = 0;
  for (;;) {
    const size_t eol = data.find_first_of("\r\n", pos);
    out += "data: ";
    out.append(data.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
    out += '\n';
    if (eol == std::string_view::npos) break;
    pos = eol + (data[eol] == '\r' && eol + 1 < data.size() && data[eol + 1] == '\n' ? 2 : 1);
  }
  out += '\n';
  return out;
}

}  // namespace quarry::net
