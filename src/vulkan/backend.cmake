# The Vulkan backend (included from src/CMakeLists.txt).
set(ZCS_BACKEND_SOURCES
    vulkan/allocator.c
    vulkan/api.c
    vulkan/array.c
    vulkan/context.c
    vulkan/device.c
    vulkan/dispatch.c
    vulkan/errors.c
    vulkan/import.c
    vulkan/include.c
    vulkan/interop.c
    vulkan/memory.c
    vulkan/ordering.c
    vulkan/pipeline.c
    vulkan/program.c
    vulkan/spirv.c
    vulkan/staged.c
    vulkan/submit.c
    vulkan/validation.c)
set(ZCS_BACKEND_LINK Vulkan::Vulkan)
set(ZCS_BACKEND_PACKAGE Vulkan)
set(ZCS_BACKEND_PC_REQUIRES vulkan)
set(ZCS_BACKEND_DEFINITIONS "")

# SPIR-V is validated with SPIRV-Tools' validator before it reaches the driver (Debian:
# spirv-tools). Its static library is linked into zcs with its symbols hidden.
find_path(ZCS_SPIRV_TOOLS_INCLUDE_DIR spirv-tools/libspirv.h)
find_library(ZCS_SPIRV_TOOLS_LIBRARY SPIRV-Tools)
if(NOT ZCS_SPIRV_TOOLS_INCLUDE_DIR OR NOT ZCS_SPIRV_TOOLS_LIBRARY)
    message(FATAL_ERROR "zcs Vulkan backend: SPIRV-Tools not found (Debian: spirv-tools); it "
                        "validates every SPIR-V module before the driver sees it")
endif()
list(APPEND ZCS_BACKEND_LINK "-Wl,--exclude-libs,ALL" ${ZCS_SPIRV_TOOLS_LIBRARY} stdc++ m)
set(ZCS_BACKEND_INCLUDE_DIRS ${ZCS_SPIRV_TOOLS_INCLUDE_DIR})

# GLSL at run time (zcs_program_create_from_source, .comp files) needs libshaderc; the
# backend builds without it and then answers ZCS_ERROR_UNSUPPORTED there.
# Debian 12's libshaderc.so.1 lacks its glslang dependency (it links, then fails with
# undefined glslang::* symbols), so the shared library is tried first and the static
# libshaderc_combined.a with glslang's and SPIRV-Tools' archives second. The shared libzcs
# then hides their symbols (--exclude-libs, on its own link only); the static libzcs
# passes them on to its consumers by name (-lshaderc_combined ..., in the exported target
# and in zcs.pc's Libs.private), never by this machine's paths.
# Sets ZCS_BACKEND_LINK (the build's link items), ZCS_BACKEND_INSTALL_LINK (what an
# installed libzcs.a needs, by name), ZCS_BACKEND_PC_LIBS_PRIVATE and ZCS_SHARED_LINK_OPTIONS.
find_package(PkgConfig QUIET)
set(_zcs_shaderc_link "")
set(ZCS_BACKEND_INSTALL_LINK "")
set(ZCS_BACKEND_PC_LIBS_PRIVATE "")
set(ZCS_SHARED_LINK_OPTIONS "")
if(PkgConfig_FOUND)
    pkg_check_modules(shaderc QUIET IMPORTED_TARGET shaderc)
endif()
if(shaderc_FOUND)
    include(CheckCSourceCompiles)
    set(CMAKE_REQUIRED_LIBRARIES PkgConfig::shaderc)
    set(CMAKE_REQUIRED_QUIET ON)
    check_c_source_compiles("#include <shaderc/shaderc.h>
int main(void) { shaderc_compiler_release(shaderc_compiler_initialize()); return 0; }"
                            ZCS_SHADERC_SHARED_LINKS)
    unset(CMAKE_REQUIRED_LIBRARIES)
    unset(CMAKE_REQUIRED_QUIET)
    if(ZCS_SHADERC_SHARED_LINKS)
        set(_zcs_shaderc_link PkgConfig::shaderc)
        set(ZCS_BACKEND_INSTALL_LINK shaderc)
        set(_zcs_shaderc_how "libshaderc ${shaderc_VERSION} (shared)")
        set(ZCS_BACKEND_PC_REQUIRES "vulkan shaderc")
    endif()
endif()
if(NOT _zcs_shaderc_link AND PkgConfig_FOUND)
    find_library(ZCS_SHADERC_COMBINED shaderc_combined)
    find_library(ZCS_SPIRV_LIBRARY SPIRV)
    find_library(ZCS_SPIRV_TOOLS_OPT_LIBRARY SPIRV-Tools-opt)
    find_library(ZCS_SPIRV_TOOLS_LIBRARY SPIRV-Tools)
    pkg_check_modules(glslang QUIET glslang)
    if(ZCS_SHADERC_COMBINED AND ZCS_SPIRV_LIBRARY AND ZCS_SPIRV_TOOLS_OPT_LIBRARY
       AND ZCS_SPIRV_TOOLS_LIBRARY AND glslang_FOUND)
        set(_zcs_shaderc_link
            ${ZCS_SHADERC_COMBINED} ${glslang_LINK_LIBRARIES}
            ${ZCS_SPIRV_LIBRARY} ${ZCS_SPIRV_TOOLS_OPT_LIBRARY} ${ZCS_SPIRV_TOOLS_LIBRARY}
            stdc++ m)
        set(ZCS_BACKEND_INSTALL_LINK
            shaderc_combined ${glslang_LIBRARIES} SPIRV SPIRV-Tools-opt SPIRV-Tools stdc++ m)
        list(REMOVE_DUPLICATES ZCS_BACKEND_INSTALL_LINK)
        set(ZCS_SHARED_LINK_OPTIONS "LINKER:--exclude-libs,ALL")
        set(_zcs_shaderc_how "libshaderc_combined.a, glslang and SPIRV-Tools (static)")
    endif()
endif()
foreach(_lib ${ZCS_BACKEND_INSTALL_LINK})
    if(NOT _lib STREQUAL "shaderc" AND NOT _lib STREQUAL "pthread")
        string(APPEND ZCS_BACKEND_PC_LIBS_PRIVATE " -l${_lib}")
    endif()
endforeach()
if(_zcs_shaderc_link)
    list(APPEND ZCS_BACKEND_LINK ${_zcs_shaderc_link})
    list(APPEND ZCS_BACKEND_DEFINITIONS ZCS_HAVE_SHADERC=1)
    message(STATUS "zcs Vulkan backend: GLSL at run time through ${_zcs_shaderc_how}")
else()
    message(STATUS "zcs Vulkan backend: libshaderc not found (Debian: libshaderc-dev); "
                   "GLSL source programs will be unsupported, SPIR-V only")
endif()

# Builtin programs: every kernels/*.comp compiled to SPIR-V at build time, written to
# ${PROJECT_BINARY_DIR}/kernels/<name>.spv (tests load them from there) and embedded.
file(GLOB _zcs_comp_kernels CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/kernels/*.comp")
set(_zcs_spv_dir "${PROJECT_BINARY_DIR}/kernels")
file(MAKE_DIRECTORY "${_zcs_spv_dir}")
set(_names "")
set(_spv_files "")
foreach(_file ${_zcs_comp_kernels})
    get_filename_component(_name "${_file}" NAME_WE)
    set(_spv "${_zcs_spv_dir}/${_name}.spv")
    # Vulkan 1.1 (SPIR-V 1.3) is the least the backend accepts, so the modules run on
    # every device it chooses.
    if(ZCS_GLSLC)
        set(_compile ${ZCS_GLSLC} --target-env=vulkan1.1 -Werror
                     "-I${PROJECT_SOURCE_DIR}/include" -o "${_spv}" "${_file}")
    else()
        set(_compile ${ZCS_GLSLANG_VALIDATOR} -V --target-env vulkan1.1
                     "-I${PROJECT_SOURCE_DIR}/include" -o "${_spv}" "${_file}")
    endif()
    add_custom_command(
        OUTPUT "${_spv}"
        COMMAND ${_compile}
        DEPENDS "${_file}" "${PROJECT_SOURCE_DIR}/include/zcs/layout.h"
                "${PROJECT_SOURCE_DIR}/include/zcs/particle.h"
        COMMENT "Compiling kernels/${_name}.comp to SPIR-V"
        VERBATIM)
    list(APPEND _names "${_name}")
    list(APPEND _spv_files "${_spv}")
endforeach()
set(ZCS_BUILTINS_SOURCE "${CMAKE_CURRENT_BINARY_DIR}/zcs_builtins_vulkan.c")
zcs_embed("${ZCS_BUILTINS_SOURCE}" FILES ${_spv_files} TABLE ${_names}
          COMMENT "Embedding SPIR-V kernels")
