# zcs_build_options: the warning and sanitizer flags every zcs target links privately.
# No global flags: consumers of zcs never inherit them.
add_library(zcs_build_options INTERFACE)
target_compile_features(zcs_build_options INTERFACE c_std_11)
target_compile_options(zcs_build_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wformat=2
    -Wmissing-prototypes -Wno-overlength-strings
    $<$<BOOL:${ZCS_WARNINGS_AS_ERRORS}>:-Werror>)
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
