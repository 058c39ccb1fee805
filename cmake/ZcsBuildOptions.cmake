# zcs_build_options: the warning and sanitizer flags every zcs target links privately.
# No global flags: consumers of zcs never inherit them.
#
# Warning flags are probed one by one with the compiler in use (as libuv does), so a
# compiler that lacks one still builds. -Werror only with ZCS_WARNINGS_AS_ERRORS, which is
# off by default: a user's build never fails on a warning a newer compiler invents, while
# CI and scripts/test.sh turn it on.
include(CheckCCompilerFlag)

add_library(zcs_build_options INTERFACE)
target_compile_features(zcs_build_options INTERFACE c_std_11)

set(ZCS_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wformat=2
    -Wmissing-prototypes -Wno-overlength-strings)
foreach(_flag IN LISTS ZCS_WARNING_FLAGS)
    string(MAKE_C_IDENTIFIER "ZCS_HAS_FLAG${_flag}" _variable)
    check_c_compiler_flag("${_flag}" ${_variable})
    if(${_variable})
        target_compile_options(zcs_build_options INTERFACE "${_flag}")
    endif()
endforeach()
if(ZCS_WARNINGS_AS_ERRORS)
    target_compile_options(zcs_build_options INTERFACE -Werror)
endif()

if(ZCS_ENABLE_SANITIZERS)
    target_compile_options(zcs_build_options INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(zcs_build_options INTERFACE -fsanitize=address,undefined)
endif()
if(ZCS_ENABLE_TSAN)
    if(ZCS_ENABLE_SANITIZERS)
        message(FATAL_ERROR "ZCS_ENABLE_TSAN and ZCS_ENABLE_SANITIZERS exclude each other")
    endif()
    target_compile_options(zcs_build_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(zcs_build_options INTERFACE -fsanitize=thread)
endif()
set(CMAKE_C_EXTENSIONS OFF)
