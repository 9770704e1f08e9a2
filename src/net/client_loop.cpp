#include "net/client_loop.h"

#include <algorithm>
#include <exception>

#include <boost/asio/post.hpp>

#include "base/log.h"
#include "net/client_loop_impl.h"

namespace quarry::net {
namespace {

namespace asio = boost::asio;

// Stop() waits this long for posted work and closing clients to finish.
constexpr std::chrono::seconds kStopGrace{5};

void RunGuarded(const std::function<void()>& fn, const char* what) {
  try {
    fn();
  } catch (const std::exception& e) {
    quarry::log::Warn("net: client loop {} threw: {}", what, e.what());
  } catch (...) {
    quarry::log::Warn("net: client loop {} threw", what);
  }
}

}  // namespace

ClientLoop::Core::Core(unsigned threads)
    : thread_count(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())),
      ioc(static_cast<int>(thread_count)),
      work_(ioc.get_executor()) {}

ClientLoop::Core::~Core() { Stop(); }

void ClientLoop::Core::Start() {
  std::lock_guard lock(state_mu_);
  if (started_ || stopped_) return;
  started_ = true;
  threads_.reserve(thread_count);
  for (unsigned i = 0; i < thread_count; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc.run();
          break;
        } catch (const std::exception& e) {
          quarry::log::Error("net: client loop thread caught: {}", e.what());
        }
      }
      std::lock_guard exit_lock(state_mu_);
      ++exited_;
      exited_cv_.notify_all();
    });
  }
}

void ClientLoop::Core::Stop() {
  bool was_started;
  {
    std::lock_guard lock(state_mu_);
    if (stopped_) return;
    stopped_ = true;
    was_started = started_;
  }
  {
    // Under clients_mu_ so that a client registering now either is in the
    // snapshot below or sees stopping() and closes itself.
    std::lock_guard lock(clients_mu_);
    stopping_.store(true, std::memory_order_release);
  }
  {
    std::lock_guard lock(timers_mu_);
    for (auto& [id, timer] : timers_) timer->cancel();
    timers_.clear();
  }
  std::vector<std::shared_ptr<LoopClient>> live;
  {
    std::lock_guard lock(clients_mu_);
    live.reserve(clients_.size());
    for (auto& [ptr, weak] : clients_) {
      if (auto client = weak.lock()) live.push_back(std::move(client));
    }
  }
  for (auto& client : live) client->Shutdown();
  live.clear();
  work_.reset();  // run() returns once the remaining work is done

  if (!was_started) {
    ioc.run_for(kStopGrace);
    ioc.stop();
    std::lock_guard lock(state_mu_);
    finished_ = true;
    return;
  }
  {
    std::unique_lock lock(state_mu_);
    if (!exited_cv_.wait_for(lock, kStopGrace, [this] { return exited_ == threads_.size(); })) {
      quarry::log::Warn("net: client loop still busy after {}s; abandoning its work",
                        kStopGrace.count());
    }
  }
  ioc.stop();
  for (auto& t : threads_) {
    if (t.get_id() == std::this_thread::get_id()) {
      quarry::log::Error("net: ClientLoop::Stop called from a loop thread; not joining it");
      t.detach();
    } else {
      t.join();
    }
  }
  std::lock_guard lock(state_mu_);
  threads_.clear();
  finished_ = true;
}

void ClientLoop::Core::Post(std::function<void()> fn) {
  if (!fn) return;
  {
    std::lock_guard lock(state_mu_);
    if (finished_) return;
  }
  asio::post(ioc, [fn = std::move(fn)] { RunGuarded(fn, "task"); });
}

uint64_t ClientLoop::Core::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (!fn) return 0;
  auto timer = std::make_shared<asio::steady_timer>(ioc, delay);
  std::lock_guard lock(timers_mu_);
  if (stopping()) return 0;
  const uint64_t id = next_timer_++;
  timers_.emplace(id, timer);
  timer->async_wait([this, id, fn = std::move(fn)](boost::system::error_code ec) {
    {
      std::lock_guard timers_lock(timers_mu_);
      auto it = timers_.find(id);
      if (it == timers_.end()) return;  // cancelled, even if it expired first
      timers_.erase(it);
    }
    if (!ec) RunGuarded(fn, "timer");
  });
  return id;
}

void ClientLoop::Core::Cancel(uint64_t id) {
  std::lock_guard lock(timers_mu_);
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

bool ClientLoop::Core::Register(LoopClient* client, std::weak_ptr<LoopClient> weak) {
  std::lock_guard lock(clients_mu_);
  if (stopping()) return false;
  clients_.emplace(client, std::move(weak));
  return true;
}

void ClientLoop::Core::Unregister(LoopClient* client) {
  std::lock_guard lock(clients_mu_);
  clients_.erase(client);
}

ClientLoop::ClientLoop(unsigned threads) : core_(std::make_shared<Core>(threads)) {}

ClientLoop::~ClientLoop() { core_->Stop(); }

void ClientLoop::Start() { core_->Start(); }

void ClientLoop::Stop() { core_->Stop(); }

void ClientLoop::Post(std::function<void()> fn) { core_->Post(std::move(fn)); }

uint64_t ClientLoop::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  return core_->After(delay, std::move(fn));
}

void ClientLoop::Cancel(uint64_t timer) { core_->Cancel(timer); }

unsigned ClientLoop::threads() const { return core_->thread_count; }

}  // namespace quarry::net
