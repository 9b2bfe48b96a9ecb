// The SDK headers compile as C11 and as C++20 (each header on its own, see CMakeLists.txt), agree
// on the ABI layout in both languages, and the status helpers cover the whole list.
#define BOOST_TEST_MODULE sdk_headers
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <set>
#include <string>

#include "abi_layout.h"
#include "c11_probe.h"

BOOST_AUTO_TEST_CASE(c_and_cpp_agree_on_layout)
{
    BOOST_TEST(net_c11_sizeof_host() == sizeof(net_host_t));
    BOOST_TEST(net_c11_sizeof_descriptor() == sizeof(net_plugin_descriptor_t));
    BOOST_TEST(net_c11_abi_version() == NET_ABI_VERSION);
}

BOOST_AUTO_TEST_CASE(status_names_and_messages_cover_every_code)
{
    std::set<std::string> names;
#define CHECK_ONE(name, value, message)                                          \
    BOOST_TEST(std::string(net_status_name(value)) == #name);                    \
    BOOST_TEST(std::string(net_status_message(value)) == message);               \
    BOOST_TEST(std::string(net_c11_status_name(value)) == #name);                \
    BOOST_TEST(std::string(net_c11_status_message(value)) == message);           \
    BOOST_TEST(names.insert(#name).second, "duplicate status name " << #name);
    NET_STATUS_LIST(CHECK_ONE)
#undef CHECK_ONE
    BOOST_TEST(std::string(net_status_name(12345)) == "NET_E_UNKNOWN");
    BOOST_TEST(std::string(net_status_message(-999)) == "unknown status");
    BOOST_TEST(NET_OK == 0);
}

BOOST_AUTO_TEST_CASE(abi_compatibility_rule)
{
    const uint32_t host = NET_ABI_MAKE(1, 3);
    BOOST_TEST(net_abi_compatible(host, NET_ABI_MAKE(1, 0)));
    BOOST_TEST(net_abi_compatible(host, NET_ABI_MAKE(1, 3)));
    BOOST_TEST(!net_abi_compatible(host, NET_ABI_MAKE(1, 4)));
    BOOST_TEST(!net_abi_compatible(host, NET_ABI_MAKE(2, 0)));
    BOOST_TEST(!net_abi_compatible(host, NET_ABI_MAKE(0, 9)));
    BOOST_TEST(NET_ABI_MAJOR(NET_ABI_MAKE(7, 65535)) == 7u);
    BOOST_TEST(NET_ABI_MINOR(NET_ABI_MAKE(7, 65535)) == 65535u);
}

BOOST_AUTO_TEST_CASE(host_has_reports_slots_by_struct_size)
{
    net_host_t host{};
    host.struct_size = offsetof(net_host_t, interface_acquire);
    BOOST_TEST(NET_HOST_HAS(&host, metric_observe));
    BOOST_TEST(!NET_HOST_HAS(&host, interface_acquire));
    host.struct_size = sizeof(net_host_t);
    BOOST_TEST(NET_HOST_HAS(&host, interface_release));
}
