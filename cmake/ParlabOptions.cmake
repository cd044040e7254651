# Build options and the INTERFACE targets that carry warnings and sanitizers.

set(PARLAB_LAB_SOURCE "labs" CACHE STRING
    "Where the labs are built from: labs (the student's work), solutions, or a path to a submission laid out like labs/")
set(PARLAB_LABS "" CACHE STRING "Only these lab folders (a ;-list, e.g. 01-race-condition); empty: every lab")
option(PARLAB_WARNINGS_AS_ERRORS "Treat compiler warnings as errors (the ci preset)" OFF)
set(PARLAB_SANITIZER "" CACHE STRING "Sanitizers to build with: empty, address,undefined or thread")

if(IS_ABSOLUTE "${PARLAB_LAB_SOURCE}")
    set(PARLAB_LAB_DIR "${PARLAB_LAB_SOURCE}")
else()
    set(PARLAB_LAB_DIR "${CMAKE_SOURCE_DIR}/${PARLAB_LAB_SOURCE}")
endif()
if(NOT IS_DIRECTORY "${PARLAB_LAB_DIR}")
    message(FATAL_ERROR "PARLAB_LAB_SOURCE: no folder ${PARLAB_LAB_DIR}")
endif()

# The kit self-check (skeletons fail, solutions pass, known-bad variants fail their target check)
# needs solutions/, which the student edition does not have.
set(parlab_kit_default OFF)
if(EXISTS "${CMAKE_SOURCE_DIR}/solutions" AND PARLAB_LAB_SOURCE STREQUAL "labs")
    set(parlab_kit_default ON)
endif()
option(PARLAB_KIT_CHECK "Build and run the kit self-check" ${parlab_kit_default})
# The asan and tsan trees run tests only: they leave out the teaching programs and the probes.
option(PARLAB_PROGRAMS "Build the labs' teaching programs (demos, benches, ...) and the grader's probes" ON)
option(PARLAB_GRADER "Build the grader program and its unit tests (./parlab uses the release tree's)" ON)

add_library(parlab_warnings INTERFACE)
add_library(parlab::warnings ALIAS parlab_warnings)
target_compile_options(parlab_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Wnull-dereference
    $<$<BOOL:${PARLAB_WARNINGS_AS_ERRORS}>:-Werror>)
# The kit self-check's own sanitizers: in the kit's debug tree (dev) the common library and the
# model answers are compiled with AddressSanitizer and UndefinedBehaviorSanitizer
# (parlab_kit_sanitize), so that the self-check runs the solutions' tests under them without a
# tree of their own (the asan tree's build took 78 s of ./parlab test for 40 s of tests). The
# skeletons and the tests' own code (instrumented, the common tests took twice as long to
# compile) stay plain; the sanitizers' runtime, linked into every program through the common
# library, still watches what they allocate.
set(PARLAB_KIT_SANITIZER "")
if(PARLAB_KIT_CHECK AND NOT PARLAB_SANITIZER AND CMAKE_BUILD_TYPE STREQUAL "Debug")
    set(PARLAB_KIT_SANITIZER "address,undefined")
endif()
function(parlab_kit_sanitize target)
    if(PARLAB_KIT_SANITIZER)
        target_compile_options(${target} PRIVATE -fsanitize=${PARLAB_KIT_SANITIZER} -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=all)
    endif()
endfunction()

# GCC 14 with AddressSanitizer reports std::regex's own members as maybe uninitialized (inside
# libstdc++'s headers, not in the kit's code); the warning is left to the other builds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND "${PARLAB_SANITIZER}${PARLAB_KIT_SANITIZER}" MATCHES "address")
    target_compile_options(parlab_warnings INTERFACE -Wno-maybe-uninitialized)
endif()

# Sanitizers apply to everything, the kit's code and the student's: both sides of a race must be
# instrumented for ThreadSanitizer to see it.
if(PARLAB_SANITIZER STREQUAL "thread")
    set(PARLAB_TEST_ENVIRONMENT "TSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/cmake/tsan.supp")
endif()
if(PARLAB_SANITIZER)
    add_compile_options(-fsanitize=${PARLAB_SANITIZER} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${PARLAB_SANITIZER})
endif()
