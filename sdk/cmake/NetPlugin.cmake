# net_add_plugin(<name> SOURCES <files...> [LIBRARIES <libs...>])
# Builds a Net plugin: a MODULE library lib<name>.so that links the SDK, exports only
# net_plugin_entry (hidden visibility for everything else) and installs to NetSDK_PLUGIN_DIR.
# Inside the Net tree it lands in the shared plugin folder (NET_PLUGIN_OUTPUT_DIR).
function(net_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED NET_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${NET_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_libraries(${name} PRIVATE NetSDK::sdk ${P_LIBRARIES})
  # GCC marks inline statics as STB_GNU_UNIQUE, which makes dlclose a no-op: the kernel could
  # then never unload the plugin. -fno-gnu-unique keeps unloading real.
  target_compile_options(${name} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-fno-gnu-unique>)
  set_property(GLOBAL APPEND PROPERTY NET_PLUGIN_TARGETS ${name})
  if(DEFINED NetSDK_PLUGIN_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION ${NetSDK_PLUGIN_DIR})
  elseif(DEFINED NET_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION ${NET_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
