// Where the build put things, for tests and benchmarks. The paths are compiled into one small
// library (test_paths.cpp) rather than into every test's command line, so that test objects do
// not depend on where the tree was cloned and the compiler cache serves every clone. The build
// force-includes this header into each test and benchmark source.
#pragma once

namespace net::test {

const char* plugin_dir() noexcept;  // the folder every plugin library is built into
const char* source_dir() noexcept;  // the source tree
const char* binary_dir() noexcept;  // the build tree

}  // namespace net::test

#define NET_TEST_PLUGIN_DIR (::net::test::plugin_dir())
#define NET_TEST_SOURCE_DIR (::net::test::source_dir())
#define NET_TEST_BINARY_DIR (::net::test::binary_dir())
