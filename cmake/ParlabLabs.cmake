# parlab_add_lab(NAME): builds one lab from its lab.json.
#
# labs/NN-name is the only copy of a lab's frozen files. Its lab.json says:
#   "number":  1
#   "name":    "race-condition"           short name used on the command line
#   "sources": ["bank.cpp"]               the files the student edits (compiled into the lab library)
#   "support": ["bank_support.cpp"]       frozen .cpp files of the lab library (optional)
#   "libraries": ["parlab_cfitsio"]        targets the lab library links (optional)
#   "tests":   ["tests/bank-test.cpp"]    Catch2 tests, tagged [labNN][taskK]
#   "tasks":   [{"id": 1, "title": "..."}, ...]  (a task's points are its checks' in the rubric)
#   "given_checks": ["filter-row"]         rubric checks the untouched skeleton passes, as its
#                                         README says (optional; read by the grader, not here)
#   "threads": false                       the lab's code forks processes and runs no threads
#                                         (optional, default true): ThreadSanitizer follows the
#                                         threads of one process, so a ThreadSanitizer tree leaves
#                                         the lab out, and the grader refuses a race check in it
# The editable files ("sources") come from PARLAB_LAB_SOURCE/NN-name: labs/ (the student's
# work), solutions/ (which holds only those files), or a folder of full lab copies (the
# grader's staging of a submission). Everything else comes from that folder when it has the
# lab's lab.json, else from labs/NN-name: the same overlay a submission gets.
# For each lab this makes parlab_labNN (library), parlab_labNN_tests, one CTest test per task
# (label "lab"), and one executable per teaching program: every grader/labs/NN-name/programs/
# NAME.cpp (a classroom demo, a benchmark, a tool such as lab 04's filter) becomes
# parlab_labNN_NAME, linked to the lab library. Teaching programs are not student code: they
# always come from this tree, never from a submission. A lab whose programs need more (an
# optional library, say) adds it in grader/labs/NN-name/programs/programs.cmake, which is
# included with `prefix` set to the target prefix (parlab_labNN).
#
# The kit self-check (PARLAB_KIT_CHECK, only where solutions/ exists) also reads
# solutions/NN-name/kit.json:
#   "skeleton_fails": ["[task1]", ...]        checks the untouched skeleton must fail
#   "bad": [{"name": "private-mutex", "patch": "bad/private-mutex.patch", "fails": "[task3]",
#            "why": "..."}]
# and adds: the solution's tests (must pass) and the skeleton's failing checks (each must fail by
# a failed assertion, not by a crash or no test). A known-bad variant is a patch against the
# solution's file; "fails" is a Catch2 test spec holding the task's tag, narrowed to one test case
# where the variant would corrupt memory in a later one, as in "run_rows_threads*[task3]". The
# variants are not built here: `./parlab grade --known-bad` (grader/src/known_bad.cpp) compiles
# each once, in the tree where it grades it, and runs these tests there too; the grader's kit
# check stops its build when a patch no longer applies.

function(parlab_json_list json key out)
    set(items "")
    string(JSON kind ERROR_VARIABLE missing TYPE "${json}" ${key})
    if(NOT missing AND kind STREQUAL "ARRAY")
        string(JSON count LENGTH "${json}" ${key})
        if(count GREATER 0)
            math(EXPR last "${count} - 1")
            foreach(i RANGE ${last})
                string(JSON item GET "${json}" ${key} ${i})
                list(APPEND items "${item}")
            endforeach()
        endif()
    endif()
    set(${out} "${items}" PARENT_SCOPE)
endfunction()

# parlab_frozen_objects(TARGET DIR SOURCES LIBRARIES): an object library of the frozen files
# SOURCES of the lab in DIR, compiled against LIBRARIES, made by the first variant that asks.
function(parlab_frozen_objects target dir sources library)
    if(TARGET ${target})
        return()
    endif()
    list(TRANSFORM sources PREPEND "${dir}/")
    add_library(${target} OBJECT ${sources})
    target_include_directories(${target} PRIVATE "${dir}")
    target_link_libraries(${target} PRIVATE ${library} parlab::warnings)
endfunction()

# Builds one variant of a lab: library, test program, programs.
#   prefix      target prefix, e.g. parlab_lab01 or kit_lab01_solution
#   frozen      the lab folder the frozen files (headers, support, tests) come from
#   sources     the folder the editable files come from
#   overrides   list of "file=path" pairs replacing editable files (known-bad variants)
#   programs    the folder of the lab's teaching programs, or "" for none
function(parlab_lab_variant prefix frozen sources json overrides programs)
    parlab_json_list("${json}" sources student_sources)
    parlab_json_list("${json}" support support_sources)
    parlab_json_list("${json}" tests test_sources)
    set(dir "${frozen}")
    set(lib_sources "")
    foreach(src IN LISTS student_sources)
        set(path "${sources}/${src}")
        foreach(pair IN LISTS overrides)
            string(REPLACE "=" ";" kv "${pair}")
            list(GET kv 0 from)
            list(GET kv 1 to)
            if(from STREQUAL src)
                set(path "${to}")
            endif()
        endforeach()
        list(APPEND lib_sources "${path}")
    endforeach()
    string(JSON number GET "${json}" number)
    if(number LESS 10)
        set(number "0${number}")
    endif()
    # A lab's frozen files are compiled once per lab, whatever the number of variants (the
    # skeleton, the solution, each known-bad variant): its support files go into every variant's
    # library, its tests are linked with every variant's library.
    parlab_json_list("${json}" libraries lab_libraries)
    if(support_sources)
        set(support_objects parlab_lab${number}_support_objects)
        parlab_frozen_objects(${support_objects} "${dir}" "${support_sources}" "parlab::common;${lab_libraries}")
        list(APPEND lib_sources $<TARGET_OBJECTS:${support_objects}>)
    endif()

    add_library(${prefix} STATIC ${lib_sources})
    target_include_directories(${prefix} PUBLIC "${dir}")
    target_link_libraries(${prefix} PUBLIC parlab::common PRIVATE parlab::warnings)
    # The kit's own variants (the solution, each known-bad one) carry line tables only (-g1, which
    # a debug tree's -g before it gives way to): a failure still names file and line, and the
    # dozens of them compile in about 30 % less time than with full debug information. The
    # student's own lab keeps the tree's -g, for a debugger.
    if(prefix MATCHES "^kit_" AND CMAKE_BUILD_TYPE STREQUAL "Debug")
        target_compile_options(${prefix} PRIVATE -g1)
    endif()
    # and run under the kit's sanitizers (cmake/ParlabOptions.cmake)
    if(prefix MATCHES "^kit_")
        parlab_kit_sanitize(${prefix})
    endif()
    if(lab_libraries)
        target_link_libraries(${prefix} PUBLIC ${lab_libraries})
    endif()

    set(test_objects parlab_lab${number}_test_objects)
    if(NOT TARGET ${test_objects})
        parlab_frozen_objects(${test_objects} "${dir}" "${test_sources}" "parlab::test_main;${lab_libraries}")
        # Line tables only in a debug tree, like the kit's variants: a failing test still names its
        # file and line, and Catch2's macros compile in about a third less time than with -g.
        if(CMAKE_BUILD_TYPE STREQUAL "Debug")
            target_compile_options(${test_objects} PRIVATE -g1)
        endif()
    endif()
    add_executable(${prefix}_tests $<TARGET_OBJECTS:${test_objects}>)
    target_link_libraries(${prefix}_tests PRIVATE ${prefix} parlab::test_main parlab::warnings)

    if(programs)
        file(GLOB program_sources CONFIGURE_DEPENDS "${programs}/*.cpp")
        foreach(program_source IN LISTS program_sources)
            get_filename_component(program "${program_source}" NAME_WE)
            add_executable(${prefix}_${program} "${program_source}")
            target_link_libraries(${prefix}_${program} PRIVATE ${prefix} parlab::warnings)
            # unoptimised and with line tables only in debug trees, where they are only compiled
            # (and run on tiny inputs): about a third less compiling than with -g
            target_compile_options(${prefix}_${program} PRIVATE $<$<CONFIG:Debug>:-O0 -g1>)
            target_compile_definitions(${prefix}_${program} PRIVATE
                PARLAB_IMAGES_DIR="${PROJECT_SOURCE_DIR}/images")
        endforeach()
        if(EXISTS "${programs}/programs.cmake")
            include("${programs}/programs.cmake")
        endif()
    endif()
endfunction()

# The folder of lab `name` whose frozen files are used: the kit's labs/ copy. The grader's staging
# of a submission holds a copy of the same files beside the student's; compiling the kit's keeps
# the command lines of the frozen files and the probes the same in every build tree, so that a
# compiler cache shares them between trees. A lab the kit's labs/ lacks comes from the lab source.
function(parlab_frozen_dir name out)
    if(EXISTS "${CMAKE_SOURCE_DIR}/labs/${name}/lab.json")
        set(${out} "${CMAKE_SOURCE_DIR}/labs/${name}" PARENT_SCOPE)
    else()
        set(${out} "${PARLAB_LAB_DIR}/${name}" PARENT_SCOPE)
    endif()
endfunction()

function(parlab_add_lab name)
    parlab_frozen_dir(${name} dir)
    file(READ "${dir}/lab.json" json)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${dir}/lab.json")
    string(JSON number GET "${json}" number)
    string(JSON short GET "${json}" name)
    string(JSON threads ERROR_VARIABLE no_threads_key GET "${json}" threads)
    if(PARLAB_SANITIZER STREQUAL "thread" AND NOT no_threads_key AND NOT threads)
        message(STATUS "${name}: left out of this ThreadSanitizer tree (its lab.json says \"threads\": false)")
        return()
    endif()
    if(number LESS 10)
        set(number "0${number}")
    endif()
    set(lab lab${number})
    set_property(GLOBAL APPEND PROPERTY PARLAB_LABS "${lab}")

    set(programs "")
    if(PARLAB_PROGRAMS)
        set(programs "${CMAKE_SOURCE_DIR}/grader/labs/${name}/programs")
    endif()
    string(JSON task_count LENGTH "${json}" tasks)
    math(EXPR last_task "${task_count} - 1")
    # In the kit's own sanitizer trees labs/ holds the untouched skeletons, which only the dev
    # tree's self-check runs: there the lab itself is left out and only the solutions are built.
    set(skeleton ON)
    if(PARLAB_KIT_CHECK AND PARLAB_SANITIZER)
        set(skeleton OFF)
    endif()
    # Open MPI's waiting ranks poll instead of sleeping, so two runs of ranks at once on a small
    # machine take each other's cores while they wait (lab 08's kit tests, four ranks each, took
    # 16-27 s each on the Ubuntu 22.04 check where ctest started three of them together; 1-2 s
    # apart): a lab whose code runs MPI ranks has its tests take one lock.
    parlab_json_list("${json}" libraries lab_libraries)
    set(ranks_lock "")
    if("parlab_mpi" IN_LIST lab_libraries)
        set(ranks_lock RESOURCE_LOCK parlab_mpi_ranks)
    endif()
    if(skeleton)
        parlab_lab_variant(parlab_${lab} "${dir}" "${PARLAB_LAB_DIR}/${name}" "${json}" "" "${programs}")
        foreach(i RANGE ${last_task})
            string(JSON task GET "${json}" tasks ${i} id)
            add_test(NAME ${lab}.${short}.task${task}
                     COMMAND parlab_${lab}_tests "[${lab}][task${task}]" ${PARLAB_CATCH2_NO_TESTS})
            set_tests_properties(${lab}.${short}.task${task} PROPERTIES LABELS lab TIMEOUT 300
                                 ENVIRONMENT "${PARLAB_TEST_ENVIRONMENT}" ${ranks_lock})
        endforeach()
    endif()

    if(NOT PARLAB_KIT_CHECK)
        return()
    endif()
    set(solution_dir "${CMAKE_SOURCE_DIR}/solutions/${name}")
    if(NOT IS_DIRECTORY "${solution_dir}")
        message(WARNING "kit check: ${name} has no solution in solutions/${name}")
        return()
    endif()
    parlab_lab_variant(kit_${lab}_solution "${dir}" "${solution_dir}" "${json}" "" "")
    foreach(i RANGE ${last_task})
        string(JSON task GET "${json}" tasks ${i} id)
        add_test(NAME kit.${lab}.solution.task${task}
                 COMMAND kit_${lab}_solution_tests "[${lab}][task${task}]" ${PARLAB_CATCH2_NO_TESTS})
        set_tests_properties(kit.${lab}.solution.task${task} PROPERTIES LABELS kit TIMEOUT 300
                             ENVIRONMENT "${PARLAB_TEST_ENVIRONMENT}" ${ranks_lock})
    endforeach()

    if(NOT EXISTS "${solution_dir}/kit.json")
        return()
    endif()
    file(READ "${solution_dir}/kit.json" kit)
    if(NOT PARLAB_PATCH)
        parlab_missing(patch)
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${solution_dir}/kit.json")
    # A check that must fail passes only when Catch2 reports a failed test case, or the kit's test
    # runner stopped one at its time limit (common/tests/test_main.cpp): not on a crash nobody
    # reported, and not when the tag matched nothing.
    set(failed_regex "test cases: +[0-9]+ +\\| +([0-9]+ passed +\\| +)?[1-9][0-9]* failed|stopped: the test case \"")
    # --abort: the first failure is all such a test waits for; the test cases after it would only
    # add their own time limits (lab 05's one-read-per-row took 40 s, 20 s with it).

    parlab_json_list("${kit}" skeleton_fails skeleton_tags)
    if(NOT skeleton)
        set(skeleton_tags "")
    endif()
    foreach(tag IN LISTS skeleton_tags)
        string(REGEX REPLACE "[^a-zA-Z0-9]+" "" tag_name "${tag}")
        add_test(NAME kit.${lab}.skeleton-fails.${tag_name}
                 COMMAND parlab_${lab}_tests "[${lab}]${tag}" --abort ${PARLAB_CATCH2_NO_TESTS})
        set_tests_properties(kit.${lab}.skeleton-fails.${tag_name} PROPERTIES
            LABELS kit-fail TIMEOUT 300 PASS_REGULAR_EXPRESSION "${failed_regex}" ${ranks_lock})
    endforeach()

endfunction()
