# The OpenCL backend (included from src/CMakeLists.txt).
# The same file names as src/vulkan/ for the same concerns.
set(ZCS_BACKEND_SOURCES
    opencl/api.c
    opencl/array.c
    opencl/context.c
    opencl/device.c
    opencl/dispatch.c
    opencl/errors.c
    opencl/import.c
    opencl/include.c
    opencl/interop.c
    opencl/ordering.c
    opencl/program.c
    opencl/staged.c)
set(ZCS_BACKEND_LINK OpenCL::OpenCL)
set(ZCS_BACKEND_PACKAGE OpenCL)
set(ZCS_BACKEND_PC_REQUIRES OpenCL)
set(ZCS_BACKEND_INSTALL_LINK "")
set(ZCS_BACKEND_PC_LIBS_PRIVATE "")
set(ZCS_SHARED_LINK_OPTIONS "")
# Target OpenCL 3.0 headers, still able to call the 1.2 entry points on older platforms.
set(ZCS_BACKEND_DEFINITIONS CL_TARGET_OPENCL_VERSION=300 CL_USE_DEPRECATED_OPENCL_1_2_APIS)

# Builtin programs: every kernels/*.cl embedded as source text.
file(GLOB _zcs_cl_kernels CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/kernels/*.cl")
set(_names "")
foreach(_file ${_zcs_cl_kernels})
    get_filename_component(_name "${_file}" NAME_WE)
    list(APPEND _names "${_name}")
endforeach()
set(ZCS_BUILTINS_SOURCE "${CMAKE_CURRENT_BINARY_DIR}/zcs_builtins_opencl.c")
# Their #include "zcs/..." lines are inlined: run-time OpenCL compilers get no include path.
zcs_embed("${ZCS_BUILTINS_SOURCE}" FILES ${_zcs_cl_kernels} TABLE ${_names}
          INCLUDE_DIRS "${PROJECT_SOURCE_DIR}/include" COMMENT "Embedding OpenCL kernels")
