// dependency_order: a depth-first topological sort that, on meeting a node already on the stack,
// reports the cycle by walking the stack back to it.
#include <algorithm>

#include "net/kernel/plugin_host.hpp"

namespace net::kernel {

std::vector<std::size_t> dependency_order(const std::vector<std::string>& names,
                                          const std::vector<std::vector<std::size_t>>& depends_on)
{
    enum class Mark { none, visiting, done };
    std::vector<Mark> mark(names.size(), Mark::none);
    std::vector<std::size_t> order;
    std::vector<std::size_t> stack;
    order.reserve(names.size());

    auto visit = [&](auto&& self, std::size_t i) -> void {
        if (mark[i] == Mark::done) return;
        if (mark[i] == Mark::visiting) {
            std::vector<std::size_t> cycle(std::find(stack.begin(), stack.end(), i), stack.end());
            cycle.push_back(i);
            std::string text;
            for (std::size_t k : cycle) text += (text.empty() ? "" : " -> ") + names[k];
            throw DependencyCycleError("cyclic plugin dependencies: " + text, std::move(cycle));
        }
        mark[i] = Mark::visiting;
        stack.push_back(i);
        for (std::size_t d : depends_on[i]) self(self, d);
        stack.pop_back();
        mark[i] = Mark::done;
        order.push_back(i);
    };
    for (std::size_t i = 0; i < names.size(); ++i) visit(visit, i);
    return order;
}

}  // namespace net::kernel
