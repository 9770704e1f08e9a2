// Server-Sent Events (text/event-stream), both directions, as the WHATWG HTML
// standard ("Server-sent events", "Interpreting an event stream") defines them.
// Pure: no I/O, no Beast; the server streams FormatSseEvent() output through a
// ResponseStream, the CLI feeds HttpsClient::Stream() chunks to an SseParser.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace quarry::net {

struct SseEvent {
  // The last event id seen on the stream, as EventSource's lastEventId: an
  // `id:` field sets it and it carries over to later events until the next
  // `id:`. "" when the stream never sent one.
  std::string id;
  std::string event;  // the `event:` field; "" means the default type, "message"
  std::string data;   // `data:` lines joined with "\n"
};

// Splits a byte stream into events. Accepts CRLF, LF and CR line ends, lines
// and events split anywhere across Feed() calls, a leading UTF-8 BOM, comment
// lines (":..."), fields without a value ("data"), and ignores `retry:` and
// unknown fields. As the standard says, an event is dispatched at the blank
// line that ends it, only if it has data (a block of only `id:` still sets the
// last event id), and an unfinished event at the end of the stream is dropped.
//
// Bounded: when one event (its pending line plus its data) grows over
// `max_event_bytes`, the parser fails for good: failed() turns true and later
// input is ignored, so the caller should close the stream.
//
// Not thread-safe; one parser per stream.
class SseParser {
 public:
  static constexpr size_t kDefaultMaxEventBytes = 16 * 1024 * 1024;

  explicit SseParser(size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Parses `bytes`; calls `on_event` for each event completed by them, in
  // order. The reference passed is valid only during the call.
  void Feed(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event);

  bool failed() const { return failed_; }

 private:
  void FeedLines(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event);
  void Line(std::string_view line, const std::function<void(const SseEvent&)>& on_event);
  void Fail();

  const size_t max_event_bytes_;
  bool failed_ = false;
  bool started_ = false;      // past the optional BOM
  bool after_cr_ = false;     // the last byte fed was a CR (an LF next is part of it)
  std::string pending_bom_;   // the first bytes, until they are known not to be a BOM
  std::string line_;          // the current line, unfinished
  std::string data_;          // data of the event being built, each line + "\n"
  std::string event_;         // its type
  std::string last_id_;       // the last event id buffer
  SseEvent out_;              // reused for dispatch
};

// One event in wire form: "event: <event>\n" and "id: <id>\n" when non-empty,
// one "data: <line>\n" per line of `data` (split at CRLF, LF or CR; at least
// one line, so empty data still dispatches), then the blank line. Line breaks
// (and NUL in the id) would corrupt the framing, so they are dropped from
// `event` and `id`.
std::string FormatSseEvent(std::string_view event, std::string_view id, std::string_view data);

}  // namespace quarry::net
