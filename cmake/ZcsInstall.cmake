# Install rules: headers, both libraries, a CMake package (zcs::zcs, and zcs::zcs_static
# as the component "static") and a pkg-config file.
include(CMakePackageConfigHelpers)

# Two export sets: the shared library needs nothing of the backend's development package
# at a consumer's link, the static one does (zcsConfig.cmake looks for it only then).
install(TARGETS zcs
    EXPORT zcsTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS zcs_static
    EXPORT zcsStaticTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/zcs"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
    FILES_MATCHING PATTERN "*.h")
install(FILES "${PROJECT_BINARY_DIR}/include/zcs/version.h"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/zcs COMPONENT dev)

set(ZCS_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/zcs")
install(EXPORT zcsTargets NAMESPACE zcs:: DESTINATION "${ZCS_CMAKE_DIR}" COMPONENT dev)
install(EXPORT zcsStaticTargets NAMESPACE zcs:: DESTINATION "${ZCS_CMAKE_DIR}" COMPONENT dev)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/zcsConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/zcsConfig.cmake"
    INSTALL_DESTINATION "${ZCS_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/zcsConfigVersion.cmake"
    COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/zcsConfig.cmake" "${PROJECT_BINARY_DIR}/zcsConfigVersion.cmake"
    DESTINATION "${ZCS_CMAKE_DIR}" COMPONENT dev)

# zcs.pc names the prefix the package is installed to (cmake --install --prefix may
# differ from CMAKE_INSTALL_PREFIX), so it is written at install time: its paths come out
# clean (-I<prefix>/include).
set(ZCS_PC_PREFIX "@ZCS_PC_PREFIX@")
configure_file("${PROJECT_SOURCE_DIR}/cmake/zcs.pc.in" "${PROJECT_BINARY_DIR}/zcs.pc.in" @ONLY)
install(CODE "set(ZCS_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
configure_file(\"${PROJECT_BINARY_DIR}/zcs.pc.in\" \"${PROJECT_BINARY_DIR}/zcs.pc\" @ONLY)"
    COMPONENT dev)
install(FILES "${PROJECT_BINARY_DIR}/zcs.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    COMPONENT dev)
