# Warnings are errors for the project's own code (not for headers of dependencies).
function(net_project_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Werror>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow -Werror>)
endfunction()

# Declares an in-tree plugin: a MODULE library named net-<name>.so in the plugin folder.
function(net_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(net-${name} MODULE ${P_SOURCES})
  set_target_properties(net-${name} PROPERTIES
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY ${NET_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(net-${name} PRIVATE NetSDK::sdk ${P_LIBRARIES})
  net_project_warnings(net-${name})
  install(TARGETS net-${name} LIBRARY DESTINATION ${NET_PLUGIN_INSTALL_DIR})
endfunction()
