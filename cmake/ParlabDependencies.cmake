# Finds the kit's dependencies; a missing one stops configuration with one line naming the
# Debian/Ubuntu package to install (./parlab installs them itself).

function(parlab_missing package)
    message(FATAL_ERROR "missing dependency: install the package '${package}' (sudo apt-get install ${package}), or run ./parlab, which installs it")
endfunction()

# The oldest versions the kit promises are Ubuntu 22.04's (Gradescope's default image): GCC 11,
# CMake 3.22 (cmake_minimum_required), fmt 8.1, nlohmann-json 3.10.5, Catch2 2.13.8 (or any 3.x),
# CLI11 2.1.2.
# An older one stops configuration with one line naming it. (Each is found without a version and
# compared here, since their CMake version files differ on what "compatible" means.)
function(parlab_too_old what found wanted package)
    message(FATAL_ERROR "${what} ${found} is too old: the kit needs ${wanted} (package ${package})")
endfunction()

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 11)
    parlab_too_old("g++" "${CMAKE_CXX_COMPILER_VERSION}" "11 or newer" "g++")
endif()

find_package(fmt CONFIG QUIET)
if(NOT fmt_FOUND)
    parlab_missing(libfmt-dev)
elseif(fmt_VERSION VERSION_LESS 8.1)
    parlab_too_old("fmt" "${fmt_VERSION}" "8.1 or newer" "libfmt-dev")
endif()

find_package(nlohmann_json CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
    parlab_missing(nlohmann-json3-dev)
elseif(nlohmann_json_VERSION VERSION_LESS 3.10.5)
    parlab_too_old("nlohmann-json" "${nlohmann_json_VERSION}" "3.10.5 or newer" "nlohmann-json3-dev")
endif()

# CLI11 parses the grader's command line and writes its help (grader/src/cli.hpp); nothing else
# uses it, so a tree without the grader does not need it.
if(PARLAB_GRADER)
    find_package(CLI11 CONFIG QUIET)
    if(NOT CLI11_FOUND)
        parlab_missing(libcli11-dev)
    elseif(CLI11_VERSION VERSION_LESS 2.1.2)
        parlab_too_old("CLI11" "${CLI11_VERSION}" "2.1.2 or newer" "libcli11-dev")
    endif()
endif()

find_path(PARLAB_STB_INCLUDE_DIR stb/stb_image.h PATHS /usr/include /usr/local/include)
if(NOT PARLAB_STB_INCLUDE_DIR)
    parlab_missing(libstb-dev)
endif()
add_library(parlab_stb INTERFACE)
target_include_directories(parlab_stb SYSTEM INTERFACE "${PARLAB_STB_INCLUDE_DIR}")

# Catch2 2.x (Debian 12) and 3.x (Debian 13, Ubuntu 24.04) both work: parlab/testing.hpp hides
# the difference, and parlab_test_main provides main() for either.
find_package(Catch2 CONFIG QUIET)
if(NOT Catch2_FOUND)
    parlab_missing(catch2)
elseif(Catch2_VERSION VERSION_LESS 2.13.8)
    parlab_too_old("Catch2" "${Catch2_VERSION}" "2.13.8 or 3.x" "catch2")
endif()
# PARLAB_CATCH2_NO_TESTS: the arguments that make a test program fail when its test spec (a lab's
# task tag, say) matches no test. Catch2 2.x passes such a run unless told `--warn NoTests`;
# 3.x fails it by itself, rejects `NoTests` and names the warning `UnmatchedTestSpec` instead.
if(Catch2_VERSION VERSION_GREATER_EQUAL 3)
    set(PARLAB_CATCH2_MAJOR 3)
    set(PARLAB_CATCH2_NO_TESTS --warn UnmatchedTestSpec)
else()
    set(PARLAB_CATCH2_MAJOR 2)
    set(PARLAB_CATCH2_NO_TESTS --warn NoTests)
endif()

find_package(Threads REQUIRED)

# parlab_pkg_config_library(TARGET MODULE PACKAGE): an INTERFACE target TARGET for the pkg-config
# module MODULE, which the Debian/Ubuntu package PACKAGE installs. Labs name such targets in
# lab.json ("libraries": [...]).
find_package(PkgConfig QUIET)
function(parlab_pkg_config_library target module package)
    if(PkgConfig_FOUND)
        pkg_check_modules(${target}_module QUIET IMPORTED_TARGET ${module})
    endif()
    if(NOT ${target}_module_FOUND)
        parlab_missing(${package})
    endif()
    add_library(${target} INTERFACE)
    target_link_libraries(${target} INTERFACE PkgConfig::${target}_module)
endfunction()

# CFITSIO reads and writes lab 06's FITS images (the astronomers' own format, through its own
# library).
parlab_pkg_config_library(parlab_cfitsio cfitsio libcfitsio-dev)

# Open MPI runs lab 08's ranks: the standard message-passing engine, the one its users meet on
# clusters, rather than a message layer of the kit's own. Found through its pkg-config file (the
# C interface, which is all the lab calls): CMake's FindMPI compiles test programs with the MPI
# wrappers, about 2 s more for every build tree, and ./parlab test makes many.
parlab_pkg_config_library(parlab_mpi ompi-c libopenmpi-dev)
# mpi.h brings Open MPI's C++ bindings into C++ code unless told not to: they left the MPI
# standard in 2012, and would need libmpi_cxx too
target_compile_definitions(parlab_mpi INTERFACE OMPI_SKIP_MPICXX=1)

# The kit self-check applies the known-bad variants' patches (instructor's copy only).
find_program(PARLAB_PATCH patch)
