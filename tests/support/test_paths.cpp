#include "test_paths.hpp"

namespace net::test {

const char* plugin_dir() noexcept { return NET_TEST_PLUGIN_DIR_VALUE; }
const char* source_dir() noexcept { return NET_TEST_SOURCE_DIR_VALUE; }
const char* binary_dir() noexcept { return NET_TEST_BINARY_DIR_VALUE; }

}  // namespace net::test
