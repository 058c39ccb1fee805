# Install rules: headers, both libraries, a CMake package (zcs::zcs, zcs::zcs_static)
# and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS zcs zcs_static
    EXPORT zcsTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/zcs"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
    FILES_MATCHING PATTERN "*.h")
install(FILES "${PROJECT_BINARY_DIR}/include/zcs/version.h"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/zcs COMPONENT dev)

set(ZCS_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/zcs")
install(EXPORT zcsTargets NAMESPACE zcs:: DESTINATION "${ZCS_CMAKE_DIR}" COMPONENT dev)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/zcsConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/zcsConfig.cmake"
    INSTALL_DESTINATION "${ZCS_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/zcsConfigVersion.cmake"
    COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/zcsConfig.cmake" "${PROJECT_BINARY_DIR}/zcsConfigVersion.cmake"
    DESTINATION "${ZCS_CMAKE_DIR}" COMPONENT dev)

# A relocatable zcs.pc: the prefix is found from the file's own place.
file(RELATIVE_PATH ZCS_PC_RELATIVE_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file("${PROJECT_SOURCE_DIR}/cmake/zcs.pc.in" "${PROJECT_BINARY_DIR}/zcs.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/zcs.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    COMPONENT dev)
