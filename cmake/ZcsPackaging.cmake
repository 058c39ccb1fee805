# Debian packages built by CPack from this build (scripts/package.sh builds them; the
# Khronos OpenCL ICD loader's CPack DEB setup is the model). Three packages, from the
# install COMPONENTs of cmake/ZcsInstall.cmake, tools/ and bench/:
#
#   libzcs0     runtime  the shared library (libzcs.so.0 and its full version)
#   libzcs-dev  dev      headers, the libzcs.so link, the static library, zcs.pc and
#                        the CMake package; Depends: libzcs0 (= exact version) and the
#                        backend's development package
#   zcs-tools   tools    zcs-info and zcs-bench with their man pages
#
# Each gets /usr/share/doc/<package>/copyright and changelog.Debian.gz. Run-time Depends
# come from dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS): ocl-icd-libopencl1 or
# libvulkan1, and whatever else the binaries link dynamically.
# Packages are meant to be built with CMAKE_INSTALL_PREFIX=/usr and a Release build.

set(ZCS_PACKAGE_MAINTAINER "zcs developers <zcs-devel@example.org>" CACHE STRING
    "Maintainer field of the Debian packages")
set(ZCS_PACKAGE_RELEASE 1 CACHE STRING "Debian revision of the packages")
set(ZCS_DEB_VERSION "${PROJECT_VERSION}-${ZCS_PACKAGE_RELEASE}")

# Man pages, gzipped as Debian wants (-n: no name or time stamp, so builds repeat).
find_program(ZCS_GZIP gzip REQUIRED)
set(_zcs_man_pages "")
foreach(_page zcs-info.1 zcs-bench.1)
    set(_gz "${PROJECT_BINARY_DIR}/packaging/man/${_page}.gz")
    add_custom_command(OUTPUT "${_gz}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${PROJECT_BINARY_DIR}/packaging/man"
        COMMAND ${ZCS_GZIP} -9n -c "${PROJECT_SOURCE_DIR}/docs/man/${_page}" > "${_gz}"
        DEPENDS "${PROJECT_SOURCE_DIR}/docs/man/${_page}"
        COMMENT "Compressing the man page ${_page}"
        VERBATIM)
    list(APPEND _zcs_man_pages "${_gz}")
endforeach()

# changelog.Debian.gz, one per package (Debian policy 12.7), dated by the source's
# SOURCE_DATE_EPOCH when set, so that builds repeat.
string(TIMESTAMP ZCS_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file("${PROJECT_SOURCE_DIR}/packaging/changelog.in"
               "${PROJECT_BINARY_DIR}/packaging/changelog.Debian" @ONLY)
set(_zcs_changelog "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz")
add_custom_command(OUTPUT "${_zcs_changelog}"
    COMMAND ${ZCS_GZIP} -9n -c "${PROJECT_BINARY_DIR}/packaging/changelog.Debian"
            > "${_zcs_changelog}"
    DEPENDS "${PROJECT_BINARY_DIR}/packaging/changelog.Debian"
    VERBATIM)
add_custom_target(zcs_package_files ALL DEPENDS ${_zcs_man_pages} "${_zcs_changelog}")

install(FILES ${_zcs_man_pages} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT tools)
foreach(_component_package runtime:libzcs0 dev:libzcs-dev tools:zcs-tools)
    string(REPLACE ":" ";" _pair "${_component_package}")
    list(GET _pair 0 _component)
    list(GET _pair 1 _package)
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/copyright" "${_zcs_changelog}"
            DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/${_package}" COMPONENT ${_component})
endforeach()

# The backend's packages: what libzcs-dev needs to build against zcs (the CMake package
# calls find_dependency, zcs.pc has Requires.private).
if(ZCS_BACKEND_RESOLVED STREQUAL "OPENCL")
    set(_zcs_dev_depends "ocl-icd-opencl-dev, opencl-c-headers")
else()
    set(_zcs_dev_depends "libvulkan-dev")
    if(ZCS_BACKEND_PC_REQUIRES MATCHES "shaderc")
        string(APPEND _zcs_dev_depends ", libshaderc-dev")
    endif()
endif()
set(CPACK_PACKAGE_NAME zcs)
set(CPACK_PACKAGE_VENDOR "The zcs authors")
set(CPACK_PACKAGE_CONTACT "${ZCS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# CPackDeb puts a summary of its own before each description unless the summary is
# CPack's default; left at the default, each package's first line is its synopsis.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev tools)
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${ZCS_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ZCS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Where dpkg-shlibdeps finds libzcs.so.0 for zcs-info (it is not installed yet).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${PROJECT_BINARY_DIR}/src")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# Descriptions: the first line is the synopsis; CPack indents the rest (lines under 80).
string(TOLOWER "${ZCS_BACKEND_RESOLVED}" _zcs_backend_lower)
set(_zcs_about "zcs shares arrays of C structs between the CPU and a GPU without copies:
the host maps an array, writes it, and kernels read and write the same memory.
This build uses the ${_zcs_backend_lower} backend.")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libzcs0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "zero-copy arrays of structs for CPU and GPU
${_zcs_about}

This package holds the shared library.")
# The shared library's shlibs and the ldconfig trigger, written here rather than by
# CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS, whose postinst/postrm call ldconfig directly
# (lintian: lacks-ldconfig-trigger). SemVer: any later 0.x release keeps the symbols.
file(WRITE "${PROJECT_BINARY_DIR}/packaging/runtime/shlibs"
     "libzcs ${PROJECT_VERSION_MAJOR} libzcs0 (>= ${PROJECT_VERSION})\n")
# CPack writes a postinst and postrm that call ldconfig unless the package brings its own:
# these do nothing, the trigger does the work.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
    "${PROJECT_BINARY_DIR}/packaging/runtime/shlibs"
    "${PROJECT_SOURCE_DIR}/packaging/triggers"
    "${PROJECT_SOURCE_DIR}/packaging/postinst"
    "${PROJECT_SOURCE_DIR}/packaging/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libzcs-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libzcs0 (= ${ZCS_DEB_VERSION}), ${_zcs_dev_depends}")
set(CPACK_DEBIAN_DEV_DESCRIPTION "zero-copy arrays of structs for CPU and GPU - development files
${_zcs_about}

This package holds the headers, the static library, zcs.pc for pkg-config
and the CMake package (find_package(zcs CONFIG) gives zcs::zcs).")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME zcs-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
# zcs-info links libzcs.so.0, which dpkg-shlibdeps cannot attribute while the packages
# are being built: name the exact version here (the rest comes from dpkg-shlibdeps).
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "libzcs0 (= ${ZCS_DEB_VERSION})")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "zero-copy arrays of structs for CPU and GPU - tools
${_zcs_about}

This package holds zcs-info, which shows the devices zcs sees and what it
would do on each, and zcs-bench, which times zero-copy against copy-based
transfers.")

include(CPack)
