#!/usr/bin/env bash
# Install the Debian packages zcs needs to build, test and benchmark both backends.
# Installs only what is missing (apt-get install -y by package name); uses sudo when not root.
set -euo pipefail

packages=(
    cmake make gcc pkg-config clang-format  # build and format check
    clang libclang-rt-dev                    # the clang builds and their sanitizer runtimes
    check                                    # the test framework
    ocl-icd-opencl-dev opencl-c-headers      # OpenCL: the ICD loader and headers
    pocl-opencl-icd                          # OpenCL: PoCL, the CPU device of the tests
    libclblast-dev                           # OpenCL: CLBlast, a library the interop tests use on zcs arrays
    libvulkan-dev glslc libshaderc-dev       # Vulkan: the loader, headers and GLSL compilers
    spirv-tools                              # Vulkan: the SPIR-V validator (libSPIRV-Tools)
    mesa-vulkan-drivers                      # Vulkan: lavapipe, the CPU device of the tests
    vulkan-validationlayers                  # Vulkan: validation during the tests
    gnuplot-nox                              # benchmark plots
    python3 python3-jsonschema               # zcs-info's --json output checked against its schema
    dpkg-dev lintian                         # the Debian packages: dpkg-shlibdeps, and their check
    doxygen                                  # the API reference (the docs target and its test)
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: every package is installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y "${missing[@]}"
