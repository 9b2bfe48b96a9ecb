// The streams of one plugin instance. Owns every stream object from stream_open until
// stream_destroy; the live ones (not yet closed) count against max_streams, and an open at the
// limit evicts the least recently active live stream. Activity and the closed flag are each
// stream's own atomics, so the packet path never takes the table lock; the linear scan for the
// oldest runs only when the table holds max_streams entries or more.
//
// S provides (see StreamBase): is_closed(), claim_close(), last_activity_ns().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace net::reliability {

template <class S>
class StreamTable {
public:
    explicit StreamTable(std::size_t max_live) : max_live_(max_live) {}

    // Adds `stream`. When the live streams already number max_streams, first claims the close of
    // the least recently active one and returns it: the caller must call finish_close() on it.
    std::shared_ptr<S> insert(std::shared_ptr<S> stream)
    {
        std::lock_guard lock(mutex_);
        std::shared_ptr<S> evicted;
        if (entries_.size() >= max_live_) {
            std::size_t live = 0;
            S* oldest = nullptr;
            for (const auto& [ptr, owned] : entries_) {
                if (ptr->is_closed()) continue;
                ++live;
                if (oldest == nullptr || ptr->last_activity_ns() < oldest->last_activity_ns()) oldest = ptr;
            }
            if (live >= max_live_ && oldest != nullptr && oldest->claim_close()) evicted = entries_.at(oldest);
        }
        S* key = stream.get();
        entries_.emplace(key, std::move(stream));
        return evicted;
    }

    // Takes the stream out of the table (stream_destroy); nullptr for an unknown handle.
    std::shared_ptr<S> remove(S* stream)
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(stream);
        if (it == entries_.end()) return nullptr;
        std::shared_ptr<S> out = std::move(it->second);
        entries_.erase(it);
        return out;
    }

    // Every stream not yet closed, for the periodic tick.
    void snapshot_live(std::vector<std::shared_ptr<S>>& out) const
    {
        out.clear();
        std::lock_guard lock(mutex_);
        for (const auto& [ptr, owned] : entries_) {
            if (!ptr->is_closed()) out.push_back(owned);
        }
    }

    // Every stream still owned; used when the instance goes away before the kernel destroyed them.
    std::vector<std::shared_ptr<S>> take_all()
    {
        std::lock_guard lock(mutex_);
        std::vector<std::shared_ptr<S>> out;
        out.reserve(entries_.size());
        for (auto& [ptr, owned] : entries_) out.push_back(std::move(owned));
        entries_.clear();
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<S*, std::shared_ptr<S>> entries_;
    std::size_t max_live_;
};

}  // namespace net::reliability
