#include "net/kernel/node/channel_commands.hpp"

#include <cstring>
#include <stdexcept>
#include <vector>

#include "net/kernel/admin/payload_json.hpp"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/mesh/mesh_config.hpp"

namespace net::kernel::node {

namespace {

constexpr std::uint64_t kMaxWaitMs = 5000;
constexpr std::size_t kMaxPollEvents = 1000;
constexpr std::size_t kMaxPublishEvents = 10000;

std::string string_field(const nlohmann::json& request, const char* name)
{
    const auto it = request.find(name);
    if (it == request.end() || !it->is_string() || it->get<std::string>().empty()) {
        throw std::invalid_argument(std::string("\"") + name + "\" must be a non-empty string");
    }
    return it->get<std::string>();
}

std::uint64_t number_field(const nlohmann::json& request, const char* name, std::uint64_t fallback, std::uint64_t high)
{
    const auto it = request.find(name);
    if (it == request.end()) return fallback;
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > high) {
        throw std::invalid_argument(std::string("\"") + name + "\" must be a whole number from 0 to " +
                                    std::to_string(high));
    }
    return it->get<std::uint64_t>();
}

channel::ChannelName channel_field(const nlohmann::json& request)
{
    const std::string text = string_field(request, "channel");
    channel::NameCheck check;
    auto name = channel::ChannelName::parse(text, &check);
    if (!name) throw std::invalid_argument(check.message(text));
    return *name;
}

channel::Visibility visibility_field(const nlohmann::json& request)
{
    const auto it = request.find("visibility");
    if (it == request.end()) return channel::Visibility::global;
    const auto v = it->is_string() ? channel::parse_visibility(it->get<std::string>()) : std::nullopt;
    if (!v) throw std::invalid_argument("\"visibility\" must be subnet-local, parent-visible, exported or global");
    return *v;
}

nlohmann::json refusal(const std::string& what, channel::Answer answer, const token::Verdict& verdict)
{
    std::string text = what + ": " + std::string(channel::answer_name(answer)) + " (" +
                       std::string(channel::answer_message(answer)) + ")";
    if (!verdict.ok()) text += "; " + verdict.message();
    return {{"ok", false}, {"error", text}, {"answer", channel::answer_name(answer)}};
}

}  // namespace

ChannelCommands::ChannelCommands(channel::Channels& channels, BufferPool& buffers, const ChannelsSection& section,
                                 std::uint64_t self_address)
    : channels_(channels), buffers_(buffers), section_(section), self_(self_address)
{
}

ChannelCommands::~ChannelCommands() { close(); }

void ChannelCommands::close() noexcept
{
    std::map<std::uint64_t, std::shared_ptr<Subscription>> ending;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        ending.swap(subscriptions_);
        for (const auto& [name, chain] : publishing_) {
            if (auto parsed = channel::ChannelName::parse(name)) channels_.remove_publisher(*parsed);
        }
        publishing_.clear();
    }
    for (auto& [id, s] : ending) {
        channels_.unsubscribe(s->id);
        std::lock_guard lock(s->mutex);
        s->id = 0;  // wakes a poll waiting on it
        s->ready.notify_all();
    }
}

nlohmann::json ChannelCommands::handle(const nlohmann::json& request)
{
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) return nullptr;
    const std::string& name = cmd->get_ref<const std::string&>();
    if (name != "publish" && name != "subscribe" && name != "poll" && name != "unsubscribe") return nullptr;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return {{"ok", false}, {"error", "the node is stopping"}};
    }
    remove_idle();
    if (name == "publish") return publish(request);
    if (name == "subscribe") return subscribe(request);
    if (name == "poll") return poll(request);
    return unsubscribe(request);
}

token::TokenChain ChannelCommands::presented_chain(const nlohmann::json& request, const channel::ChannelName& name,
                                                   std::uint8_t scope) const
{
    if (const auto it = request.find("token"); it != request.end()) {
        if (!it->is_string()) throw std::invalid_argument("\"token\" must be a string (net-mesh token issue output)");
        std::string error;
        auto chain = token::from_text(it->get<std::string>(), &error);
        if (!chain) throw std::invalid_argument("\"token\" holds no token chain: " + error);
        return *chain;
    }
    auto chain = chain_for(section_.chains, name, scope, self_, section_.config.trust);
    return chain ? *chain : token::TokenChain{};
}

nlohmann::json ChannelCommands::publish(const nlohmann::json& request)
{
    const channel::ChannelName name = channel_field(request);
    const auto events = request.find("events");
    if (events == request.end() || !events->is_array() || events->size() > kMaxPublishEvents) {
        throw std::invalid_argument("\"events\" must be an array of at most " + std::to_string(kMaxPublishEvents) +
                                    " strings");
    }
    for (const auto& e : *events) {
        if (!e.is_string()) throw std::invalid_argument("\"events\" must hold strings");
    }
    const token::TokenChain chain = presented_chain(request, name, token::scope::publish);
    {
        std::lock_guard lock(mutex_);
        const auto known = publishing_.find(name.str());
        if (known == publishing_.end() || known->second != chain) {
            const channel::PublisherResult r = channels_.add_publisher(name, visibility_field(request), chain);
            if (r.answer != channel::Answer::accepted) {
                return refusal("this node refuses to publish on " + name.str(), r.answer, r.verdict);
            }
            publishing_[name.str()] = chain;
        }
    }
    std::vector<net_buffer_t*> buffers;
    buffers.reserve(events->size());
    for (const auto& e : *events) {
        const std::string& text = e.get_ref<const std::string&>();
        net_buffer_t* b = buffers_.allocate(text.size());
        if (b == nullptr) {
            for (net_buffer_t* x : buffers) BufferPool::release(x);
            throw std::runtime_error("out of buffer memory");
        }
        if (!text.empty()) std::memcpy(b->data, text.data(), text.size());
        buffers.push_back(b);
    }
    const channel::PublishResult r = channels_.publish_many(name, buffers);
    for (net_buffer_t* b : buffers) BufferPool::release(b);
    if (r.status == channel::PublishStatus::token_invalid) {
        std::lock_guard lock(mutex_);
        publishing_.erase(name.str());
    }
    if (!r.ok()) {
        return {{"ok", false},
                {"error", "publish on " + name.str() + " refused: " + std::string(channel::publish_status_name(r.status))}};
    }
    return {{"published", buffers.size()}, {"local_subscribers", r.local_subscribers}, {"remote_nodes", r.remote_nodes}};
}

nlohmann::json ChannelCommands::subscribe(const nlohmann::json& request)
{
    const channel::ChannelName name = channel_field(request);
    const channel::Visibility visibility = visibility_field(request);
    const token::TokenChain chain = presented_chain(request, name, token::scope::subscribe);
    auto sub = std::make_shared<Subscription>();
    sub->last_poll = std::chrono::steady_clock::now();
    std::weak_ptr<Subscription> weak = sub;
    auto on_events = [weak](const channel::Delivery& d) {
        const auto s = weak.lock();
        if (!s) return;
        std::lock_guard lock(s->mutex);
        for (const channel::Event& e : d.events) {
            if (s->events.size() >= kQueueLimit) {
                ++s->dropped;
                continue;
            }
            nlohmann::json event{{"channel", d.channel.str()},
                                 {"source", mesh::format_address(d.publisher)},
                                 {"sequence", e.sequence}};
            admin::put_payload(event, e.bytes);
            s->events.push_back(std::move(event));
        }
        s->ready.notify_all();
    };
    auto on_answer = [weak](const channel::ChannelName&, const channel::NodeAnswer& a) {
        const auto s = weak.lock();
        if (!s) return;
        std::lock_guard lock(s->mutex);
        if (s->answers.size() < kQueueLimit) {
            s->answers.push_back({{"node", mesh::format_address(a.node)},
                                  {"answer", channel::answer_name(a.answer)},
                                  {"message", channel::answer_message(a.answer)},
                                  {"link", a.link}});
        }
        s->ready.notify_all();
    };
    const channel::SubscribeResult r = channels_.subscribe(name, visibility, chain, on_events, on_answer);
    if (r.id == 0 || r.local != channel::Answer::accepted) {
        if (r.id != 0) channels_.unsubscribe(r.id);
        return refusal("this node refuses the subscription to " + name.str(), r.local, r.verdict);
    }
    sub->id = r.id;
    std::lock_guard lock(mutex_);
    const std::uint64_t id = next_id_++;
    subscriptions_.emplace(id, sub);
    return {{"subscription", id}};
}

std::shared_ptr<ChannelCommands::Subscription> ChannelCommands::find(const nlohmann::json& request)
{
    const std::uint64_t id = number_field(request, "subscription", 0, UINT64_MAX);
    std::lock_guard lock(mutex_);
    const auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) throw std::invalid_argument("no subscription " + std::to_string(id) + " (ended or idle)");
    return it->second;
}

nlohmann::json ChannelCommands::poll(const nlohmann::json& request)
{
    const auto sub = find(request);
    const std::uint64_t wait_ms = number_field(request, "wait_ms", 0, kMaxWaitMs);
    const std::uint64_t max = number_field(request, "max", kMaxPollEvents, kMaxPollEvents);
    std::unique_lock lock(sub->mutex);
    sub->last_poll = std::chrono::steady_clock::now();
    sub->ready.wait_for(lock, std::chrono::milliseconds(wait_ms),
                        [&] { return !sub->events.empty() || !sub->answers.empty() || sub->id == 0; });
    nlohmann::json events = nlohmann::json::array();
    while (!sub->events.empty() && events.size() < max) {
        events.push_back(std::move(sub->events.front()));
        sub->events.pop_front();
    }
    nlohmann::json answers = nlohmann::json::array();
    for (auto& a : sub->answers) answers.push_back(std::move(a));
    sub->answers.clear();
    const std::uint64_t dropped = sub->dropped;
    sub->dropped = 0;
    sub->last_poll = std::chrono::steady_clock::now();
    return {{"events", std::move(events)}, {"answers", std::move(answers)}, {"dropped", dropped}};
}

nlohmann::json ChannelCommands::unsubscribe(const nlohmann::json& request)
{
    const auto sub = find(request);
    {
        std::lock_guard lock(mutex_);
        subscriptions_.erase(number_field(request, "subscription", 0, UINT64_MAX));
    }
    channels_.unsubscribe(sub->id);
    return nlohmann::json::object();
}

void ChannelCommands::remove_idle()
{
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<Subscription>> idle;
    {
        std::lock_guard lock(mutex_);
        for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
            std::unique_lock s(it->second->mutex, std::try_to_lock);
            if (s.owns_lock() && now - it->second->last_poll > kIdleLimit) {
                idle.push_back(it->second);
                it = subscriptions_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& s : idle) channels_.unsubscribe(s->id);
}

}  // namespace net::kernel::node
