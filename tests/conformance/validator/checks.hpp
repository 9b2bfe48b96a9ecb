// checks.hpp — the checks (one file each, check_<name>.cpp). README.md says what each asserts.
#pragma once

#include "check.hpp"

namespace net::conformance {

CheckOutcome check_load(const CheckInput& input);
CheckOutcome check_descriptor(const CheckInput& input);
CheckOutcome check_abi_refusal(const CheckInput& input);
CheckOutcome check_config_schema(const CheckInput& input);
CheckOutcome check_bad_config(const CheckInput& input);
CheckOutcome check_unknown_interface(const CheckInput& input);
CheckOutcome check_lifecycle(const CheckInput& input);
CheckOutcome check_no_leaked_references(const CheckInput& input);

}  // namespace net::conformance
